// Horizontal distances for scoring. Scoring only needs metres between a
// truth point and a track a few kilometres apart (anything beyond the GOSPA
// cut-off c counts as c), so a local plane is exact enough: the WGS-84
// meridian (M) and prime-vertical (N) radii of curvature at the pair's mid
// latitude turn degree differences into north and east metres. At 2 km the
// error against the ellipsoidal geodesic (Vincenty's inverse) is below 0.3 mm
// up to 80° latitude, at 20 km below 0.3 m. Kept here,
// not in src/core/geodesy.ts, so scoring does not move when the tracker's
// geodesy changes.

// WGS-84 defining constants (NIMA TR8350.2, table 3.1).
const WGS84_A_M = 6378137.0;
const WGS84_F = 1 / 298.257223563;
const WGS84_E2 = WGS84_F * (2 - WGS84_F);
const DEG = Math.PI / 180;

/** Meridian radius of curvature M(φ) = a(1 − e²) / (1 − e² sin²φ)^(3/2). */
export function meridianRadiusM(latRad: number): number {
  const s = Math.sin(latRad);
  const w = 1 - WGS84_E2 * s * s;
  return (WGS84_A_M * (1 - WGS84_E2)) / (w * Math.sqrt(w));
}

/** Prime-vertical radius of curvature N(φ) = a / sqrt(1 − e² sin²φ). */
export function primeVerticalRadiusM(latRad: number): number {
  const s = Math.sin(latRad);
  return WGS84_A_M / Math.sqrt(1 - WGS84_E2 * s * s);
}

/** Longitude difference wrapped to [-π, π), so pairs across the antimeridian are near. */
function wrapRad(dRad: number): number {
  return dRad - 2 * Math.PI * Math.floor((dRad + Math.PI) / (2 * Math.PI));
}

/** East and north metres from point 1 to point 2 on the local plane at their mid latitude. */
export function offsetEastNorthM(
  lat1Deg: number,
  lon1Deg: number,
  lat2Deg: number,
  lon2Deg: number,
): { eastM: number; northM: number } {
  const midLatRad = ((lat1Deg + lat2Deg) / 2) * DEG;
  const northM = (lat2Deg - lat1Deg) * DEG * meridianRadiusM(midLatRad);
  const eastM = wrapRad((lon2Deg - lon1Deg) * DEG) * primeVerticalRadiusM(midLatRad) * Math.cos(midLatRad);
  return { eastM, northM };
}

/** Horizontal distance in metres between two WGS-84 positions (local-plane approximation, see above). */
export function horizontalDistanceM(lat1Deg: number, lon1Deg: number, lat2Deg: number, lon2Deg: number): number {
  const { eastM, northM } = offsetEastNorthM(lat1Deg, lon1Deg, lat2Deg, lon2Deg);
  return Math.hypot(eastM, northM);
}

/**
 * The position `eastM`, `northM` metres from a point: the exact inverse of
 * offsetEastNorthM (the mid latitude is found by fixed-point iteration), so
 * test cases built in metres score to the metre values written in them.
 */
export function offsetLatLonDeg(latDeg: number, lonDeg: number, eastM: number, northM: number): { latDeg: number; lonDeg: number } {
  let lat2Deg = latDeg + northM / meridianRadiusM(latDeg * DEG) / DEG;
  // M changes by about 1 % over 90°, so each pass gains ~7 digits.
  for (let k = 0; k < 4; k++) {
    lat2Deg = latDeg + northM / meridianRadiusM(((latDeg + lat2Deg) / 2) * DEG) / DEG;
  }
  const midLatRad = ((latDeg + lat2Deg) / 2) * DEG;
  const lon2Deg = lonDeg + eastM / (primeVerticalRadiusM(midLatRad) * Math.cos(midLatRad)) / DEG;
  return { latDeg: lat2Deg, lonDeg: lon2Deg };
}
