// WGS-84 geodesy for radar data fusion: geodetic <-> ECEF, local East-North-Up
// frames, the radar's polar measurement (slant range, azimuth, elevation) and
// its inverse from Mode C height, the 4/3-earth radar horizon, and ellipsoidal
// geodesics (Vincenty). Angles are radians, lengths metres, heights are above
// the WGS-84 ellipsoid. Everything is a pure function or a small immutable
// frame object; the per-plot paths take `out` arrays so callers can reuse them.

import { SkyError } from './errors.ts';

// ---------------------------------------------------------------------------
// Ellipsoid constants (NIMA TR8350.2, WGS-84 defining parameters a and 1/f)

export const WGS84_A_M = 6378137;
export const WGS84_F = 1 / 298.257223563;
/** Semi-minor (polar) axis. */
export const WGS84_B_M = WGS84_A_M * (1 - WGS84_F);
/** First eccentricity squared, e² = f(2 - f). */
export const WGS84_E2 = WGS84_F * (2 - WGS84_F);
/** Second eccentricity squared, e'² = e² / (1 - e²). */
export const WGS84_EP2 = WGS84_E2 / (1 - WGS84_E2);
/** IUGG mean radius R1 = (2a + b) / 3, the sphere used only by the 4/3-earth horizon model. */
export const WGS84_MEAN_RADIUS_M = (2 * WGS84_A_M + WGS84_B_M) / 3;
/** Standard refraction: radio waves bend as if the earth's radius were 4/3 larger (ITU-R P.834, k = 4/3). */
export const EFFECTIVE_EARTH_FACTOR = 4 / 3;

const E2 = WGS84_E2;
const E4 = E2 * E2;
const ONE_MINUS_E2 = 1 - E2;
const TWO_PI = 2 * Math.PI;
const HALF_PI = Math.PI / 2;

/** A position on or near the ellipsoid; heightM is above the ellipsoid (not MSL). */
export interface Geodetic {
  readonly latRad: number;
  readonly lonRad: number;
  readonly heightM: number;
}

export function degToRad(d: number): number {
  return (d * Math.PI) / 180;
}

export function radToDeg(r: number): number {
  return (r * 180) / Math.PI;
}

/** Degrees at the edges (files, UI) to a Geodetic in radians. */
export function geodeticFromDeg(latDeg: number, lonDeg: number, heightM: number): Geodetic {
  return { latRad: degToRad(latDeg), lonRad: degToRad(lonDeg), heightM };
}

/** Wraps an angle to [0, 2π); an input a hair below 0 comes back as 0, not 2π. */
export function wrapTwoPi(angleRad: number): number {
  let a = angleRad % TWO_PI;
  if (a < 0) a += TWO_PI;
  // -1e-17 + 2π rounds to exactly 2π, which is outside the half-open range.
  return a >= TWO_PI ? 0 : a;
}

/** Wraps an angle to [-π, π). */
export function wrapPi(angleRad: number): number {
  return wrapTwoPi(angleRad + Math.PI) - Math.PI;
}

/**
 * ICAO standard atmosphere contract: a flight level is pressure altitude in
 * hundreds of feet, and 1 ft = 0.3048 m exactly, so FL × 30.48 m. This is a
 * pressure altitude, not a height above the ellipsoid; the caller decides
 * whether to correct it (QNH, geoid) before using it as a geometric height.
 */
export function flightLevelToM(flightLevel: number): number {
  return flightLevel * 30.48;
}

// ---------------------------------------------------------------------------
// Geodetic <-> ECEF

/** Prime-vertical radius of curvature N(φ) = a / sqrt(1 - e² sin²φ). */
export function primeVerticalRadiusM(latRad: number): number {
  const s = Math.sin(latRad);
  return WGS84_A_M / Math.sqrt(1 - E2 * s * s);
}

/** Meridional radius of curvature M(φ) = a (1 - e²) / (1 - e² sin²φ)^(3/2). */
export function meridianRadiusM(latRad: number): number {
  const s = Math.sin(latRad);
  const w2 = 1 - E2 * s * s;
  return (WGS84_A_M * ONE_MINUS_E2) / (w2 * Math.sqrt(w2));
}

/** Geodetic (lat, lon, height above ellipsoid) to Earth-centred Earth-fixed [x, y, z] in metres. */
export function geodeticToEcef(latRad: number, lonRad: number, heightM: number, out?: Float64Array): Float64Array {
  const o = out ?? new Float64Array(3);
  const sinLat = Math.sin(latRad);
  const cosLat = Math.cos(latRad);
  const n = WGS84_A_M / Math.sqrt(1 - E2 * sinLat * sinLat);
  const r = (n + heightM) * cosLat;
  o[0] = r * Math.cos(lonRad);
  o[1] = r * Math.sin(lonRad);
  o[2] = (n * ONE_MINUS_E2 + heightM) * sinLat;
  return o;
}

/**
 * ECEF to geodetic into out = [latRad, lonRad, heightM], without allocating.
 *
 * Closed form of H. Vermeille, "Direct transformation from geocentric
 * coordinates to geodetic coordinates", J. Geodesy 76 (2002) 451-454 and
 * "Computing geodetic coordinates from geocentric coordinates", J. Geodesy 78
 * (2004) 94-95: the nearest point on the ellipse follows from the largest root
 * u of a resolvent cubic. Outside the evolute (every point more than ~6300 km
 * below the surface is "outside") Cardano's formula gives u; inside the
 * evolute (a tiny astroid around the centre, |x|,|z| < a·e²) the cubic has
 * three real roots and the trigonometric form is used, written with atan2 so
 * it stays accurate as z -> 0 (the extension of Vermeille, J. Geodesy 85
 * (2011) 105-117; derived here from the same cubic). Residual of the
 * round trip is nanometres from 1,000 km below the surface to far beyond
 * 10,000 km up (measured: < 2e-8 m), and < 0.05 mm deep inside the evolute,
 * where the nearest surface point is ill-conditioned anyway. The poles need
 * no special case; only the degenerate equatorial disc inside the evolute
 * does, and it is solved in closed form.
 */
export function ecefToGeodeticInto(x: number, y: number, z: number, out: Float64Array): Float64Array {
  const a = WGS84_A_M;
  const rho2 = x * x + y * y;
  const rho = Math.sqrt(rho2);
  const p = rho2 / (a * a);
  const q = (ONE_MINUS_E2 * z * z) / (a * a);
  const r = (p + q - E4) / 6;
  const e4pq = E4 * p * q;
  const evolute = 8 * r * r * r + e4pq;
  let u: number;
  if (evolute > 0) {
    // One real root (Cardano); the two cube roots are real even when r < 0.
    const sEvol = Math.sqrt(evolute);
    const sE4pq = Math.sqrt(e4pq);
    const c1 = Math.cbrt(sEvol + sE4pq);
    const c2 = Math.cbrt(sEvol - sE4pq);
    u = r + 0.5 * c1 * c1 + 0.5 * c2 * c2;
  } else {
    // Three real roots (r < 0); the largest, continuous with Cardano's at
    // the evolute, is u = r + 2|r|cos(θ/3). With π - θ = 2ψ and
    // ψ = atan2(sqrt(e⁴pq), sqrt(-evolute)) this is
    // u = 4|r| sin(π/3 - ψ/3) sin(ψ/3), free of the cancellation in
    // 2cos(θ/3) - 1 near the equatorial plane.
    const psi3 = Math.atan2(Math.sqrt(e4pq), Math.sqrt(-evolute)) / 3;
    u = -4 * r * Math.sin(Math.PI / 3 - psi3) * Math.sin(psi3);
  }
  const v = Math.sqrt(u * u + E4 * q);
  out[1] = Math.atan2(y, x);
  if (v === 0) {
    // z = 0 inside the evolute (|ρ| <= a·e², including the centre): the
    // nearest surface points are at ±φ with ρ = N e² cosφ, so
    // cos²φ = ρ²(1 - e²) / (e²(a²e² - ρ²)); the height is -N(1 - e²).
    // Northern solution chosen, as GeographicLib's CartConvert does.
    const cos2 = Math.min(1, (rho2 * ONE_MINUS_E2) / (E2 * (a * a * E2 - rho2)));
    const lat = Math.acos(Math.sqrt(cos2));
    out[0] = lat;
    out[2] = -primeVerticalRadiusM(lat) * ONE_MINUS_E2;
    return out;
  }
  const w = (E2 * (u + v - q)) / (2 * v);
  // k = sqrt(u + v + w²) - w, rearranged to avoid cancellation when w > 0.
  const k = w >= 0 ? (u + v) / (Math.sqrt(u + v + w * w) + w) : Math.sqrt(u + v + w * w) - w;
  const d = (k * rho) / (k + E2);
  const dz = Math.sqrt(d * d + z * z);
  // Half-angle form of atan(z / d): exact at the poles (d = 0).
  out[0] = 2 * Math.atan2(z, d + dz);
  out[2] = ((k + E2 - 1) / k) * dz;
  return out;
}

/** ECEF [m] to geodetic; see ecefToGeodeticInto for the method and accuracy. */
export function ecefToGeodetic(x: number, y: number, z: number): Geodetic {
  const o = ecefToGeodeticInto(x, y, z, new Float64Array(3));
  return { latRad: o[0]!, lonRad: o[1]!, heightM: o[2]! };
}

// ---------------------------------------------------------------------------
// Local East-North-Up frame

/**
 * A local East-North-Up frame tangent to the ellipsoid at an origin (the up
 * axis is the ellipsoid normal, so "up" is along geodetic, not geocentric,
 * vertical). The rotation and the origin's ECEF position are computed once;
 * build one per sensor and reuse it for every plot. The private scratch
 * array is only touched inside synchronous methods, so sharing a frame across
 * callers is safe.
 */
export class EnuFrame {
  readonly origin: Geodetic;
  // Origin in ECEF.
  private readonly x0: number;
  private readonly y0: number;
  private readonly z0: number;
  // Rotation rows: east, north, up unit vectors in ECEF.
  private readonly ex: number;
  private readonly ey: number;
  private readonly nx: number;
  private readonly ny: number;
  private readonly nz: number;
  private readonly ux: number;
  private readonly uy: number;
  private readonly uz: number;
  /** Radius of curvature factors at the origin, for the radar solver's first guess. */
  private readonly meridianRadiusM: number;
  private readonly primeVerticalRadiusM: number;
  private readonly scratch = new Float64Array(3);

  constructor(origin: Geodetic) {
    this.origin = { latRad: origin.latRad, lonRad: origin.lonRad, heightM: origin.heightM };
    const sinLat = Math.sin(origin.latRad);
    const cosLat = Math.cos(origin.latRad);
    const sinLon = Math.sin(origin.lonRad);
    const cosLon = Math.cos(origin.lonRad);
    this.ex = -sinLon;
    this.ey = cosLon;
    this.nx = -sinLat * cosLon;
    this.ny = -sinLat * sinLon;
    this.nz = cosLat;
    this.ux = cosLat * cosLon;
    this.uy = cosLat * sinLon;
    this.uz = sinLat;
    const o = geodeticToEcef(origin.latRad, origin.lonRad, origin.heightM, this.scratch);
    this.x0 = o[0]!;
    this.y0 = o[1]!;
    this.z0 = o[2]!;
    this.meridianRadiusM = meridianRadiusM(origin.latRad);
    this.primeVerticalRadiusM = primeVerticalRadiusM(origin.latRad);
  }

  /** The origin's ECEF position [x, y, z] in metres. */
  originEcef(out?: Float64Array): Float64Array {
    const o = out ?? new Float64Array(3);
    o[0] = this.x0;
    o[1] = this.y0;
    o[2] = this.z0;
    return o;
  }

  /** ECEF point [m] to [east, north, up] [m] in this frame. */
  ecefToEnu(x: number, y: number, z: number, out?: Float64Array): Float64Array {
    return this.vecEcefToEnu(x - this.x0, y - this.y0, z - this.z0, out);
  }

  /** [east, north, up] [m] in this frame to an ECEF point [m]. */
  enuToEcef(e: number, n: number, u: number, out?: Float64Array): Float64Array {
    const o = this.vecEnuToEcef(e, n, u, out);
    o[0] = o[0]! + this.x0;
    o[1] = o[1]! + this.y0;
    o[2] = o[2]! + this.z0;
    return o;
  }

  geodeticToEnu(latRad: number, lonRad: number, heightM: number, out?: Float64Array): Float64Array {
    const o = geodeticToEcef(latRad, lonRad, heightM, out ?? new Float64Array(3));
    return this.ecefToEnu(o[0]!, o[1]!, o[2]!, o);
  }

  /** [east, north, up] to geodetic, written into out = [latRad, lonRad, heightM]. */
  enuToGeodeticInto(e: number, n: number, u: number, out: Float64Array): Float64Array {
    const o = this.enuToEcef(e, n, u, out);
    return ecefToGeodeticInto(o[0]!, o[1]!, o[2]!, o);
  }

  enuToGeodetic(e: number, n: number, u: number): Geodetic {
    const o = this.enuToGeodeticInto(e, n, u, this.scratch);
    return { latRad: o[0]!, lonRad: o[1]!, heightM: o[2]! };
  }

  /** Rotate a vector (velocity, offset; not a point) from this frame's ENU to ECEF. */
  vecEnuToEcef(e: number, n: number, u: number, out?: Float64Array): Float64Array {
    const o = out ?? new Float64Array(3);
    // Transpose of the ECEF->ENU rotation; the east vector has no z part.
    o[0] = this.ex * e + this.nx * n + this.ux * u;
    o[1] = this.ey * e + this.ny * n + this.uy * u;
    o[2] = this.nz * n + this.uz * u;
    return o;
  }

  /** Rotate a vector (not a point) from ECEF to this frame's ENU. */
  vecEcefToEnu(dx: number, dy: number, dz: number, out?: Float64Array): Float64Array {
    const o = out ?? new Float64Array(3);
    o[0] = this.ex * dx + this.ey * dy;
    o[1] = this.nx * dx + this.ny * dy + this.nz * dz;
    o[2] = this.ux * dx + this.uy * dy + this.uz * dz;
    return o;
  }

  /**
   * What a radar at this frame's origin measures of a target:
   * out = [slantRangeM, azimuthRad (clockwise from north, [0, 2π)), elevationRad].
   * Azimuth and elevation are in the tangent plane at the antenna; no
   * refraction is modelled (the bending is the radar's own calibration).
   */
  radarMeasure(latRad: number, lonRad: number, heightM: number, out?: Float64Array): Float64Array {
    const o = this.geodeticToEnu(latRad, lonRad, heightM, out ?? new Float64Array(3));
    const e = o[0]!;
    const n = o[1]!;
    const u = o[2]!;
    const groundM = Math.sqrt(e * e + n * n);
    o[0] = Math.sqrt(groundM * groundM + u * u);
    o[1] = wrapTwoPi(Math.atan2(e, n));
    o[2] = Math.atan2(u, groundM);
    return o;
  }

  /**
   * Inverse of radarMeasure when the elevation is not measured: find the
   * point at slantRangeM along azimuthRad whose height above the ellipsoid is
   * targetHeightM, into out = [latRad, lonRad, heightM].
   *
   * The unknown elevation ε is solved on the full ellipsoid by Newton's method
   * (dh/dε = ellipsoid normal at the point · ∂P/∂ε, since the gradient of
   * geodetic height is the unit normal), safeguarded by bisection inside a
   * bracket, from a first guess on the osculating sphere in that azimuth.
   * Converges to |h - targetHeightM| < 1 µm in 2-3 iterations for
   * surveillance geometry. If the height is unreachable at that slant range
   * (|height difference| > range), returns the point straight up or down,
   * the closest one; never NaN for finite input.
   */
  radarToGeodetic(slantRangeM: number, azimuthRad: number, targetHeightM: number, out?: Float64Array): Float64Array {
    const o = out ?? new Float64Array(3);
    const rangeM = slantRangeM > 0 ? slantRangeM : 0;
    if (rangeM === 0) {
      o[0] = this.origin.latRad;
      o[1] = this.origin.lonRad;
      o[2] = this.origin.heightM;
      return o;
    }
    const sinAz = Math.sin(azimuthRad);
    const cosAz = Math.cos(azimuthRad);
    // Horizontal unit vector along the azimuth, in ECEF.
    const hx = sinAz * this.ex + cosAz * this.nx;
    const hy = sinAz * this.ey + cosAz * this.ny;
    const hz = cosAz * this.nz;

    // First guess on a sphere whose radius is the ellipsoid's normal-section
    // radius in this azimuth (Euler: 1/R = cos²α/M + sin²α/N), by the law of
    // cosines: (R+H)² = (R+hs)² + d² + 2(R+hs)d sinε.
    const rc = 1 / ((cosAz * cosAz) / this.meridianRadiusM + (sinAz * sinAz) / this.primeVerticalRadiusM);
    const r0 = rc + this.origin.heightM;
    const r1 = rc + targetHeightM;
    const sinGuess = (r1 * r1 - r0 * r0 - rangeM * rangeM) / (2 * r0 * rangeM);

    let lo = -HALF_PI;
    let hi = HALF_PI;
    // Near the ends the sphere cannot tell reachable from not; ask the ellipsoid.
    if (sinGuess > 0.999) {
      if (this.heightAt(rangeM, hx, hy, hz, HALF_PI, o) - targetHeightM <= 0) return o;
    } else if (sinGuess < -0.999) {
      if (this.heightAt(rangeM, hx, hy, hz, -HALF_PI, o) - targetHeightM >= 0) return o;
    }
    let el = Math.asin(Math.max(-0.999, Math.min(0.999, sinGuess)));
    for (let iter = 0; iter < 100; iter++) {
      const f = this.heightAt(rangeM, hx, hy, hz, el, o) - targetHeightM;
      if (Math.abs(f) < 1e-6 || (hi - lo) * rangeM < 1e-7) break;
      if (f > 0) hi = el;
      else lo = el;
      const sinEl = Math.sin(el);
      const cosEl = Math.cos(el);
      const lat = o[0]!;
      const lon = o[1]!;
      const cosLat = Math.cos(lat);
      // ∂P/∂ε = R(-sinε·h + cosε·u), dotted with the normal at P.
      const dPx = rangeM * (-sinEl * hx + cosEl * this.ux);
      const dPy = rangeM * (-sinEl * hy + cosEl * this.uy);
      const dPz = rangeM * (-sinEl * hz + cosEl * this.uz);
      const dhdEl = cosLat * Math.cos(lon) * dPx + cosLat * Math.sin(lon) * dPy + Math.sin(lat) * dPz;
      let next = el - f / dhdEl;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      el = next;
    }
    return o;
  }

  /** Geodetic position (into o) of the point at range R, horizontal direction h, elevation el; returns its height. */
  private heightAt(rangeM: number, hx: number, hy: number, hz: number, el: number, o: Float64Array): number {
    const c = rangeM * Math.cos(el);
    const s = rangeM * Math.sin(el);
    ecefToGeodeticInto(this.x0 + c * hx + s * this.ux, this.y0 + c * hy + s * this.uy, this.z0 + c * hz + s * this.uz, o);
    return o[2]!;
  }
}

// ---------------------------------------------------------------------------
// Radar polar <-> geodetic, one-off forms

export interface RadarMeasurement {
  readonly slantRangeM: number;
  readonly azimuthRad: number;
  readonly elevationRad: number;
}

/**
 * What a radar at `site` (antenna position) measures of a target: slant
 * range, azimuth clockwise from north in the radar's local tangent plane
 * ([0, 2π)), elevation above that plane. Builds a frame per call: for per-plot
 * work, keep an EnuFrame per sensor and call its radarMeasure.
 */
export function radarMeasure(site: Geodetic, target: Geodetic): RadarMeasurement {
  const o = new EnuFrame(site).radarMeasure(target.latRad, target.lonRad, target.heightM);
  return { slantRangeM: o[0]!, azimuthRad: o[1]!, elevationRad: o[2]! };
}

/**
 * Slant range + azimuth + target height above the ellipsoid (Mode C, or an
 * assumed height for a primary-only plot) to a WGS-84 position; see
 * EnuFrame.radarToGeodetic. Builds a frame per call: for per-plot work, keep
 * an EnuFrame per sensor.
 */
export function radarToGeodetic(site: Geodetic, slantRangeM: number, azimuthRad: number, targetHeightM: number): Geodetic {
  const o = new EnuFrame(site).radarToGeodetic(slantRangeM, azimuthRad, targetHeightM);
  return { latRad: o[0]!, lonRad: o[1]!, heightM: o[2]! };
}

// ---------------------------------------------------------------------------
// Radar horizon (4/3 earth)

/**
 * Greatest ground distance at which an antenna at siteHeightM sees a target
 * at targetHeightM over a smooth 4/3 earth: the sum of both tangent-point
 * distances, kR·(acos(kR/(kR+h1)) + acos(kR/(kR+h2))) ≈ sqrt(2kR·h1) + sqrt(2kR·h2).
 * Negative heights count as on the surface.
 */
export function radarHorizonRangeM(siteHeightM: number, targetHeightM: number): number {
  const kr = EFFECTIVE_EARTH_FACTOR * WGS84_MEAN_RADIUS_M;
  const h1 = siteHeightM > 0 ? siteHeightM : 0;
  const h2 = targetHeightM > 0 ? targetHeightM : 0;
  return kr * (Math.acos(kr / (kr + h1)) + Math.acos(kr / (kr + h2)));
}

/** 4/3-earth radar horizon: can an antenna at siteHeightM see a target at targetHeightM at this ground distance? */
export function radarHorizonVisible(siteHeightM: number, targetHeightM: number, groundRangeM: number): boolean {
  return groundRangeM <= radarHorizonRangeM(siteHeightM, targetHeightM);
}

// ---------------------------------------------------------------------------
// Ellipsoidal geodesics (Vincenty)

// Vincenty's series (T. Vincenty, "Direct and inverse solutions of geodesics
// on the ellipsoid with application of nested equations", Survey Review
// 23(176), 1975, eqs. 3-6, 10-11, 13-14): accurate to ~0.1 mm on WGS-84.
// The inverse does not converge for nearly antipodal points; it then throws
// SKY_GEODESIC_ANTIPODAL rather than return a wrong answer.

const VINCENTY_MAX_ITER = 200;

function vincentyA(u2: number): number {
  return 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
}

function vincentyB(u2: number): number {
  return (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
}

function vincentyDeltaSigma(b: number, sinSigma: number, cosSigma: number, cos2Sm: number): number {
  const c2 = cos2Sm * cos2Sm;
  return (
    b *
    sinSigma *
    (cos2Sm + (b / 4) * (cosSigma * (-1 + 2 * c2) - (b / 6) * cos2Sm * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * c2)))
  );
}

/**
 * Inverse geodesic problem: out = [distanceM, azimuth1Rad, azimuth2Rad], the
 * shortest distance on the ellipsoid and the forward azimuths (clockwise from
 * north, [0, 2π)) at point 1 and at point 2 (the reverse azimuth is azimuth2 + π).
 */
export function geodesicInverse(lat1Rad: number, lon1Rad: number, lat2Rad: number, lon2Rad: number, out?: Float64Array): Float64Array {
  const o = out ?? new Float64Array(3);
  const f = WGS84_F;
  const b = WGS84_B_M;
  const lonDiff = wrapPi(lon2Rad - lon1Rad);
  // Reduced latitudes via tan, written to stay finite at the poles.
  const tanU1 = (1 - f) * Math.tan(lat1Rad);
  const cosU1 = 1 / Math.sqrt(1 + tanU1 * tanU1);
  const sinU1 = tanU1 * cosU1;
  const tanU2 = (1 - f) * Math.tan(lat2Rad);
  const cosU2 = 1 / Math.sqrt(1 + tanU2 * tanU2);
  const sinU2 = tanU2 * cosU2;

  let lambda = lonDiff;
  let sinLambda = 0;
  let cosLambda = 1;
  let sinSigma = 0;
  let cosSigma = 1;
  let sigma = 0;
  let cos2Alpha = 1;
  let cos2Sm = 0;
  let converged = false;
  for (let iter = 0; iter < VINCENTY_MAX_ITER; iter++) {
    sinLambda = Math.sin(lambda);
    cosLambda = Math.cos(lambda);
    const t1 = cosU2 * sinLambda;
    const t2 = cosU1 * sinU2 - sinU1 * cosU2 * cosLambda;
    sinSigma = Math.sqrt(t1 * t1 + t2 * t2);
    if (sinSigma === 0) {
      // Coincident points.
      o[0] = 0;
      o[1] = 0;
      o[2] = 0;
      return o;
    }
    cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
    sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinLambda) / sinSigma;
    cos2Alpha = 1 - sinAlpha * sinAlpha;
    // On the equator cos²α = 0 and the term is defined as 0 (Vincenty's note).
    cos2Sm = cos2Alpha !== 0 ? cosSigma - (2 * sinU1 * sinU2) / cos2Alpha : 0;
    const c = (f / 16) * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha));
    const prev = lambda;
    lambda =
      lonDiff + (1 - c) * f * sinAlpha * (sigma + c * sinSigma * (cos2Sm + c * cosSigma * (-1 + 2 * cos2Sm * cos2Sm)));
    if (Math.abs(lambda - prev) < 1e-13) {
      converged = true;
      break;
    }
  }
  if (!converged) {
    throw new SkyError(
      'SKY_GEODESIC_ANTIPODAL',
      'geodesic between nearly antipodal points did not converge (Vincenty); split the path or use a Karney solver',
    );
  }
  sinLambda = Math.sin(lambda);
  cosLambda = Math.cos(lambda);
  const u2 = (cos2Alpha * (WGS84_A_M * WGS84_A_M - b * b)) / (b * b);
  const bigA = vincentyA(u2);
  const bigB = vincentyB(u2);
  o[0] = b * bigA * (sigma - vincentyDeltaSigma(bigB, sinSigma, cosSigma, cos2Sm));
  o[1] = wrapTwoPi(Math.atan2(cosU2 * sinLambda, cosU1 * sinU2 - sinU1 * cosU2 * cosLambda));
  o[2] = wrapTwoPi(Math.atan2(cosU1 * sinLambda, -sinU1 * cosU2 + cosU1 * sinU2 * cosLambda));
  return o;
}

/**
 * Direct geodesic problem: from a point, an azimuth (clockwise from north)
 * and a distance, out = [lat2Rad, lon2Rad ([-π, π)), azimuth2Rad (forward, [0, 2π))].
 */
export function geodesicDirect(lat1Rad: number, lon1Rad: number, azimuth1Rad: number, distanceM: number, out?: Float64Array): Float64Array {
  const o = out ?? new Float64Array(3);
  const f = WGS84_F;
  const b = WGS84_B_M;
  const sinAlpha1 = Math.sin(azimuth1Rad);
  const cosAlpha1 = Math.cos(azimuth1Rad);
  const tanU1 = (1 - f) * Math.tan(lat1Rad);
  const cosU1 = 1 / Math.sqrt(1 + tanU1 * tanU1);
  const sinU1 = tanU1 * cosU1;
  const sigma1 = Math.atan2(tanU1, cosAlpha1);
  const sinAlpha = cosU1 * sinAlpha1;
  const cos2Alpha = 1 - sinAlpha * sinAlpha;
  const u2 = (cos2Alpha * (WGS84_A_M * WGS84_A_M - b * b)) / (b * b);
  const bigA = vincentyA(u2);
  const bigB = vincentyB(u2);
  const sigma0 = distanceM / (b * bigA);
  let sigma = sigma0;
  let sinSigma = 0;
  let cosSigma = 1;
  let cos2Sm = 0;
  for (let iter = 0; iter < VINCENTY_MAX_ITER; iter++) {
    cos2Sm = Math.cos(2 * sigma1 + sigma);
    sinSigma = Math.sin(sigma);
    cosSigma = Math.cos(sigma);
    const prev = sigma;
    sigma = sigma0 + vincentyDeltaSigma(bigB, sinSigma, cosSigma, cos2Sm);
    if (Math.abs(sigma - prev) < 1e-14) break;
  }
  cos2Sm = Math.cos(2 * sigma1 + sigma);
  sinSigma = Math.sin(sigma);
  cosSigma = Math.cos(sigma);
  const tmp = sinU1 * sinSigma - cosU1 * cosSigma * cosAlpha1;
  o[0] = Math.atan2(sinU1 * cosSigma + cosU1 * sinSigma * cosAlpha1, (1 - f) * Math.sqrt(sinAlpha * sinAlpha + tmp * tmp));
  const lambda = Math.atan2(sinSigma * sinAlpha1, cosU1 * cosSigma - sinU1 * sinSigma * cosAlpha1);
  const c = (f / 16) * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha));
  const lonDiff =
    lambda - (1 - c) * f * sinAlpha * (sigma + c * sinSigma * (cos2Sm + c * cosSigma * (-1 + 2 * cos2Sm * cos2Sm)));
  o[1] = wrapPi(lon1Rad + lonDiff);
  o[2] = wrapTwoPi(Math.atan2(sinAlpha, -tmp));
  return o;
}
