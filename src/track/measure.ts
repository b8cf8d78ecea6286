// Turns a plot into a horizontal position measurement in the tracker's plane
// with its covariance. A radar measures slant range and azimuth; with the
// aircraft's height (Mode C, else an assumed height) the full-ellipsoid
// projection gives its WGS-84 position, which is then expressed in the
// tracker's east-north plane. The radar's range and azimuth noise become an
// ellipse along and across the line of sight.

import { EnuFrame, flightLevelToM, type Geodetic } from '../core/geodesy.ts';
import type { Plot, Sensor } from '../core/types.ts';

/** Height assumed for a primary-only plot of an aircraft of unknown height. */
export const ASSUMED_HEIGHT_M = 6000;
/** 1-sigma of that assumption; it widens the measurement along the line of sight. */
export const ASSUMED_HEIGHT_SIGMA_M = 4000;

/** sin(10 degrees): the steepest elevation an unknown-height plot is placed at. */
const SIN_MAX_ASSUMED_ELEVATION = Math.sin((10 * Math.PI) / 180);

/** Caps on a plot's residual bias (1 sigma) counted as measurement error. */
const MAX_RESIDUAL_RANGE_M = 200;
const MAX_RESIDUAL_AZIMUTH_RAD = (0.2 * Math.PI) / 180;

export interface PositionMeasurement {
  e: number;
  n: number;
  rEE: number;
  rEN: number;
  rNN: number;
  /** Height above the ellipsoid the plot states (Mode C or ADS-B), or null. */
  heightM: number | null;
  /** Unit line of sight (radar to plot) in the plane; 0 for ADS-B. */
  losE?: number;
  losN?: number;
  /** How far the plot moves toward the radar per metre of height it is placed higher, m/m (radar plots). */
  heightSlope?: number;
  /**
   * Height of the point (e, n) stands for: stated, hinted or assumed. The
   * plane is a projection, so far from its origin the same (e, n) at another
   * height is another place (7 degrees of arc out, 6 km of height is 750 m):
   * a position goes back to latitude and longitude at this height.
   */
  placedAtM: number;
}

/** The tracker's horizontal plane: the tangent plane at the coalition's centre. */
export class TrackPlane {
  readonly frame: EnuFrame;
  private readonly siteFrames = new Map<string, EnuFrame>();
  private readonly out = new Float64Array(3);
  private readonly vec = new Float64Array(3);
  private readonly geo = new Float64Array(3);
  private readonly geoOut = new Float64Array(3);

  constructor(origin: Geodetic) {
    this.frame = new EnuFrame(origin);
  }

  private siteFrame(s: Sensor): EnuFrame {
    let f = this.siteFrames.get(s.id);
    if (!f) {
      f = new EnuFrame({ latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM });
      this.siteFrames.set(s.id, f);
    }
    return f;
  }

  /** Position (e, n) in the plane of a WGS-84 point. */
  toPlane(latRad: number, lonRad: number, heightM: number): Float64Array {
    return this.frame.geodeticToEnu(latRad, lonRad, heightM, this.out);
  }

  /**
   * The WGS-84 point at plane position (e, n) and height h above the
   * ellipsoid: the plane's up coordinate is found so the height comes out
   * right (three steps converge below a millimetre inside 1,000 km).
   */
  fromPlane(e: number, n: number, heightM: number): Geodetic {
    const g = this.fromPlaneInto(e, n, heightM, this.geoOut);
    return { latRad: g[0]!, lonRad: g[1]!, heightM: g[2]! };
  }

  /** fromPlane into out = [lat, lon, height], allocating nothing. */
  fromPlaneInto(e: number, n: number, heightM: number, out: Float64Array): Float64Array {
    let u = heightM - (e * e + n * n) / (2 * 6371000);
    this.frame.enuToGeodeticInto(e, n, u, out);
    // Each step shrinks the height error ~100-fold 1,000 km out: stop at a millimetre.
    for (let k = 0; k < 6 && Math.abs(heightM - out[2]!) > 1e-3; k++) {
      u += heightM - out[2]!;
      this.frame.enuToGeodeticInto(e, n, u, out);
    }
    return out;
  }

  /**
   * A plot as a plane measurement. `heightHintM` is the height to use for a
   * plot without one (the candidate track's), else ASSUMED_HEIGHT_M.
   */
  measure(plot: Plot, sensor: Sensor, heightHintM: number | null, out: PositionMeasurement, hintSigmaM: number = ASSUMED_HEIGHT_SIGMA_M / 4): PositionMeasurement {
    if (plot.kind === 'adsb') {
      const h = plot.heightM ?? (plot.flightLevel !== null ? flightLevelToM(plot.flightLevel) : heightHintM ?? ASSUMED_HEIGHT_M);
      const p = this.toPlane(plot.latRad, plot.lonRad, h);
      const v = sensor.sigmaRangeM * sensor.sigmaRangeM;
      out.e = p[0]!;
      out.n = p[1]!;
      out.rEE = v;
      out.rEN = 0;
      out.rNN = v;
      out.heightM = plot.heightM ?? (plot.flightLevel !== null ? h : null);
      out.placedAtM = h;
      // No line of sight: clear what a radar plot left in a reused object.
      out.losE = 0;
      out.losN = 0;
      out.heightSlope = 0;
      return out;
    }
    const stated = plot.flightLevel !== null ? flightLevelToM(plot.flightLevel) : null;
    // Without a height, assume a typical one, but never a steeper elevation
    // than surveillance radars look at: close to the antenna an unknown
    // target is low (an aircraft near the airport), not straight overhead.
    const h = stated ?? heightHintM ?? Math.min(ASSUMED_HEIGHT_M, sensor.altM + plot.rangeM * SIN_MAX_ASSUMED_ELEVATION);
    const sf = this.siteFrame(sensor);
    const g = sf.radarToGeodetic(plot.rangeM, plot.azimuthRad, h, this.geo);
    const p = this.toPlane(g[0]!, g[1]!, g[2]!);
    out.e = p[0]!;
    out.n = p[1]!;
    out.heightM = stated;
    out.placedAtM = h;

    // Line-of-sight direction in the plane: the radar's local (sin az, cos az)
    // rotated through ECEF into the plane (meridians converge between sites).
    const ecef = sf.vecEnuToEcef(Math.sin(plot.azimuthRad), Math.cos(plot.azimuthRad), 0, this.vec);
    const d = this.frame.vecEcefToEnu(ecef[0]!, ecef[1]!, ecef[2]!, this.out);
    const len = Math.hypot(d[0]!, d[1]!) || 1;
    const uE = d[0]! / len;
    const uN = d[1]! / len;
    const dh = h - sensor.altM;
    const groundM = Math.sqrt(Math.max(1, plot.rangeM * plot.rangeM - dh * dh));
    out.losE = uE;
    out.losN = uN;
    // Ground range falls as the assumed height rises: (dh + ground^2 / 2R) / ground per metre.
    out.heightSlope = (dh + (groundM * groundM) / (2 * 6371000)) / groundM;
    const sr = sensor.sigmaRangeM;
    // Ground range = sqrt(rho^2 - dh^2): d(ground)/d(rho) = rho/ground, d(ground)/d(h) = -dh/ground.
    let varAlong = (sr * plot.rangeM / groundM) ** 2;
    if (stated === null) {
      const sh = heightHintM === null ? ASSUMED_HEIGHT_SIGMA_M : hintSigmaM;
      varAlong += ((dh / groundM) * sh) ** 2;
    }
    let varAcross = (groundM * (sensor.sigmaAzimuthRad ?? 0.002)) ** 2;
    // A bias registration has not (yet) removed is an error of this plot as
    // far as the tracker can tell: it widens the gate (so a plot of a badly
    // aligned radar joins the aircraft's track instead of starting a second
    // one) and weighs the plot down against better-known sensors. Capped at
    // what a radar in service plausibly keeps after alignment
    // (MAX_RESIDUAL_*), so the wide prior of a radar never registered does
    // not swamp its plots.
    const rb = plot.residualBias;
    if (rb !== undefined) {
      const sRange = Math.min(MAX_RESIDUAL_RANGE_M, Math.hypot(rb.rangeSigmaM, rb.rangeGainSigma * plot.rangeM));
      const sAz = Math.min(MAX_RESIDUAL_AZIMUTH_RAD, rb.azimuthSigmaRad);
      varAlong += (sRange * plot.rangeM / groundM) ** 2;
      varAcross += (groundM * sAz) ** 2;
    }
    out.rEE = varAlong * uE * uE + varAcross * uN * uN;
    out.rNN = varAlong * uN * uN + varAcross * uE * uE;
    out.rEN = (varAlong - varAcross) * uE * uN;
    return out;
  }
}
