// Builds the operations-room page in memory at server start, so `npm install`
// is the only set-up step: esbuild bundles web/src (and MapLibre's CSS), and
// the MapLibre worker and the Natural Earth outlines are read from
// node_modules as they are. Nothing is written to disk; every asset is served
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
  const [html, worker, countries] = await Promise.all([
    readFile(`${webDir}index.html`),
    readFile(require.resolve('maplibre-gl/dist/maplibre-gl-worker.mjs')),
    readFile(require.resolve(`world-atlas/${COUNTRIES_FILE}`)),
  ]);
  out.set('', asset(html, 'text/html; charset=utf-8'));
  out.set('assets/maplibre-gl-worker.mjs', asset(worker, 'text/javascript; charset=utf-8'));
  out.set(`assets/${COUNTRIES_FILE}`, asset(countries, 'application/json'));
  return out;
}
