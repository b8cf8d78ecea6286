// Builds the operations-room page in memory at server start, so `npm install`
// is the only set-up step: esbuild bundles web/src (and MapLibre's CSS), the
// MapLibre worker and the Natural Earth outlines are read from node_modules as
// they are, and the basemap's airports are taken from airport-data-js. Nothing is written to disk; every asset is served
// from this table. Built once per process and shared by every server.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { SkyError } from '../core/errors.ts';

export interface WebAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Strong validator: a hash of the body. */
  readonly etag: string;
  /** The body gzipped once at build time (the page is ~2.4 MB raw, ~0.7 MB gzipped). */
  readonly gzip: Buffer;
}

/** Served paths (without the leading '/') → asset. */
export type WebAssets = ReadonlyMap<string, WebAsset>;

/** Outline resolution: 50m shows the Nile delta, Cyprus and the Gulf islands; 10m would be 3.6 MB. */
export const COUNTRIES_FILE = 'countries-50m.json';
/** The basemap's airports (served path under assets/). */
export const AIRPORTS_FILE = 'airports.json';

interface AirportRecord {
  readonly icao: string;
  readonly iata: string;
  readonly airport: string;
  readonly latitude: number;
  readonly longitude: number;
  readonly type: string;
}

/**
 * The world's large and medium airports (OurAirports' classes, about 9,000) as GeoJSON points with their ICAO and
 * IATA codes and name, `large` 1 or 0: the page shows the large ones from the coalition view and the medium ones
 * zoomed in. From airport-data-js (OurAirports data, CC BY 4.0, credited on the map).
 */
export async function airportsGeoJSON(): Promise<{ type: 'FeatureCollection'; features: unknown[] }> {
  const lib = require('airport-data-js') as { getAirportsByType(type: string): Promise<AirportRecord[]> };
  const [large, medium] = await Promise.all([lib.getAirportsByType('large_airport'), lib.getAirportsByType('medium_airport')]);
  const features: unknown[] = [];
  const round = (v: number) => Math.round(v * 1e5) / 1e5;
  for (const a of [...large, ...medium]) {
    if (!/^[A-Z0-9]{4}$/.test(a.icao) || !Number.isFinite(a.latitude) || !Number.isFinite(a.longitude)) continue;
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [round(a.longitude), round(a.latitude)] },
      properties: { icao: a.icao, iata: a.iata || null, name: a.airport, large: a.type === 'large_airport' ? 1 : 0 },
    });
  }
  return { type: 'FeatureCollection', features };
}

const require = createRequire(import.meta.url);
const webDir = fileURLToPath(new URL('../../web/', import.meta.url));

export function asset(body: Buffer | Uint8Array | string, contentType: string): WebAsset {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const etag = `"${createHash('sha256').update(buf).digest('base64url').slice(0, 22)}"`;
  return { body: buf, contentType, etag, gzip: gzipSync(buf, { level: 9 }) };
}

let cached: Promise<WebAssets> | null = null;

/** The page's files, bundled on first call (about a second) and cached for the process. */
export function buildWeb(): Promise<WebAssets> {
  cached ??= doBuild().catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}

async function doBuild(): Promise<WebAssets> {
  let result;
  try {
    result = await build({
      entryPoints: { main: `${webDir}src/main.ts`, decoder: `${webDir}src/decoder-worker.ts`, main_style: `${webDir}src/style.css` },
      bundle: true,
      write: false,
      outdir: '/assets',
      format: 'esm',
      target: 'es2022',
      platform: 'browser',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      // Any url() left in CSS must be inlined: the page loads nothing from outside.
      loader: { '.svg': 'dataurl', '.png': 'dataurl' },
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n').slice(0, 4).join(' ') : String(err);
    throw new SkyError('SKY_SERVE_WEB_BUILD', `could not bundle web/src: ${msg}`);
  }
  const out = new Map<string, WebAsset>();
  for (const f of result.outputFiles) {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    if (name === 'main.js') out.set('assets/main.js', asset(f.contents, 'text/javascript; charset=utf-8'));
    // The skyfuse.v2 decoder's Web Worker (web/src/decoder-worker.ts).
    else if (name === 'decoder.js') out.set('assets/decoder.js', asset(f.contents, 'text/javascript; charset=utf-8'));
    else if (name === 'main_style.css') out.set('assets/main.css', asset(f.contents, 'text/css; charset=utf-8'));
  }
  if (!out.has('assets/main.js') || !out.has('assets/decoder.js') || !out.has('assets/main.css')) {
    throw new SkyError('SKY_SERVE_WEB_BUILD', 'esbuild produced no main.js, decoder.js or main.css from web/src');
  }
  const [html, worker, countries, airports] = await Promise.all([
    readFile(`${webDir}index.html`),
    readFile(require.resolve('maplibre-gl/dist/maplibre-gl-worker.mjs')),
    readFile(require.resolve(`world-atlas/${COUNTRIES_FILE}`)),
    airportsGeoJSON(),
  ]);
  out.set('', asset(html, 'text/html; charset=utf-8'));
  out.set('assets/maplibre-gl-worker.mjs', asset(worker, 'text/javascript; charset=utf-8'));
  out.set(`assets/${COUNTRIES_FILE}`, asset(countries, 'application/json'));
  out.set(`assets/${AIRPORTS_FILE}`, asset(JSON.stringify(airports), 'application/json'));
  return out;
}
