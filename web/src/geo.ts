// Display geometry and units for the page. Spherical Earth (mean radius) is
// enough for drawing: over a 250 km coverage ring or a 60 s velocity vector
// its error against WGS-84 is well under 0.5 %, below a pixel at zoom 8.
// Degrees are fine here: this is the UI edge.

const R_EARTH_M = 6371008.8;
const RAD = Math.PI / 180;

export const MPS_TO_KT = 3600 / 1852;
/** Contract: a flight level is FL x 30.48 m (standard atmosphere). */
export const M_PER_FL = 30.48;

/** Point reached from (lat, lon) along a great circle: returns [lon, lat] degrees. */
export function destination(latDeg: number, lonDeg: number, bearingRad: number, distM: number): [number, number] {
  const d = distM / R_EARTH_M;
  const lat1 = latDeg * RAD;
  const lon1 = lonDeg * RAD;
  const sinLat2 = Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(bearingRad);
  const lat2 = Math.asin(Math.max(-1, Math.min(1, sinLat2)));
  const lon2 =
    lon1 + Math.atan2(Math.sin(bearingRad) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * sinLat2);
  return [(((lon2 / RAD + 540) % 360) - 180), lat2 / RAD];
}

/** Web Mercator x (0..1, west to east) of a longitude. */
export const mercatorX = (lonDeg: number): number => (lonDeg + 180) / 360;

/** Web Mercator y (0..1, north to south) of a latitude, by the formula (MapLibre's). */
export const mercatorYExact = (latDeg: number): number => 0.5 - Math.log(Math.tan(Math.PI / 4 + (latDeg * Math.PI) / 360)) / (2 * Math.PI);

/** Latitudes of the table below: every MERC_STEP degrees up to MERC_MAX north and south. */
const MERC_STEP = 1 / 8;
const MERC_MAX = 85;
const MERC_N = (2 * MERC_MAX) / MERC_STEP + 1;
/** ln tan(pi/4 + lat/2) at each latitude of the table, and its derivative (sec lat) times the step in radians. */
const MERC_F = new Float64Array(MERC_N);
const MERC_D = new Float64Array(MERC_N);
for (let j = 0; j < MERC_N; j++) {
  const lat = (-MERC_MAX + j * MERC_STEP) * RAD;
  MERC_F[j] = Math.log(Math.tan(Math.PI / 4 + lat / 2));
  MERC_D[j] = (MERC_STEP * RAD) / Math.cos(lat);
}

/**
 * Web Mercator y (0..1, north to south) of a latitude: interpolated in a table (cubic Hermite, from the function and
 * its derivative every 1/8 degree), within 1e-9 of mercatorYExact up to 85 degrees (about a twentieth of a Float32
 * step, which is what the page draws with), so several times cheaper than a tangent and a logarithm per track and
 * frame. Beyond 85 degrees, by the formula.
 */
export function mercatorY(latDeg: number): number {
  const x = (latDeg + MERC_MAX) / MERC_STEP;
  if (!(x >= 0 && x < MERC_N - 1)) return mercatorYExact(latDeg);
  const j = Math.floor(x);
  const u = x - j;
  const u2 = u * u;
  const u3 = u2 * u;
  const f = (2 * u3 - 3 * u2 + 1) * MERC_F[j]! + (u3 - 2 * u2 + u) * MERC_D[j]! + (3 * u2 - 2 * u3) * MERC_F[j + 1]! + (u3 - u2) * MERC_D[j + 1]!;
  return 0.5 - f / (2 * Math.PI);
}

/** Closed ring of `n` points at `radiusM` around a centre (geodesic circle), [lon, lat] pairs. */
export function geodesicCircle(latDeg: number, lonDeg: number, radiusM: number, n = 128): [number, number][] {
  const ring: [number, number][] = [];
  for (let i = 0; i < n; i++) ring.push(destination(latDeg, lonDeg, (2 * Math.PI * i) / n, radiusM));
  const first = ring[0];
  if (first) ring.push([first[0], first[1]]);
  return ring;
}

/** Where a track will be after `dtS` seconds at constant ground velocity. */
export function deadReckon(latDeg: number, lonDeg: number, vE: number, vN: number, dtS: number): [number, number] {
  const speed = Math.hypot(vE, vN);
  if (speed === 0) return [lonDeg, latDeg];
  return destination(latDeg, lonDeg, Math.atan2(vE, vN), speed * dtS);
}

export const knots = (vE: number, vN: number): number => Math.hypot(vE, vN) * MPS_TO_KT;

/** Course over ground, degrees clockwise from true north, 0..360. */
export const courseDeg = (vE: number, vN: number): number => ((Math.atan2(vE, vN) / RAD) + 360) % 360;

export const flightLevel = (altM: number | null): number | null => (altM === null ? null : Math.round(altM / M_PER_FL));

/** "FL350", "FL045", or "" when unknown; negative levels as "FL-05". */
export function flText(altM: number | null): string {
  const fl = flightLevel(altM);
  if (fl === null) return '';
  return fl < 0 ? `FL-${String(-fl).padStart(2, '0')}` : `FL${String(fl).padStart(3, '0')}`;
}

export type AltBand = 'unknown' | 'low' | 'mid' | 'high' | 'upper';

/** Bands in flight levels: below FL100, FL100-245, FL245-350 (upper airspace), FL350 and above. */
export function altBand(altM: number | null): AltBand {
  const fl = flightLevel(altM);
  if (fl === null) return 'unknown';
  if (fl < 100) return 'low';
  if (fl < 245) return 'mid';
  if (fl < 350) return 'high';
  return 'upper';
}

export const BAND_COLOURS: Readonly<Record<AltBand, string>> = {
  unknown: '#9a9aa2',
  low: '#34c759',
  mid: '#ffd60a',
  high: '#ff9500',
  upper: '#d17bff',
};

export const BAND_LABELS: Readonly<Record<AltBand, string>> = {
  low: '< FL100',
  mid: 'FL100-245',
  high: 'FL245-350',
  upper: '>= FL350',
  unknown: 'no altitude',
};

/** "2025-11-23 12:34:56Z" from seconds since the epoch. */
export function utcText(timeS: number): string {
  const iso = new Date(timeS * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}
