// Online registration: estimates each radar's systematic errors — range
// offset, range gain, azimuth (north alignment) offset and time-stamp
// offset — from the data alone, and removes them from every plot before
// tracking. The reference is ADS-B: an aircraft's own GNSS position, reported
// about once a second. For each radar plot of an aircraft whose address an
// ADS-B station also hears, the ADS-B track interpolated to the plot's time
// says what the radar should have measured; the difference is linear in the
// four biases:
//
//   range residual    dRho   = b + g * rho - rhoDot * tau
//   azimuth residual  dTheta = a - thetaDot * tau
//
// (rho, theta: expected range and azimuth; rhoDot, thetaDot: their rates; a
// plot stamped tau late shows where the aircraft was tau earlier). A Kalman
// filter per radar on x = [b, g, a, tau] with a small random walk follows slow
// drift. Guard rails: a component is applied only once it is significant
// (|estimate| > 3 sigma) and its sigma is small; a jump (realigned antenna)
// is detected by a run of large normalised residuals and restarts the
// filter; a radar without reference data stays "unregistered" and its plots
// pass uncorrected, flagged.

import { EnuFrame, flightLevelToM } from '../core/geodesy.ts';
import type { AdsbPlot, Coalition, Plot, RadarPlot, Sensor } from '../core/types.ts';

export interface BiasEstimate {
  readonly rangeOffsetM: number;
  readonly rangeGain: number;
  readonly azimuthOffsetRad: number;
  readonly timeOffsetS: number;
}

export type RegistrationState = 'unregistered' | 'converging' | 'registered';

export interface SensorRegistration {
  readonly sensorId: string;
  readonly state: RegistrationState;
  /** Current estimate (all four components). */
  readonly estimate: BiasEstimate;
  /** 1-sigma of each component. */
  readonly sigma: BiasEstimate;
  /** What is applied to plots now: components not yet significant are 0. */
  readonly applied: BiasEstimate;
  /** Reference pairs used so far. */
  readonly observations: number;
  readonly jumps: number;
  /**
   * For a radar the coalition file declares a registration anchor (surveyed
   * alignment): "trusted" while it is a reference for the others, "disputed"
   * once its own comparison with ADS-B says its biases are not zero (it is
   * then registered like any other radar). Absent for the others.
   */
  readonly anchor?: 'trusted' | 'disputed';
}

export interface RegistrationEvent {
  /** A jump (realigned antenna, reset clock): the estimate restarts; or a declared anchor that ADS-B contradicts. */
  readonly kind: 'registration-jump' | 'registration-anchor-disputed';
  readonly sensorId: string;
  readonly timeS: number;
}

/** Prior 1-sigma of each bias: generous bounds of what real radars show. */
const PRIOR_SIGMA = [1000, 2e-3, 1 * (Math.PI / 180), 3];
/** Random-walk variance per second (slow drift): (0.1 m)^2, (1e-7)^2, (2e-6 rad)^2, (1 ms)^2. */
const DRIFT_VAR_PER_S = [0.01, 1e-14, 4e-12, 1e-6];
/** Applied once sigma is below these (and the estimate is significant). */
const APPLY_SIGMA = [25, 1e-4, 0.02 * (Math.PI / 180), 0.05];
/** ADS-B position noise (1 sigma, metres) assumed when the station does not say. */
const DEFAULT_ADSB_SIGMA_M = 30;
/** How far apart in time two ADS-B reports may be to interpolate between them. */
const MAX_ADSB_GAP_S = 4;
/** Grid of ADS-B aircraft for position matching: 0.1 degree cells (11 km north-south). */
const CELL_RAD = (0.1 * Math.PI) / 180;
const CELL_KEY = 8192;
function cellOf(latRad: number, lonRad: number): number {
  return Math.floor(latRad / CELL_RAD) * CELL_KEY + Math.floor(lonRad / CELL_RAD);
}

/** Marks a Mode 3/A code heard from more than one ADS-B aircraft. */
const AMBIGUOUS = '';
/** A radar plot is learnt from once ADS-B data reaches this far past its time (reports after it steady the rates). */
const LEARN_DELAY_S = 3;
/** Reports within this of a plot's time give the reference's velocity: ADS-B (about 1 Hz), radar references (a scan each). */
const ADSB_RATE_WINDOW_S = 4;
const RADAR_RATE_WINDOW_S = 10;
/** ...and is dropped from the queue if ADS-B has not got there within this. */
const WAIT_LIMIT_S = 10;
/**
 * Relative registration. A radar that ADS-B has registered (ANCHOR_OBSERVATIONS
 * comparisons, every component's sigma small) becomes a reference in turn:
 * its corrected Mode S plots (address and code together, so the identity is
 * certain) are kept like ADS-B reports, and a radar with no ADS-B reference
 * for an aircraft (a Mode A/C radar when ADS-B carries no Mode 3/A, or no
 * ADS-B at all there) learns from them. Only anchored radars are
 * references and an anchored radar never learns from them, so no estimate
 * feeds on itself.
 */
const ANCHOR_OBSERVATIONS = 200;
/** Radar references come once per antenna turn: interpolate across up to this gap. */
const MAX_RADAR_REF_GAP_S = 13;
/** A plot referenced by radar plots waits this long for the references after it. */
const RADAR_REF_DELAY_S = 7;
/** Radar reference histories kept, s. */
const RADAR_REF_KEEP_S = 30;

/**
 * A declared registration anchor (coalition file "registrationAnchor"):
 * 1-sigma left in its plots after its survey, range / gain / azimuth / time.
 * It is a reference from its first plot, its plots pass uncorrected.
 */
const ANCHOR_SIGMA = [10, 2e-5, 0.005 * (Math.PI / 180), 0.02];
/**
 * ...unless ADS-B says otherwise: once a component is known to APPLY_SIGMA
 * and differs from 0 by more than 4 sigma plus this, the anchor is disputed,
 * reported, and registered like any other radar from then on.
 */
const ANCHOR_TOLERANCE = [20, 1, 0.02 * (Math.PI / 180), 0.05];
/** ADS-B comparisons before a declared anchor can be disputed. */
const ANCHOR_CHECK_OBSERVATIONS = 100;

/**
 * Position pairing between radars (plots with no usable identity: primary,
 * or a Mode A/C code no reference names). Reference radars' plots are chained
 * scan to scan into short plot-tracks; a chain is extended only when exactly
 * one plot is near its prediction (and none near it in the same scan), else
 * it ends. A plot of another radar is paired with a chain only when exactly
 * one established chain (REF_TRACK_MIN_POINTS) is within the pairing gate at
 * the plot's time and no other within PAIR_ISOLATION times the gate.
 */
const REF_TRACK_MIN_POINTS = 3;
/** Chain gate around the constant-velocity prediction, m (plus a growth per second of gap). */
const CHAIN_GATE_M = 700;
const CHAIN_GATE_PER_S = 60;
/** A chain with one point: the farthest an aircraft goes in a scan (350 m/s) plus noise. */
const CHAIN_SPEED_MS = 350;
/** Pairing gate while the radar's biases are unknown (largest expected biases: 1.3 km), and its isolation factor. */
const PAIR_GATE_M = 3000;
const PAIR_ISOLATION = 2.5;
/** Height assumed for a plot without Mode C, and its 1-sigma. */
const DEFAULT_HEIGHT_M = 8000;
const HEIGHT_SIGMA_M = 3000;

/** Jump detection: this many consecutive residuals beyond 4 sigma restart the filter. */
const JUMP_RUN = 12;

interface AdsbHistory {
  /** The last reports: time, latitude, longitude (rad), height (m); and the station sigma. */
  readonly t: number[];
  readonly x: number[];
  readonly y: number[];
  readonly z: number[];
  sigmaM: number;
  /** Widest gap between two reports interpolated across, s. */
  readonly maxGapS: number;
  /** For a history of registered radars' plots (relative registration): the radars it holds. */
  readonly radars?: Set<string>;
  /** Grid cell of the latest report (see Registration.cells). */
  cell: number;
}

/** A chain of one reference radar's corrected plots (position pairing). */
interface RefTrack extends AdsbHistory {
  readonly sensorId: string;
  /** Last Mode S address / Mode 3/A code seen: a plot saying otherwise is another aircraft. */
  icao24: string | null;
  mode3a: string | null;
  /** Some point had a Mode C level (else heights are DEFAULT_HEIGHT_M). */
  hasHeight: boolean;
  /** Ended: an ambiguous plot came near it; still a reference for the times it covers. */
  closed: boolean;
}

export interface RegistrationOptions {
  /**
   * Called for every pairing by position with a reference radar's plot-track,
   * with where that reference says the aircraft was at the plot's time (for
   * measuring mis-pairings).
   */
  readonly onPositionPair?: (plot: RadarPlot, ref: { readonly sensorId: string; readonly latRad: number; readonly lonRad: number; readonly heightM: number }) => void;
}

class RadarFilter {
  readonly x = new Float64Array(4);
  readonly P = new Float64Array(16);
  observations = 0;
  /** Comparisons made against ADS-B (the rest against registered radars). */
  adsbObservations = 0;
  jumps = 0;
  lastS = -Infinity;
  /** Declared a registration anchor by the coalition file; disputed once ADS-B contradicts it. */
  declared = false;
  disputed = false;
  outlierRun = 0;
  private appliedCache: BiasEstimate | null = null;
  private residualCache: RadarPlot['residualBias'] | null = null;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.appliedCache = null;
    this.residualCache = null;
    this.x.fill(0);
    this.P.fill(0);
    for (let i = 0; i < 4; i++) this.P[i * 5] = PRIOR_SIGMA[i]! ** 2;
    this.outlierRun = 0;
  }

  drift(toS: number): void {
    this.appliedCache = null;
    this.residualCache = null;
    if (Number.isFinite(this.lastS) && toS > this.lastS) {
      const dt = toS - this.lastS;
      for (let i = 0; i < 4; i++) this.P[i * 5]! += DRIFT_VAR_PER_S[i]! * dt;
    }
    this.lastS = Math.max(this.lastS, toS);
  }

  /** The normalised residual a scalar update would see, without updating. */
  residual(h: readonly number[], z: number, r: number): number {
    let s = r, pred = 0;
    for (let i = 0; i < 4; i++) {
      let ph = 0;
      for (let j = 0; j < 4; j++) ph += this.P[i * 4 + j]! * h[j]!;
      s += h[i]! * ph;
      pred += h[i]! * this.x[i]!;
    }
    return (z - pred) / Math.sqrt(s);
  }

  /** Scalar update z = h.x + noise(r); returns the normalised residual. */
  update(h: readonly number[], z: number, r: number): number {
    this.appliedCache = null;
    this.residualCache = null;
    const P = this.P;
    const Ph = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) Ph[i]! += P[i * 4 + j]! * h[j]!;
    let s = r;
    for (let i = 0; i < 4; i++) s += h[i]! * Ph[i]!;
    let pred = 0;
    for (let i = 0; i < 4; i++) pred += h[i]! * this.x[i]!;
    const nu = z - pred;
    for (let i = 0; i < 4; i++) this.x[i]! += (Ph[i]! / s) * nu;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) P[i * 4 + j]! -= (Ph[i]! * Ph[j]!) / s;
    return nu / Math.sqrt(s);
  }

  sigma(i: number): number {
    return Math.sqrt(Math.max(0, this.P[i * 5]!));
  }

  /**
   * What is applied to plots: each component once its sigma is small and
   * the estimate significant (> 3 sigma), else 0. Cached between updates, as
   * every plot of the radar asks for it.
   */
  applied(): BiasEstimate {
    if (this.appliedCache === null && this.trustedAnchor()) this.appliedCache = { rangeOffsetM: 0, rangeGain: 0, azimuthOffsetRad: 0, timeOffsetS: 0 };
    if (this.appliedCache === null) {
      const use = (i: number) => this.sigma(i) < APPLY_SIGMA[i]! && Math.abs(this.x[i]!) > 3 * this.sigma(i);
      this.appliedCache = {
        rangeOffsetM: use(0) ? this.x[0]! : 0,
        rangeGain: use(1) ? this.x[1]! : 0,
        azimuthOffsetRad: use(2) ? this.x[2]! : 0,
        timeOffsetS: use(3) ? this.x[3]! : 0,
      };
    }
    return this.appliedCache;
  }

  /**
   * The bias left in a corrected plot, 1 sigma per component: a component
   * applied leaves its uncertainty; one not applied leaves all of it, the
   * estimate and its uncertainty together. Cached like applied().
   */
  leftover(): NonNullable<RadarPlot['residualBias']> {
    if (this.residualCache == null && this.trustedAnchor()) {
      this.residualCache = { rangeSigmaM: ANCHOR_SIGMA[0]!, rangeGainSigma: ANCHOR_SIGMA[1]!, azimuthSigmaRad: ANCHOR_SIGMA[2]! };
    }
    if (this.residualCache == null) {
      const a = this.applied();
      const left = (i: number, used: number) => (used !== 0 ? this.sigma(i) : Math.hypot(this.x[i]!, this.sigma(i)));
      this.residualCache = {
        rangeSigmaM: left(0, a.rangeOffsetM),
        rangeGainSigma: left(1, a.rangeGain),
        azimuthSigmaRad: left(2, a.azimuthOffsetRad),
      };
    }
    return this.residualCache;
  }

  /** A declared anchor not contradicted by ADS-B: a reference, its plots uncorrected. */
  trustedAnchor(): boolean {
    return this.declared && !this.disputed;
  }

  /** 1-sigma of what is left of bias component i in a plot corrected with applied(). */
  referenceSigma(i: number): number {
    return this.trustedAnchor() ? ANCHOR_SIGMA[i]! : this.sigma(i);
  }
}

export class Registration {
  private readonly sensors = new Map<string, Sensor>();
  private readonly frames = new Map<string, EnuFrame>();
  private readonly filters = new Map<string, RadarFilter>();
  private readonly adsb = new Map<string, AdsbHistory>();
  private readonly pos = new Float64Array(3);
  private readonly meas = new Float64Array(3);
  readonly events: RegistrationEvent[] = [];
  /**
   * Plots waiting for their reference to report past their time, per radar
   * (a radar's plots come in time order, so each queue is served from its
   * head, and a radar whose clock runs ahead holds up only its own): [0]
   * waits for ADS-B, [1] for reference radars' plots.
   */
  private readonly waiting = new Map<string, [PlotQueue, PlotQueue]>();
  /** ADS-B aircraft by grid cell of their latest report, for position matching. */
  private readonly cells = new Map<number, Set<AdsbHistory>>();
  /** Mode 3/A code -> the address of the one ADS-B aircraft squawking it (or AMBIGUOUS). */
  private readonly squawks = new Map<string, string>();
  private adsbNowS = -Infinity;
  /** Registered radars' Mode S plots by address, and Mode 3/A code -> address (or AMBIGUOUS). */
  private readonly radarRefs = new Map<string, AdsbHistory>();
  private readonly radarSquawks = new Map<string, string>();
  private radarRefNowS = -Infinity;
  private anchorCheckS = -Infinity;
  private someUnanchored = true;
  /** Reference radars' plot-tracks by grid cell of their latest point. */
  private readonly refCells = new Map<number, Set<RefTrack>>();
  private refTracks = 0;
  private refSweepS = -Infinity;
  /** Extra 1-sigma (m) of the reference found by learn()'s position pairing (unknown heights). */
  private pairExtraSigmaM = 0;
  private readonly pairPos = new Float64Array(3);
  private readonly vel = new Float64Array(3);

  constructor(coalition: Coalition, private readonly options: RegistrationOptions = {}) {
    for (const s of coalition.sensors) {
      this.sensors.set(s.id, s);
      if (s.kind !== 'adsb') {
        this.frames.set(s.id, new EnuFrame({ latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM }));
        const f = new RadarFilter();
        f.declared = s.registrationAnchor === true;
        this.filters.set(s.id, f);
      }
    }
  }

  /**
   * Learn from a batch, then return it corrected with the estimates in force
   * (each corrected radar plot records what was applied).
   */
  process(batch: readonly Plot[]): Plot[] {
    for (const p of batch) {
      if (p.kind === 'adsb') {
        this.rememberAdsb(p);
        if (p.timeS > this.adsbNowS) this.adsbNowS = p.timeS;
      } else if (this.referenceFor(p) !== undefined || (unidentified(p) && this.adsb.size > 0)) {
        this.queuesOf(p.sensorId)[0].push(p);
      } else if (this.radarReferenceFor(p) !== undefined || (this.refTracks > 0 && !this.anchored(p.sensorId))) {
        this.queuesOf(p.sensorId)[1].push(p);
      }
    }
    // A radar plot is compared once its reference has reported past its time
    // (the reference is interpolated between the reports around it); plots
    // that wait longer than WAIT_LIMIT_S for that are let go, and so are
    // those the radar's own plots have left a minute behind (a reference
    // that went silent).
    for (const [sensorId, [qa, qr]] of this.waiting) {
      const newest = Math.max(qa.newestS, qr.newestS);
      for (let p = qa.peek(); p !== undefined; p = qa.peek()) {
        if (p.timeS + LEARN_DELAY_S <= this.adsbNowS) {
          qa.pop();
          // No ADS-B reference after all (out of its coverage): try the reference radars' plots.
          if (!this.learn(p) && this.refTracks > 0 && !this.anchored(sensorId)) qr.push(p);
        } else if (p.timeS < this.adsbNowS - WAIT_LIMIT_S - LEARN_DELAY_S || p.timeS < newest - 60) qa.pop();
        else break;
      }
      for (let p = qr.peek(); p !== undefined; p = qr.peek()) {
        if (p.timeS + RADAR_REF_DELAY_S <= this.radarRefNowS) {
          qr.pop();
          this.learn(p);
        } else if (p.timeS < this.radarRefNowS - WAIT_LIMIT_S - RADAR_REF_DELAY_S || p.timeS < newest - 60) qr.pop();
        else break;
      }
    }
    const out = batch.map((p) => (p.kind === 'radar' ? this.correct(p) : p));
    for (const p of out) if (p.kind === 'radar') this.rememberRadarReference(p);
    return out;
  }

  private queuesOf(sensorId: string): [PlotQueue, PlotQueue] {
    let q = this.waiting.get(sensorId);
    if (!q) this.waiting.set(sensorId, (q = [new PlotQueue(), new PlotQueue()]));
    return q;
  }

  /** The registration of every radar, for the sensor panel and the API. */
  status(): SensorRegistration[] {
    const out: SensorRegistration[] = [];
    for (const [id, f] of this.filters) out.push(this.statusOf(id, f));
    return out;
  }

  private statusOf(sensorId: string, f: RadarFilter): SensorRegistration {
    const est = { rangeOffsetM: f.x[0]!, rangeGain: f.x[1]!, azimuthOffsetRad: f.x[2]!, timeOffsetS: f.x[3]! };
    const sig = { rangeOffsetM: f.sigma(0), rangeGain: f.sigma(1), azimuthOffsetRad: f.sigma(2), timeOffsetS: f.sigma(3) };
    const ok = (i: number) => f.sigma(i) < APPLY_SIGMA[i]!;
    if (f.trustedAnchor()) {
      // Surveyed: registered by declaration; estimate and sigma are its own check against ADS-B (if any).
      return { sensorId, state: 'registered', estimate: est, sigma: sig, applied: f.applied(), observations: f.observations, jumps: f.jumps, anchor: 'trusted' };
    }
    const state: RegistrationState = f.observations === 0 ? 'unregistered' : [0, 2, 3].every(ok) ? 'registered' : 'converging';
    return { sensorId, state, estimate: est, sigma: sig, applied: f.applied(), observations: f.observations, jumps: f.jumps, ...(f.declared ? { anchor: 'disputed' as const } : {}) };
  }

  private correct(p: RadarPlot): RadarPlot {
    const f = this.filters.get(p.sensorId);
    if (!f) return p;
    // Until compared with references a radar's bias is as uncertain as the
    // prior says; the tracker caps what it counts of that (src/track/measure.ts).
    const residualBias = f.leftover();
    const a = f.applied();
    if (a.rangeOffsetM === 0 && a.rangeGain === 0 && a.azimuthOffsetRad === 0 && a.timeOffsetS === 0) return { ...p, residualBias };
    const two = 2 * Math.PI;
    return {
      ...p,
      residualBias,
      rangeM: (p.rangeM - a.rangeOffsetM) / (1 + a.rangeGain),
      azimuthRad: (((p.azimuthRad - a.azimuthOffsetRad) % two) + two) % two,
      timeS: p.timeS - a.timeOffsetS,
      registration: a,
    };
  }

  private rememberAdsb(p: AdsbPlot): void {
    if (p.icao24 === null) return;
    if (p.mode3a !== null) {
      const prev = this.squawks.get(p.mode3a);
      if (prev === undefined) this.squawks.set(p.mode3a, p.icao24);
      else if (prev !== p.icao24) this.squawks.set(p.mode3a, AMBIGUOUS);
    }
    const h = p.heightM ?? (p.flightLevel !== null ? flightLevelToM(p.flightLevel) : null);
    if (h === null) return;
    let hist = this.adsb.get(p.icao24);
    if (!hist) this.adsb.set(p.icao24, (hist = { t: [], x: [], y: [], z: [], sigmaM: DEFAULT_ADSB_SIGMA_M, cell: NaN, maxGapS: MAX_ADSB_GAP_S }));
    const cell = cellOf(p.latRad, p.lonRad);
    if (cell !== hist.cell) {
      this.cells.get(hist.cell)?.delete(hist);
      let set = this.cells.get(cell);
      if (!set) this.cells.set(cell, (set = new Set()));
      set.add(hist);
      hist.cell = cell;
    }
    hist.sigmaM = this.sensors.get(p.sensorId)?.sigmaRangeM ?? DEFAULT_ADSB_SIGMA_M;
    // Keep reports in time order (stations' data may interleave) and ~20 s of history.
    insertSorted(hist, p.timeS, p.latRad, p.lonRad, h, 20);
  }

  /**
   * ADS-B position [lat, lon, h] at time t, linear between the reports that
   * bracket it (a few seconds apart, so the chord error is centimetres);
   * false when none bracket it closely.
   */
  private adsbAt(hist: AdsbHistory, t: number, out: Float64Array): boolean {
    const ts = hist.t;
    let k = ts.length - 1;
    while (k > 0 && ts[k - 1]! > t) k--;
    if (k < 1 || ts[k - 1]! > t || ts[k]! < t) return false;
    const t0 = ts[k - 1]!, t1 = ts[k]!;
    if (t1 - t0 > hist.maxGapS) return false;
    const w = t1 === t0 ? 0 : (t - t0) / (t1 - t0);
    out[0] = hist.x[k - 1]! + w * (hist.x[k]! - hist.x[k - 1]!);
    out[1] = hist.y[k - 1]! + w * (hist.y[k]! - hist.y[k - 1]!);
    out[2] = hist.z[k - 1]! + w * (hist.z[k]! - hist.z[k - 1]!);
    return true;
  }

  /** Is this radar a reference for others: a trusted declared anchor, or registered by ADS-B well enough? */
  private anchored(sensorId: string): boolean {
    const f = this.filters.get(sensorId);
    if (f?.trustedAnchor()) return true;
    if (!f || f.adsbObservations < ANCHOR_OBSERVATIONS) return false;
    return [0, 2, 3].every((i) => f.sigma(i) < APPLY_SIGMA[i]!);
  }

  /** Keep a corrected Mode S plot of an anchored radar as a reference position. */
  private rememberRadarReference(p: RadarPlot): void {
    // Only worth it while some radar still lacks an ADS-B anchor (checked once a data second).
    if (p.timeS >= this.anchorCheckS) {
      this.anchorCheckS = p.timeS + 1;
      this.someUnanchored = [...this.filters.keys()].some((id) => !this.anchored(id));
    }
    if (!this.someUnanchored || !this.anchored(p.sensorId)) return;
    const frame = this.frames.get(p.sensorId), sensor = this.sensors.get(p.sensorId), f = this.filters.get(p.sensorId);
    if (!frame || !sensor || !f) return;
    const h = p.flightLevel !== null ? flightLevelToM(p.flightLevel) : DEFAULT_HEIGHT_M;
    const g = frame.radarToGeodetic(p.rangeM, p.azimuthRad, h, this.pos);
    // The position error of a corrected plot: its noise and what is left of the bias, across and along the line of sight.
    const across = p.rangeM * Math.hypot(sensor.sigmaAzimuthRad ?? 0.002, f.referenceSigma(2));
    const sigmaM = Math.hypot(sensor.sigmaRangeM, f.referenceSigma(0), across);
    this.chain(p, g[0]!, g[1]!, g[2]!, sigmaM, sensor.rotationS ?? 5);
    if (p.timeS > this.radarRefNowS) this.radarRefNowS = p.timeS;
    if (p.icao24 === null || p.flightLevel === null) return;
    let hist = this.radarRefs.get(p.icao24);
    if (!hist) this.radarRefs.set(p.icao24, (hist = { t: [], x: [], y: [], z: [], sigmaM, cell: NaN, maxGapS: MAX_RADAR_REF_GAP_S, radars: new Set() }));
    hist.radars!.add(p.sensorId);
    hist.sigmaM = Math.max(hist.sigmaM * 0.9, sigmaM);
    if (p.mode3a !== null) {
      const prev = this.radarSquawks.get(p.mode3a);
      if (prev === undefined) this.radarSquawks.set(p.mode3a, p.icao24);
      else if (prev !== p.icao24) this.radarSquawks.set(p.mode3a, AMBIGUOUS);
    }
    insertSorted(hist, p.timeS, g[0]!, g[1]!, g[2]!, RADAR_REF_KEEP_S);
    if (p.timeS > this.radarRefNowS) this.radarRefNowS = p.timeS;
  }

  /**
   * Chain a reference radar's corrected plot onto the one plot-track of that
   * radar it continues: exactly one open chain whose prediction is within the
   * gate, no other within twice it, and no plot of this scan near it already;
   * otherwise the chains it might continue end, and it starts its own.
   */
  private chain(p: RadarPlot, lat: number, lon: number, h: number, sigmaM: number, rotationS: number): void {
    const t = p.timeS;
    if (t >= this.refSweepS) this.sweepRefTracks(t);
    const cosLat = Math.cos(lat);
    const cy = Math.floor(lat / CELL_RAD), cx = Math.floor(lon / CELL_RAD);
    let best: RefTrack | undefined, nInGate = 0, nNear = 0;
    const near: RefTrack[] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const set = this.refCells.get((cy + dy) * CELL_KEY + (cx + dx));
        if (!set) continue;
        for (const r of set) {
          if (r.sensorId !== p.sensorId || r.closed) continue;
          const n = r.t.length, lastT = r.t[n - 1]!;
          if (lastT < t - 2.5 * rotationS) continue;
          if (p.icao24 !== null && r.icao24 !== null && p.icao24 !== r.icao24) continue;
          if (p.icao24 === null && p.mode3a !== null && r.mode3a !== null && p.mode3a !== r.mode3a) continue;
          const dt = t - lastT;
          let pl = r.x[n - 1]!, pn = r.y[n - 1]!, gate: number;
          if (dt < 0.5 * rotationS) {
            // Already has a plot of this scan: a second one near it makes both doubtful.
            gate = CHAIN_GATE_M;
          } else if (n >= 2 && lastT - r.t[n - 2]! > 0.5) {
            const k = dt / (lastT - r.t[n - 2]!);
            pl += (pl - r.x[n - 2]!) * k;
            pn += (pn - r.y[n - 2]!) * k;
            gate = CHAIN_GATE_M + CHAIN_GATE_PER_S * dt;
          } else gate = CHAIN_SPEED_MS * dt + CHAIN_GATE_M;
          const d = Math.hypot((lat - pl) * 6.371e6, (lon - pn) * 6.371e6 * cosLat);
          if (d < 2 * gate) {
            near.push(r);
            nNear++;
            if (d < gate && dt >= 0.5 * rotationS) {
              nInGate++;
              best = r;
            }
          }
        }
      }
    }
    let r: RefTrack;
    if (nInGate === 1 && nNear === 1) r = best!;
    else {
      for (const o of near) o.closed = true;
      r = { t: [], x: [], y: [], z: [], sigmaM, cell: NaN, maxGapS: MAX_RADAR_REF_GAP_S, sensorId: p.sensorId, icao24: null, mode3a: null, hasHeight: false, closed: false };
      this.refTracks++;
    }
    if (p.icao24 !== null) r.icao24 = p.icao24;
    if (p.mode3a !== null) r.mode3a = p.mode3a;
    if (p.flightLevel !== null) r.hasHeight = true;
    insertSorted(r, t, lat, lon, h, RADAR_REF_KEEP_S);
    r.sigmaM = r.t.length === 1 ? sigmaM : 0.8 * r.sigmaM + 0.2 * sigmaM;
    const cell = cellOf(lat, lon);
    if (cell !== r.cell) {
      this.refCells.get(r.cell)?.delete(r);
      let set = this.refCells.get(cell);
      if (!set) this.refCells.set(cell, (set = new Set()));
      set.add(r);
      r.cell = cell;
    }
  }

  /** Forget plot-tracks older than RADAR_REF_KEEP_S (every 10 s of data). */
  private sweepRefTracks(nowS: number): void {
    this.refSweepS = nowS + 10;
    for (const [key, set] of this.refCells) {
      for (const r of set) {
        if (r.t[r.t.length - 1]! < nowS - RADAR_REF_KEEP_S) {
          set.delete(r);
          this.refTracks--;
        }
      }
      if (set.size === 0) this.refCells.delete(key);
    }
  }

  /**
   * For a plot of a radar that is not a reference: the one established
   * plot-track of a reference radar near it at its time — within the gate,
   * no other within PAIR_ISOLATION times the gate — or none. Until the
   * radar's range and azimuth biases are known the gate is PAIR_GATE_M (they
   * may be 1.3 km); then it is 4 sigma of the difference left once the
   * current estimate is removed.
   */
  private nearestRefTrack(p: RadarPlot, frame: EnuFrame, f: RadarFilter, sensor: Sensor): RefTrack | undefined {
    const hP = p.flightLevel !== null ? flightLevelToM(p.flightLevel) : null;
    const g = frame.radarToGeodetic(p.rangeM, p.azimuthRad, hP ?? DEFAULT_HEIGHT_M, this.pos);
    const cy = Math.floor(g[0]! / CELL_RAD), cx = Math.floor(g[1]! / CELL_RAD);
    const known = f.sigma(0) < 50 && f.sigma(2) < 0.05 * (Math.PI / 180);
    let best: RefTrack | undefined, bestD = Infinity, bestGate = PAIR_GATE_M, secondRatio = Infinity;
    const pos = this.pairPos;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const set = this.refCells.get((cy + dy) * CELL_KEY + (cx + dx));
        if (!set) continue;
        for (const r of set) {
          if (r.sensorId === p.sensorId || r.t.length < REF_TRACK_MIN_POINTS) continue;
          // An identity on both sides that differs: another aircraft for sure.
          if ((p.icao24 !== null && r.icao24 !== null && p.icao24 !== r.icao24) || (p.mode3a !== null && r.mode3a !== null && p.mode3a !== r.mode3a)) continue;
          if (r.t[0]! > p.timeS || r.t[r.t.length - 1]! < p.timeS) continue;
          if (!this.adsbAt(r, p.timeS, pos)) continue;
          // Without any Mode C the heights are guesses: place both at the one known, if any.
          if (!r.hasHeight) pos[2] = hP ?? DEFAULT_HEIGHT_M;
          const m = frame.radarMeasure(pos[0]!, pos[1]!, pos[2]!, this.meas);
          const rho = m[0]!;
          let dr = p.rangeM - rho, da = wrap(p.azimuthRad - m[1]!);
          let gate = PAIR_GATE_M;
          if (known) {
            dr -= f.x[0]! + f.x[1]! * rho;
            da = wrap(da - f.x[2]!);
            const extra = this.unknownHeightSigma(r, hP, rho);
            gate = 4 * Math.hypot(sensor.sigmaRangeM, rho * (sensor.sigmaAzimuthRad ?? 0.002), r.sigmaM, extra, f.sigma(0), rho * f.sigma(2)) + 300 * Math.abs(f.x[3]!);
          }
          const d = Math.hypot(dr, da * rho);
          // Compare in units of each candidate's gate: the nearest, and how far the next one is.
          const q = d / gate;
          if (q < bestD / bestGate) {
            secondRatio = bestD / bestGate;
            bestD = d;
            bestGate = gate;
            best = r;
          } else if (q < secondRatio) secondRatio = q;
        }
      }
    }
    if (!best || bestD > bestGate || secondRatio < PAIR_ISOLATION) return undefined;
    return best;
  }

  /** 1-sigma (m) a pairing gets from heights that are guessed (no Mode C on one side or both). */
  private unknownHeightSigma(r: RefTrack, hP: number | null, rho: number): number {
    if (r.hasHeight) return 0;
    // A wrong height moves a plot placed from its slant range by about h dh / ground range.
    const e = (DEFAULT_HEIGHT_M * HEIGHT_SIGMA_M) / Math.max(rho, 20000);
    return hP === null ? 2 * e : e;
  }

  /**
   * For a radar not anchored by ADS-B, the registered radars' history of the
   * aircraft a plot is of (by address, or by a code one address squawks);
   * never one that holds this radar's own plots.
   */
  private radarReferenceFor(p: RadarPlot): AdsbHistory | undefined {
    if (this.radarRefs.size === 0 || this.anchored(p.sensorId)) return undefined;
    let key = p.icao24;
    if (key === null && p.mode3a !== null) {
      const owner = this.radarSquawks.get(p.mode3a);
      key = owner === undefined || owner === AMBIGUOUS ? null : owner;
    }
    const hist = key === null ? undefined : this.radarRefs.get(key);
    return hist && !hist.radars!.has(p.sensorId) ? hist : undefined;
  }

  /**
   * The ADS-B history of the aircraft a radar plot is of: by Mode S address,
   * or (for a Mode A/C plot) by a Mode 3/A code that exactly one ADS-B
   * aircraft is squawking; a code two aircraft share identifies neither.
   */
  private referenceFor(p: RadarPlot): AdsbHistory | undefined {
    if (p.icao24 !== null) return this.adsb.get(p.icao24);
    if (p.mode3a === null) return undefined;
    const owner = this.squawks.get(p.mode3a);
    return owner === undefined || owner === AMBIGUOUS ? undefined : this.adsb.get(owner);
  }

  /**
   * For a plot with no identity (primary radar): the one ADS-B aircraft near
   * it — within 3 km, with no other within 8 km — or none. Largest expected
   * biases (1.3 km) stay inside the first bound; clutter and crowded skies
   * fail the second.
   */
  private nearestAdsb(p: RadarPlot, frame: EnuFrame): AdsbHistory | undefined {
    let best: AdsbHistory | undefined, bestD = Infinity, secondD = Infinity;
    // Only ADS-B aircraft in the cells around the plot (placed at a typical
    // height: a few km off at worst, well inside the 2-cell margin).
    const g = frame.radarToGeodetic(p.rangeM, p.azimuthRad, 6000, this.pos);
    const cy = Math.floor(g[0]! / CELL_RAD), cx = Math.floor(g[1]! / CELL_RAD);
    const near: AdsbHistory[] = [];
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        const set = this.cells.get((cy + dy) * CELL_KEY + (cx + dx));
        if (set) for (const h of set) near.push(h);
      }
    }
    for (const h of near) {
      const last = h.t[h.t.length - 1]!;
      if (last < p.timeS - MAX_ADSB_GAP_S || h.t[0]! > p.timeS) continue;
      if (!this.adsbAt(h, p.timeS, this.pos)) continue;
      const m = frame.radarMeasure(this.pos[0]!, this.pos[1]!, this.pos[2]!, this.meas);
      const d = Math.hypot(p.rangeM - m[0]!, wrap(p.azimuthRad - m[1]!) * m[0]!);
      if (d < bestD) {
        secondD = bestD;
        bestD = d;
        best = h;
      } else if (d < secondD) secondD = d;
    }
    return bestD < 3000 && secondD > 8000 ? best : undefined;
  }

  /** Compare a radar plot with its reference; false when no reference covered it. */
  private learn(p: RadarPlot): boolean {
    const f = this.filters.get(p.sensorId);
    const frame = this.frames.get(p.sensorId);
    const sensor = this.sensors.get(p.sensorId);
    if (!f || !frame || !sensor) return true;
    let byPosition = unidentified(p);
    let hist = byPosition ? this.nearestAdsb(p, frame) : (this.referenceFor(p) ?? this.radarReferenceFor(p));
    this.pairExtraSigmaM = 0;
    let pair: RefTrack | undefined;
    if ((!hist || !covers(hist, p.timeS)) && this.refTracks > 0 && !this.anchored(p.sensorId)) {
      // No identity reference at this time: a reference radar's plot-track, by position alone.
      pair = this.nearestRefTrack(p, frame, f, sensor);
      if (pair) {
        hist = pair;
        byPosition = true;
      }
    }
    if (!hist) return false;
    // Expected measurement and its rates from the ADS-B track around the plot's time.
    const dt = 0.5;
    const pos = this.pos, vel = this.vel;
    const hP = p.flightLevel !== null ? flightLevelToM(p.flightLevel) : DEFAULT_HEIGHT_M;
    // The rates (how range and azimuth change, which is what shows a time
    // offset) come from the reference's velocity fitted over several reports:
    // a velocity from two neighbouring noisy reports is so noisy that the
    // fit would shrink the time offset towards 0 (errors in the regressor).
    if (!slopeAt(hist, p.timeS, hist.maxGapS === MAX_ADSB_GAP_S ? ADSB_RATE_WINDOW_S : RADAR_RATE_WINDOW_S, vel)) {
      if (!this.adsbAt(hist, p.timeS + dt, pos)) return false;
      const x1 = pos[0]!, y1 = pos[1]!, z1 = pos[2]!;
      if (!this.adsbAt(hist, p.timeS - dt, pos)) return false;
      vel[0] = (x1 - pos[0]!) / (2 * dt);
      vel[1] = (y1 - pos[1]!) / (2 * dt);
      vel[2] = (z1 - pos[2]!) / (2 * dt);
    }
    if (!this.adsbAt(hist, p.timeS, pos)) return false;
    if (pair && !pair.hasHeight) {
      pos[2] = hP;
      vel[2] = 0;
    }
    const m0 = frame.radarMeasure(pos[0]! - vel[0]! * dt, pos[1]! - vel[1]! * dt, pos[2]! - vel[2]! * dt, this.meas);
    const rho0 = m0[0]!, th0 = m0[1]!;
    const m1 = frame.radarMeasure(pos[0]! + vel[0]! * dt, pos[1]! + vel[1]! * dt, pos[2]! + vel[2]! * dt, this.meas);
    const rho1 = m1[0]!, th1 = m1[1]!;
    if (pair) this.options.onPositionPair?.(p, { sensorId: pair.sensorId, latRad: pos[0]!, lonRad: pos[1]!, heightM: pos[2]! });
    const m = frame.radarMeasure(pos[0]!, pos[1]!, pos[2]!, this.meas);
    const rho = m[0]!, theta = m[1]!;
    // A Mode 3/A match must also agree in place: the largest biases we expect
    // (300 m + 200 ppm in range, 0.3 degrees at 250 km is 1.3 km across) stay
    // well inside these bounds; another aircraft with a reused code does not.
    if (p.icao24 === null && (Math.abs(p.rangeM - rho) > 3000 || Math.abs(wrap(p.azimuthRad - theta)) * rho > 5000)) return true;
    const rhoDot = (rho1 - rho0) / (2 * dt);
    const thetaDot = wrap(th1 - th0) / (2 * dt);
    f.drift(p.timeS);
    // Noise: the radar's own plus the ADS-B position error projected (along / across the line of sight).
    const sa = pair ? Math.hypot(hist.sigmaM, this.unknownHeightSigma(pair, p.flightLevel !== null ? hP : null, rho)) : hist.sigmaM;
    const rRange = sensor.sigmaRangeM ** 2 + sa * sa;
    const rAz = (sensor.sigmaAzimuthRad ?? 0.002) ** 2 + (sa / Math.max(rho, 1000)) ** 2;
    const hR = [1, rho, 0, -rhoDot], hA = [0, 0, 1, -thetaDot];
    // A reference found by position alone must also agree with what is known
    // already (a clutter plot beside an aircraft would not).
    if (byPosition && f.observations > 20) {
      if (Math.abs(f.residual(hR, p.rangeM - rho, rRange)) > 4 || Math.abs(f.residual(hA, wrap(p.azimuthRad - theta), rAz)) > 4) return true;
    }
    const nuR = f.update(hR, p.rangeM - rho, rRange);
    const nuA = f.update(hA, wrap(p.azimuthRad - theta), rAz);
    f.observations++;
    // ADS-B comparisons (not a reference radar's plots, by identity or position) are what anchor a radar.
    if (hist.radars === undefined && !pair) {
      f.adsbObservations++;
      if (f.trustedAnchor()) this.checkAnchor(f, p);
    }
    // A realigned antenna or a reset clock shows as a run of large residuals.
    if (Math.abs(nuR) > 4 || Math.abs(nuA) > 4) f.outlierRun++;
    else f.outlierRun = 0;
    if (f.outlierRun >= JUMP_RUN && f.observations > 50) {
      f.reset();
      f.jumps++;
      this.events.push({ kind: 'registration-jump', sensorId: p.sensorId, timeS: p.timeS });
    }
    return true;
  }

  /**
   * A declared anchor is compared with ADS-B like any radar; once ADS-B knows
   * a component well and it is clearly not zero, the declaration is wrong
   * (the antenna was moved, the survey is old): report it, and from then on
   * register the radar from the data instead of trusting it.
   */
  private checkAnchor(f: RadarFilter, p: RadarPlot): void {
    if (f.adsbObservations < ANCHOR_CHECK_OBSERVATIONS) return;
    for (const i of [0, 2, 3]) {
      const sd = f.sigma(i);
      if (sd < APPLY_SIGMA[i]! && Math.abs(f.x[i]!) > 4 * sd + ANCHOR_TOLERANCE[i]!) {
        f.disputed = true;
        this.anchorCheckS = -Infinity;
        this.events.push({ kind: 'registration-anchor-disputed', sensorId: p.sensorId, timeS: p.timeS });
        return;
      }
    }
  }
}

/**
 * Velocity [dLat, dLon, dh per second] of a reference around time t: a
 * least-squares line through its reports within windowS of t (at least 3,
 * spanning 2 s or more); false when there are too few.
 */
function slopeAt(hist: AdsbHistory, t: number, windowS: number, out: Float64Array): boolean {
  const ts = hist.t;
  let n = 0, st = 0;
  for (let i = 0; i < ts.length; i++) {
    if (Math.abs(ts[i]! - t) <= windowS) {
      n++;
      st += ts[i]!;
    }
  }
  if (n < 3) return false;
  const tm = st / n;
  let stt = 0, sx = 0, sy = 0, sz = 0, mx = 0, my = 0, mz = 0;
  for (let i = 0; i < ts.length; i++) {
    if (Math.abs(ts[i]! - t) > windowS) continue;
    mx += hist.x[i]!;
    my += hist.y[i]!;
    mz += hist.z[i]!;
  }
  mx /= n;
  my /= n;
  mz /= n;
  for (let i = 0; i < ts.length; i++) {
    if (Math.abs(ts[i]! - t) > windowS) continue;
    const d = ts[i]! - tm;
    stt += d * d;
    sx += d * (hist.x[i]! - mx);
    sy += d * (hist.y[i]! - my);
    sz += d * (hist.z[i]! - mz);
  }
  // Reports spanning under about 2 s (stt = n * variance of the times) say little about velocity.
  if (stt < n) return false;
  out[0] = sx / stt;
  out[1] = sy / stt;
  out[2] = sz / stt;
  return true;
}

/** A first-in first-out queue of plots (an array and a head index, compacted now and then). */
class PlotQueue {
  private items: RadarPlot[] = [];
  private head = 0;
  /** Latest time of a plot pushed. */
  newestS = -Infinity;

  push(p: RadarPlot): void {
    this.items.push(p);
    if (p.timeS > this.newestS) this.newestS = p.timeS;
  }

  peek(): RadarPlot | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  pop(): void {
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Does a reference history bracket time t (the reports around it close enough to interpolate)? */
function covers(hist: AdsbHistory, t: number): boolean {
  const ts = hist.t;
  let k = ts.length - 1;
  while (k > 0 && ts[k - 1]! > t) k--;
  return k >= 1 && ts[k - 1]! <= t && ts[k]! >= t && ts[k]! - ts[k - 1]! <= hist.maxGapS;
}

/** A plot without a Mode S address or a Mode 3/A code: a primary radar's. */
function unidentified(p: RadarPlot): boolean {
  return p.icao24 === null && p.mode3a === null;
}

function wrap(a: number): number {
  const two = 2 * Math.PI;
  return ((((a + Math.PI) % two) + two) % two) - Math.PI;
}

/** Insert a report in time order (feeds interleave) and drop those older than keepS before the newest. */
function insertSorted(hist: AdsbHistory, t: number, x: number, y: number, z: number, keepS: number): void {
  let i = hist.t.length;
  while (i > 0 && hist.t[i - 1]! > t) i--;
  hist.t.splice(i, 0, t);
  hist.x.splice(i, 0, x);
  hist.y.splice(i, 0, y);
  hist.z.splice(i, 0, z);
  const newest = hist.t[hist.t.length - 1]!;
  while (hist.t.length > 2 && hist.t[0]! < newest - keepS) {
    hist.t.shift();
    hist.x.shift();
    hist.y.shift();
    hist.z.shift();
  }
}
