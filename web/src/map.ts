// The MapLibre map, fully offline: a background (sea), Natural Earth country
// outlines from world-atlas and the large and medium airports (OurAirports,
// via airport-data-js), both served by our own server, sensor coverage, and
// sensors. Trails (traillayer.ts), track symbols (an altitude-coloured ring under each APP-6
// symbol from our icon atlas, a red halo flashing around emergency squawks)
// and velocity vectors are WebGL custom layers (tracklayer.ts). No glyphs and no sprite URL:
// the style names no URL at all, so MapLibre has nothing to fetch; text is
// drawn by the label overlay.

import * as maplibregl from 'maplibre-gl';
import type { ExpressionSpecification, StyleSpecification } from 'maplibre-gl';
import type { FeatureCollection, Point } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { type AltBand, BAND_COLOURS } from './geo.ts';
import type { PlaceLabel } from './labels.ts';

const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** The coalition region: eastern Mediterranean and the Middle East. */
export const INITIAL_VIEW = { center: [33, 30] as [number, number], zoom: 4.5 };

export const SENSOR_LAYER = 'sensor';
/** Large airports from the coalition view, medium ones too once zoomed in (an approach's scale). */
export const AIRPORT_LAYERS = ['airport-large', 'airport-medium'];
const AIRPORT_MEDIUM_MINZOOM = 6.5;
export const RING_LAYER = 'range-ring';
/** Range rings every 50 NM (92.6 km), the spacing ATC radar displays commonly use. */
export const RING_STEP_M = 50 * 1852;

const bandColour: ExpressionSpecification = [
  'match',
  ['get', 'band'],
  ...(Object.entries(BAND_COLOURS) as [AltBand, string][]).flatMap(([b, c]) => [b, c]),
  BAND_COLOURS.unknown,
] as unknown as ExpressionSpecification;

const kindIs = (k: string): ExpressionSpecification => ['==', ['get', 'kind'], k];

/**
 * A raster tile server the operator configured (the server puts it on the
 * page as <body data-tiles="https://host/{z}/{x}/{y}.png"> and allows that
 * origin, and only it, in its CSP). Null, the default, keeps the offline
 * shipped basemap. Only http(s) URLs with {z}, {x} and {y} are taken.
 */
export function basemapTiles(raw: string | undefined): string | null {
  if (!raw) return null;
  let u: URL;
  try {
    u = new URL(raw.replace(/\{[xyz]\}/g, '0'));
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  return ['{z}', '{x}', '{y}'].every((p) => raw.includes(p)) ? raw : null;
}

function style(tiles: string | null = null): StyleSpecification {
  const s: StyleSpecification = {
    version: 8,
    name: 'skyfuse-offline',
    sources: {
      countries: { type: 'geojson', data: EMPTY },
      airports: { type: 'geojson', data: EMPTY },
      sensors: { type: 'geojson', data: EMPTY },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#0a1622' } },
      { id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': '#17232f' } },
      { id: 'borders', type: 'line', source: 'countries', paint: { 'line-color': '#5a7489', 'line-width': 0.8 } },
      {
        id: 'airport-large',
        type: 'circle',
        source: 'airports',
        filter: ['==', ['get', 'large'], 1],
        minzoom: 3,
        paint: { 'circle-radius': 3, 'circle-color': '#0a1622', 'circle-stroke-color': '#b7c7d4', 'circle-stroke-width': 1.2 },
      },
      {
        id: 'airport-medium',
        type: 'circle',
        source: 'airports',
        filter: ['==', ['get', 'large'], 0],
        minzoom: AIRPORT_MEDIUM_MINZOOM,
        paint: { 'circle-radius': 2.2, 'circle-color': '#0a1622', 'circle-stroke-color': '#8aa1b4', 'circle-stroke-width': 1 },
      },
      {
        id: 'coverage-fill',
        type: 'fill',
        source: 'sensors',
        filter: kindIs('coverage'),
        paint: { 'fill-color': '#64d2ff', 'fill-opacity': 0.025 },
      },
      {
        id: 'coverage-line',
        type: 'line',
        source: 'sensors',
        filter: kindIs('coverage'),
        paint: { 'line-color': '#64d2ff', 'line-opacity': 0.35, 'line-width': 1, 'line-dasharray': [4, 3] },
      },
      {
        // Range rings every RING_STEP_NM around each sensor shown (toggle in the sensor panel).
        id: RING_LAYER,
        type: 'line',
        source: 'sensors',
        filter: kindIs('ring'),
        paint: { 'line-color': '#8aa1b4', 'line-opacity': 0.45, 'line-width': 0.8, 'line-dasharray': [1, 3] },
      },
      {
        id: SENSOR_LAYER,
        type: 'circle',
        source: 'sensors',
        filter: kindIs('sensor'),
        paint: {
          'circle-radius': 4,
          'circle-color': ['match', ['get', 'health'], 'heard', '#64d2ff', 'silent', '#ff453a', '#1f4b5c'],
          'circle-stroke-color': '#64d2ff',
          'circle-stroke-width': 1.5,
        },
      },
      // Trails, track symbols and velocity vectors: the WebGL layers of traillayer.ts and tracklayer.ts, added on top once the style has loaded.
    ],
  };
  if (tiles) {
    // The operator's tiles under the offline outlines (land fill dropped so the imagery shows).
    s.sources.basemap = { type: 'raster', tiles: [tiles], tileSize: 256, maxzoom: 18 };
    s.layers = s.layers.filter((l) => l.id !== 'land');
    s.layers.splice(1, 0, { id: 'basemap', type: 'raster', source: 'basemap' });
  }
  return s;
}

export function createMap(container: HTMLElement, workerUrl: string, tiles: string | null = null): maplibregl.Map {
  maplibregl.setWorkerUrl(workerUrl);
  return new maplibregl.Map({
    container,
    style: style(tiles),
    center: INITIAL_VIEW.center,
    zoom: INITIAL_VIEW.zoom,
    minZoom: 1.5,
    maxZoom: 14,
    renderWorldCopies: false,
    attributionControl: {
      compact: true,
      customAttribution: 'Outlines: Natural Earth (public domain) via world-atlas; airports: OurAirports via airport-data-js (CC BY 4.0)',
    },
    dragRotate: false,
    pitchWithRotate: false,
    // A ops-room map stays north-up.
    touchPitch: false,
  });
}

/** Loads the country outlines (TopoJSON) from our own server into the map. */
export async function loadCountries(map: maplibregl.Map, url: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`country outlines: HTTP ${res.status}`);
  const topo = (await res.json()) as Topology<{ countries: GeometryCollection }>;
  const geo = feature(topo, topo.objects.countries);
  const src = map.getSource<maplibregl.GeoJSONSource>('countries');
  src?.setData(geo);
}

/** Zoom from which large airports' codes are written (medium ones: from AIRPORT_MEDIUM_MINZOOM + 1). */
const AIRPORT_LABEL_MINZOOM = 6;

/**
 * Loads the server's airports into the map and returns them for the label overlay (the map has no glyphs): each
 * named by its ICAO code from a zoom on.
 */
export async function loadAirports(map: maplibregl.Map, url: string): Promise<PlaceLabel[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`airports: HTTP ${res.status}`);
  const geo = (await res.json()) as FeatureCollection<Point, { icao: string; large: number }>;
  // By URL, not the object: MapLibre's worker fetches it again and parses it there (assets are served no-cache with
  // an ETag, so that second request is a revalidation), and the page keeps only the codes and positions.
  map.getSource<maplibregl.GeoJSONSource>('airports')?.setData(url);
  return geo.features.map((f) => ({
    id: f.properties.icao,
    lon: f.geometry.coordinates[0]!,
    lat: f.geometry.coordinates[1]!,
    minZoom: f.properties.large === 1 ? AIRPORT_LABEL_MINZOOM : AIRPORT_MEDIUM_MINZOOM + 1,
  }));
}

export function setSource(map: maplibregl.Map, id: 'sensors', data: FeatureCollection): void {
  map.getSource<maplibregl.GeoJSONSource>(id)?.setData(data);
}
