// The multi-sensor tracker loop. Each track runs an IMM (constant velocity +
// coordinated turn, src/track/imm.ts). Plots arrive in batches (one sensor's data
// block: one sector of one scan, so each aircraft appears at most once).
// For each batch: predict every track to each plot's time, gate by
// Mahalanobis distance, assign plots to tracks by global nearest neighbour
// (optimal assignment), update the assigned tracks, start tentative tracks
// from the rest. Track management rules are in `lifecycle` below.

import type { Coalition, Plot, Sensor, SystemTrack, TrackStatus } from '../core/types.ts';
import { radToDeg } from '../core/geodesy.ts';
import { solveAssignment } from './assign.ts';
import { jpdaMarginals } from './jpda.ts';
import { NX, innovation, predictCv, updatePosition, type Innovation } from './kalman.ts';
import { ASSUMED_HEIGHT_SIGMA_M, TrackPlane, type PositionMeasurement } from './measure.ts';
import { Grid } from './grid.ts';
import { ImmFilter } from './imm.ts';
import { ClutterMap } from './clutter.ts';

export interface TrackerOptions {
  /**
   * Process noise spectral density, m^2/s^3. A coordinated turn at 25 degrees
   * of bank is 4.6 m/s^2; q = 25 lets one constant-velocity model follow it
   * (until an IMM replaces it), at some cost in straight-line accuracy.
   */
  readonly processNoise: number;
  /** Squared Mahalanobis gate: 16 keeps 99.97 % of true plots (chi-square, 2 dof). */
  readonly gateD2: number;
  /** 1-sigma speed assumed for a track started from one plot, m/s. */
  readonly initialSpeedSigmaMps: number;
  /** Horizontal motion model: one constant-velocity filter, or the CV + turn IMM. */
  readonly model: 'cv' | 'imm';
  /**
   * 'jpda': in a dense cluster (established tracks sharing gated plots) each
   * track's state is updated with every gated plot, weighted by its JPDA
   * probability (IMM only); which plot is whose for identities, hits and
   * new tracks is still the global-nearest-neighbour assignment. 'gnn':
   * each track is updated with its assigned plot only.
   */
  readonly association?: 'gnn' | 'jpda';
}

/** Mode 3/A codes many aircraft squawk at once (conspicuity, VFR): they identify no one. */
const NON_DISCRETE_CODES = new Set(['0000', '1000', '1200', '2000', '7000', '7777']);

/** How stale (in data seconds) the grid may get before it is rebuilt. */
const GRID_REFRESH_S = 2;

/** Beyond this distance east or north of its dead-reckoned position no plot is compared with a track. */
const COARSE_GATE_M = 20000;

/** Random walk of an estimated height (climbs, descents): (10 m/s)^2 per s. */
const HEIGHT_WALK_M2_PER_S = 100;
const MAX_ESTIMATED_HEIGHT_M = 15000;

/** Cost units (squared sigmas) that identity agreement or disagreement is worth. */
const IDENTITY_WEIGHT = 4;
/** Cap of the spread term ln(|S| / |R|) in an association cost (pairCost). */
const MAX_SPREAD = 8;
/** How many rotations back two tracks updated in one scan of one radar still veto their merge (seenApart). */
const SAME_SCAN_MEMORY_SCANS = 3;

export const defaultTrackerOptions: TrackerOptions = {
  processNoise: 25,
  gateD2: 16,
  initialSpeedSigmaMps: 250,
  model: 'imm',
  association: 'gnn',
};

/** JPDA: detection probability, and the spatial density of plots that are no track's (clutter, new aircraft), per m². */
const JPDA_PD = 0.9;
const JPDA_DENSITY_PER_M2 = 1e-9;

/**
 * Track management, written down:
 * - A plot no track takes starts a tentative track (velocity unknown, wide),
 *   unless it is a primary-only plot in a clutter cell (src/track/clutter.ts).
 * - Tentative -> confirmed after CONFIRM_HITS updates spanning at least
 *   CONFIRM_SPAN_S (a Mode S address or ADS-B report identifies the aircraft,
 *   so two updates suffice: FAST_CONFIRM_HITS). A track seen only by primary
 *   radar (no Mode 3/A, no address) could be clutter, so it needs
 *   PRIMARY_CONFIRM_HITS over PRIMARY_CONFIRM_SPAN_S. An unidentified track must
 *   also move faster than MIN_CONFIRM_SPEED_MPS (50 kt): fixed clutter
 *   patches repeat in place and never confirm (nor would a hovering
 *   helicopter without a transponder: a known limit).
 * - Each track learns how often it is updated: a moving average of the
 *   gaps between its updates (GAP_AVERAGE_WEIGHT), 1 s for an ADS-B
 *   aircraft, about the rotation period for one radar. Silence is judged
 *   against that: an aircraft reported every second that falls silent for
 *   ten has landed or gone, one seen by a 12 s radar has not.
 * - Confirmed -> coasting when no plot came for COAST_GAPS mean gaps
 *   (between COAST_MIN_S and COAST_AFTER_S); back to confirmed at the next
 *   update.
 * - Deleted: tentative after TENTATIVE_TIMEOUT_S without update; one
 *   with two or more plots (so a velocity) sooner, when it missed
 *   TENTATIVE_MISSED_SCANS revisits of the sensor that last saw it (its rotation period; TENTATIVE_ADSB_GAP_S
 *   for an ADS-B station): a hypothesis left alone longer has a gate wide enough to catch an aircraft it never
 *   was (a departure passing under a stale one, say); confirmed or
 *   coasting after DELETE_GAPS mean gaps (DELETE_GAPS_PRIMARY for a track
 *   with neither address nor code: primary radar detects less surely than
 *   a transponder answers, so its silences are longer) (between DELETE_MIN_S and
 *   DELETE_AFTER_S), or when its position sigma exceeds DELETE_SIGMA_M.
 * - Two tracks on one aircraft (same Mode S address; the same discrete Mode
 *   3/A code within 2 km, 50 m/s and 300 m of level; or statistically the
 *   same position and velocity for MERGE_HOLD_S) are merged into the older
 *   one, unless one radar updated both in one scan lately (seenApart): it
 *   saw two targets there.
 * - A confirmed track deleted with a Mode S address leaves its number to
 *   that address for RELINK_S: a new track started by a plot with the
 *   address within that time takes the number back (start()).
 * - A Mode 3/A code and level come from a transponder: a track that
 *   interrogating radars report SILENT_REPLIES times in a row as a primary
 *   echo only drops them (checkSilentReplies).
 */
export const lifecycle = {
  CONFIRM_HITS: 3,
  FAST_CONFIRM_HITS: 2,
  CONFIRM_SPAN_S: 3,
  COAST_AFTER_S: 10,
  COAST_MIN_S: 3,
  COAST_GAPS: 3,
  TENTATIVE_TIMEOUT_S: 14,
  TENTATIVE_MISSED_SCANS: 2.7,
  TENTATIVE_ADSB_GAP_S: 2,
  DELETE_AFTER_S: 30,
  DELETE_MIN_S: 10,
  DELETE_GAPS: 3,
  DELETE_GAPS_PRIMARY: 5,
  GAP_AVERAGE_WEIGHT: 0.2,
  MERGE_HOLD_S: 6,
  DELETE_SIGMA_M: 1500,
  MIN_CONFIRM_SPEED_MPS: 25,
  PRIMARY_CONFIRM_HITS: 5,
  PRIMARY_CONFIRM_SPAN_S: 12,
  SILENT_REPLIES: 3,
  RELINK_S: 600,
} as const;

/** How often a sensor can report an aircraft: its antenna period, or ADS-B's nominal gap. */
function revisitOf(sensor: Sensor): number {
  return sensor.rotationS ?? lifecycle.TENTATIVE_ADSB_GAP_S;
}

interface TrackState {
  readonly num: number;
  readonly id: string;
  /** Combined estimate [e, n, vE, vN] and its covariance at `timeS`. */
  readonly x: Float64Array;
  readonly P: Float64Array;
  /** The IMM's per-model states, when the tracker runs the IMM. */
  readonly imm: ImmFilter | null;
  timeS: number;
  status: TrackStatus;
  hits: number;
  readonly firstS: number;
  lastUpdateS: number;
  /** Revisit period of the sensor that last updated the track, s. */
  revisitS: number;
  /** Moving average of the gaps between updates, s (NaN until the second update). */
  meanGapS: number;
  altM: number | null;
  /** Height its last plot was placed at on the plane (PositionMeasurement.placedAtM). */
  placedAtM: number;
  /**
   * A track with no reported height (primary radar only): its height as
   * two radars' lines of sight agree on it, and that estimate's variance;
   * null until a second radar has seen it. See estimateHeight().
   */
  hEstM: number | null;
  hVar: number;
  hTimeS: number;
  /** The last two sensors that updated it, and when (is another radar seeing it too?). */
  lastSensor: string;
  otherSensor: string | null;
  otherSensorS: number;
  altRateMps: number;
  altTimeS: number;
  /** Primary-only plots in a row from radars that interrogate (see checkSilentReplies). */
  silentReplies: number;
  icao24: string | null;
  mode3a: string | null;
  callsign: string | null;
  /** Sensors that updated the track since the last snapshot. */
  readonly recentSensors: Set<string>;
  /** Each rotating radar that has updated the track, and the time of its last plot. */
  readonly seenBy: Map<string, number>;
  deleted: boolean;
  /** Batch in which this track was last made a candidate, and its column there. */
  stamp: number;
  col: number;
}

export interface TrackerStats {
  plots: number;
  associated: number;
  started: number;
  deleted: number;
  merged: number;
  /** Dense clusters whose tracks JPDA updated. */
  jpdaClusters: number;
  unknownSensorPlots: number;
  /** Primary-only plots in clutter cells that neither started nor fed a tentative track. */
  clutterSuppressed: number;
}

export class Tracker {
  private readonly plane: TrackPlane;
  private readonly sensors = new Map<string, Sensor>();
  private tracks: TrackState[] = [];
  private nextNum = 1;
  /** Numbers of deleted confirmed tracks by Mode S address, for an aircraft that comes back (start()). */
  private readonly retired = new Map<string, { num: number; deletedS: number }>();
  private retiredCheckS = -Infinity;
  readonly stats: TrackerStats = { plots: 0, associated: 0, started: 0, deleted: 0, merged: 0, jpdaClusters: 0, unknownSensorPlots: 0, clutterSuppressed: 0 };
  private readonly clutterMaps = new Map<string, ClutterMap>();
  private readonly meas: PositionMeasurement = { e: 0, n: 0, rEE: 0, rEN: 0, rNN: 0, heightM: null, placedAtM: 0 };
  private readonly meas2: PositionMeasurement = { e: 0, n: 0, rEE: 0, rEN: 0, rNN: 0, heightM: null, placedAtM: 0 };
  private readonly grid = new Grid<TrackState>(COARSE_GATE_M);
  private gridDirty = true;
  /** Pairs of tracks (by number, "low:high") found together at the last merge check, and since when. */
  private together = new Map<string, number>();
  private batchStamp = 0;
  private readonly near: TrackState[] = [];
  private readonly ownPool: PositionMeasurement[] = [];
  private readonly cand: TrackState[] = [];
  private candStart = new Int32Array(64);
  private readonly candOf: number[] = [];
  private xc = new Float64Array(256);
  /** Per plot of the batch, the largest spread term among its gated pairs; and pairCost's last one. */
  private spread = new Float64Array(64);
  private lastSpread = 0;
  /** JPDA: pairCost's last measurement, d² and |S|; per gated pair [e, n, rEE, rEN, rNN, d², |S|, identity term]; updateSoft scratch. */
  private lastMeas: PositionMeasurement = this.meas;
  private lastD2 = 0;
  private lastDetS = 1;
  private pairM = new Float64Array(512);
  private softZ = new Float64Array(16);
  private softR = new Float64Array(24);
  private softB = new Float64Array(8);
  private pc = new Float64Array(1024);
  private readonly pairI: number[] = [];
  private readonly pairJ: number[] = [];
  private readonly pairC: number[] = [];
  private readonly xTmp = new Float64Array(NX);
  private readonly pTmp = new Float64Array(NX * NX);

  constructor(coalition: Coalition, private readonly opts: TrackerOptions = defaultTrackerOptions) {
    for (const s of coalition.sensors) this.sensors.set(s.id, s);
    // The plane touches the ellipsoid at the centre of the coalition's sensors.
    const n = Math.max(1, coalition.sensors.length);
    let lat = 0, lon = 0;
    for (const s of coalition.sensors) { lat += s.latRad; lon += s.lonRad; }
    this.plane = new TrackPlane({ latRad: lat / n, lonRad: lon / n, heightM: 0 });
  }

  get trackCount(): number {
    return this.tracks.length;
  }

  /** One batch of plots from one sensor (one data block). */
  process(batch: readonly Plot[]): void {
    if (batch.length === 0) return;
    const sensor = this.sensors.get(batch[0]!.sensorId);
    if (!sensor) {
      this.stats.unknownSensorPlots += batch.length;
      return;
    }
    this.stats.plots += batch.length;
    const nP = batch.length;
    const batchS = batch[0]!.timeS;
    if (this.gridDirty || Math.abs(batchS - this.grid.timeS) > GRID_REFRESH_S) this.rebuildGrid(batchS);

    // Each plot's position on its own (its stated height, else the assumed
    // one), computed once; the candidate tracks are those the grid finds near
    // any plot of the batch, each given one column. Each plot's own
    // candidates are kept (plot i's are candOf[candStart[i] ..
    // candStart[i+1]]), so only those pairs are scored: cost follows the
    // local density, not plots x candidates of the whole batch. Scratch
    // arrays are the tracker's, reused batch after batch.
    const stamp = ++this.batchStamp;
    const jpda = this.opts.association === 'jpda' && this.opts.model === 'imm';
    const own = this.ownPool;
    while (own.length < nP) own.push({ e: 0, n: 0, rEE: 0, rEN: 0, rNN: 0, heightM: null, placedAtM: 0 });
    const cand = this.cand;
    cand.length = 0;
    if (this.candStart.length < nP + 1) this.candStart = new Int32Array(2 * (nP + 1));
    const candStart = this.candStart;
    const candOf = this.candOf;
    candOf.length = 0;
    const near = this.near;
    for (let i = 0; i < nP; i++) {
      const plot = batch[i]!;
      const m = this.plane.measure(plot, sensor, null, own[i]!);
      candStart[i] = candOf.length;
      near.length = 0;
      for (const tr of this.grid.query(m.e, m.n, COARSE_GATE_M, plot.timeS, near)) {
        if (!this.mayGate(tr, m, plot.timeS)) continue;
        if (tr.stamp !== stamp) {
          tr.stamp = stamp;
          tr.col = cand.length;
          cand.push(tr);
        }
        candOf.push(tr.col);
      }
    }
    candStart[nP] = candOf.length;
    // Each candidate predicted once, to the batch's first plot time: a batch
    // is one antenna sector, its plots a fraction of a second apart, and each
    // plot moves the prediction on by its own small time difference.
    const nT = cand.length;
    if (this.xc.length < nT * 4) {
      this.xc = new Float64Array(nT * 8);
      this.pc = new Float64Array(nT * 32);
    }
    const Xc = this.xc, Pc = this.pc;
    for (let j = 0; j < nT; j++) {
      const tr = cand[j]!;
      this.predictTo(tr, batchS - tr.timeS, this.xTmp, this.pTmp);
      Xc.set(this.xTmp, j * 4);
      Pc.set(this.pTmp, j * 16);
    }
    // Gated pairs only. Plots and tracks linked by gated pairs form clusters,
    // each solved optimally on its own (global nearest neighbour within a
    // cluster), so cost follows local density.
    const pairI = this.pairI, pairJ = this.pairJ, pairC = this.pairC;
    pairI.length = 0;
    pairJ.length = 0;
    pairC.length = 0;
    const m = this.meas;
    if (this.spread.length < nP) this.spread = new Float64Array(2 * nP);
    const spread = this.spread;
    for (let i = 0; i < nP; i++) {
      spread[i] = 0;
      for (let k = candStart[i]!; k < candStart[i + 1]!; k++) {
        const j = candOf[k]!;
        const c = this.pairCost(cand[j]!, Xc, Pc, j, batchS, batch[i]!, sensor, own[i]!, m);
        if (c < 1e12) {
          if (jpda) {
            const k = pairI.length;
            if (this.pairM.length < 8 * (k + 1)) {
              const grown = new Float64Array(16 * (k + 1));
              grown.set(this.pairM);
              this.pairM = grown;
            }
            const pm = this.pairM, mm = this.lastMeas;
            pm[8 * k] = mm.e; pm[8 * k + 1] = mm.n; pm[8 * k + 2] = mm.rEE; pm[8 * k + 3] = mm.rEN; pm[8 * k + 4] = mm.rNN;
            pm[8 * k + 5] = this.lastD2; pm[8 * k + 6] = this.lastDetS; pm[8 * k + 7] = c - this.lastD2 - this.lastSpread - IDENTITY_WEIGHT;
          }
          pairI.push(i);
          pairJ.push(j);
          pairC.push(c);
          if (this.lastSpread > spread[i]!) spread[i] = this.lastSpread;
        }
      }
    }
    const rowToCol = this.assign(nP, nT, pairI, pairJ, pairC, spread);
    const soft = jpda ? this.jpdaClusters(nT, cand, pairI, pairJ) : null;
    const map = this.clutterMapOf(sensor.id);
    for (let i = 0; i < nP; i++) {
      const plot = batch[i]!;
      const j = rowToCol[i]!;
      const tr = j >= 0 ? cand[j]! : null;
      // A primary-only plot in a clutter cell may update a confirmed track but
      // can neither start a track nor feed a tentative one. The map counts
      // only primary plots no confirmed track took, so a slow aircraft that
      // lingers in a cell never marks it.
      // A tentative track that already moves like an aircraft (two plots or
      // more, faster than fixed clutter) counts as one here: a slow aircraft
      // without a transponder crosses a cell in tens of seconds, and must not
      // mark the cells it is being initiated through.
      const primary = plot.kind === 'radar' && plot.detection === 'psr';
      const established = tr !== null && (tr.status !== 'tentative' || (tr.hits >= 2 && Math.hypot(tr.x[2]!, tr.x[3]!) >= lifecycle.MIN_CONFIRM_SPEED_MPS));
      const clutter = primary && map.isClutter(plot.rangeM, plot.azimuthRad, plot.timeS);
      if (primary && !established) map.add(plot.rangeM, plot.azimuthRad, plot.timeS);
      if (clutter && !established) {
        this.stats.clutterSuppressed++;
        continue;
      }
      if (tr) {
        this.update(tr, plot, sensor, soft === null || !soft.has(tr));
        this.stats.associated++;
      } else {
        this.start(plot, sensor);
      }
    }
    if (soft) for (const [tr, u] of soft) this.updateSoft(tr, u, batch);
  }

  /**
   * JPDA over the dense clusters of a batch: established tracks linked by
   * plots gated by two or more of them. Returns, per such track, its gated
   * pairs and their probabilities (for updateSoft); null when there is none.
   */
  private jpdaClusters(nT: number, cand: TrackState[], pairI: number[], pairJ: number[]): Map<TrackState, { pairs: number[]; beta: number[] }> | null {
    const nPairs = pairI.length;
    // Plots gated by two or more established tracks.
    const countOf = new Map<number, number>();
    for (let k = 0; k < nPairs; k++) if (cand[pairJ[k]!]!.status !== 'tentative') countOf.set(pairI[k]!, (countOf.get(pairI[k]!) ?? 0) + 1);
    let shared = false;
    for (const n of countOf.values()) if (n >= 2) shared = true;
    if (!shared) return null;
    // Union-find over established tracks through the plots they share.
    const parent = new Int32Array(nT);
    for (let j = 0; j < nT; j++) parent[j] = j;
    const find = (a: number): number => {
      while (parent[a] !== a) a = parent[a] = parent[parent[a]!]!;
      return a;
    };
    const firstTrackOfPlot = new Map<number, number>();
    for (let k = 0; k < nPairs; k++) {
      const j = pairJ[k]!;
      if (cand[j]!.status === 'tentative' || (countOf.get(pairI[k]!) ?? 0) < 2) continue;
      const other = firstTrackOfPlot.get(pairI[k]!);
      if (other === undefined) firstTrackOfPlot.set(pairI[k]!, j);
      else parent[find(j)] = find(other);
    }
    // Clusters of two or more tracks, with every gated pair of their tracks.
    const members = new Map<number, number[]>();
    for (const j of firstTrackOfPlot.values()) members.set(find(j), []);
    for (let k = 0; k < nPairs; k++) {
      const j = pairJ[k]!;
      if (cand[j]!.status === 'tentative') continue;
      const list = members.get(find(j));
      if (list) list.push(k);
    }
    const out = new Map<TrackState, { pairs: number[]; beta: number[] }>();
    const pm = this.pairM;
    for (const ks of members.values()) {
      const cols = [...new Set(ks.map((k) => pairJ[k]!))];
      if (cols.length < 2) continue;
      const local = new Map(cols.map((j, t) => [j, t]));
      const track = ks.map((k) => local.get(pairJ[k]!)!);
      const weight = ks.map((k) => {
        const d2 = pm[8 * k + 5]!, detS = pm[8 * k + 6]!, id = pm[8 * k + 7]!;
        return (JPDA_PD * Math.exp(-0.5 * (d2 + id))) / (2 * Math.PI * Math.sqrt(detS) * JPDA_DENSITY_PER_M2);
      });
      const beta = new Float64Array(ks.length);
      if (!jpdaMarginals(cols.length, { track, plot: ks.map((k) => pairI[k]!), weight, count: ks.length }, 1 - JPDA_PD, beta)) continue;
      this.stats.jpdaClusters++;
      for (let t = 0; t < cols.length; t++) out.set(cand[cols[t]!]!, { pairs: [], beta: [] });
      for (let q = 0; q < ks.length; q++) {
        const u = out.get(cand[pairJ[ks[q]!]!]!)!;
        u.pairs.push(ks[q]!);
        u.beta.push(beta[q]!);
      }
    }
    return out.size > 0 ? out : null;
  }

  /** The JPDA state update of one track (its plots' positions were kept by pairCost in pairM). */
  private updateSoft(tr: TrackState, u: { pairs: number[]; beta: number[] }, batch: readonly Plot[]): void {
    const n = u.pairs.length;
    if (this.softZ.length < 2 * n) {
      this.softZ = new Float64Array(4 * n);
      this.softR = new Float64Array(6 * n);
      this.softB = new Float64Array(2 * n);
    }
    const pm = this.pairM;
    let tS = 0, wS = 0;
    for (let q = 0; q < n; q++) {
      const k = u.pairs[q]!;
      this.softZ[2 * q] = pm[8 * k]!;
      this.softZ[2 * q + 1] = pm[8 * k + 1]!;
      this.softR[3 * q] = pm[8 * k + 2]!;
      this.softR[3 * q + 1] = pm[8 * k + 3]!;
      this.softR[3 * q + 2] = pm[8 * k + 4]!;
      this.softB[q] = u.beta[q]!;
      tS += u.beta[q]! * batch[this.pairI[k]!]!.timeS;
      wS += u.beta[q]!;
    }
    // One time for the update: the plots' times weighted by their probabilities
    // (a sector's plots are a fraction of a second apart).
    const atS = wS > 0 ? tS / wS : batch[this.pairI[u.pairs[0]!]!]!.timeS;
    const dt = atS - tr.timeS;
    if (!tr.imm || dt < 0) return;
    tr.imm.updatePda(dt, n, this.softZ, this.softR, this.softB);
    tr.imm.current(tr.x, tr.P);
    tr.timeS = atS;
  }

  private clutterMapOf(sensorId: string): ClutterMap {
    let m = this.clutterMaps.get(sensorId);
    if (!m) this.clutterMaps.set(sensorId, (m = new ClutterMap()));
    return m;
  }

  /**
   * A cheap bound before any prediction: can this plot fall in the track's
   * gate at all? Dead-reckons the track and allows 8 sigma of its position
   * and velocity uncertainty, the plot's own error and 3 km for manoeuvres.
   */
  private mayGate(tr: TrackState, m: PositionMeasurement, tS: number): boolean {
    const dt = tS - tr.timeS;
    const dE = m.e - (tr.x[0]! + tr.x[2]! * dt), dN = m.n - (tr.x[1]! + tr.x[3]! * dt);
    const P = tr.P;
    const varPos = P[0]! + P[5]! + dt * dt * (P[10]! + P[15]!) + m.rEE + m.rNN;
    const r = 3000 + 8 * Math.sqrt(varPos);
    return dE * dE + dN * dN <= r * r;
  }

  /**
   * Optimal assignment of plots to tracks over the gated pairs, cluster by
   * cluster. Each plot also has a "no track" option costing the gate (plus
   * the largest spread term of its pairs, see pairCost), so leaving a plot
   * unassigned beats any out-of-gate pairing and never beats a gated one
   * it is alone to want. Returns, per plot, its track's index or -1.
   */
  private assign(nP: number, nT: number, pi: number[], pj: number[], pc: number[], spread: Float64Array): Int32Array {
    const out = new Int32Array(nP).fill(-1);
    if (pi.length === 0) return out;
    // Union-find over plots (0..nP-1) and tracks (nP..nP+nT-1).
    const parent = new Int32Array(nP + nT);
    for (let k = 0; k < parent.length; k++) parent[k] = k;
    const find = (a: number): number => {
      while (parent[a] !== a) {
        parent[a] = parent[parent[a]!]!;
        a = parent[a]!;
      }
      return a;
    };
    for (let k = 0; k < pi.length; k++) {
      const a = find(pi[k]!), b = find(nP + pj[k]!);
      if (a !== b) parent[a] = b;
    }
    const clusters = new Map<number, number[]>();
    for (let k = 0; k < pi.length; k++) {
      const r = find(pi[k]!);
      const list = clusters.get(r);
      if (list) list.push(k);
      else clusters.set(r, [k]);
    }
    const noTrack = this.opts.gateD2 + IDENTITY_WEIGHT;
    const FORBID = 1e12;
    for (const pairs of clusters.values()) {
      if (pairs.length === 1) {
        const k = pairs[0]!;
        if (pc[k]! < noTrack + spread[pi[k]!]!) out[pi[k]!] = pj[k]!;
        continue;
      }
      const rows: number[] = [], cols: number[] = [];
      const rowOf = new Map<number, number>(), colOf = new Map<number, number>();
      for (const k of pairs) {
        if (!rowOf.has(pi[k]!)) { rowOf.set(pi[k]!, rows.length); rows.push(pi[k]!); }
        if (!colOf.has(pj[k]!)) { colOf.set(pj[k]!, cols.length); cols.push(pj[k]!); }
      }
      const nr = rows.length, nc = cols.length + nr;
      const cost = new Float64Array(nr * nc).fill(FORBID);
      for (let r = 0; r < nr; r++) cost[r * nc + cols.length + r] = noTrack + spread[rows[r]!]!;
      for (const k of pairs) cost[rowOf.get(pi[k]!)! * nc + colOf.get(pj[k]!)!] = pc[k]!;
      const { rowToCol } = solveAssignment(cost, nr, nc, FORBID);
      for (let r = 0; r < nr; r++) {
        const c = rowToCol[r]!;
        if (c >= 0 && c < cols.length) out[rows[r]!] = cols[c]!;
      }
    }
    return out;
  }

  /** Place every track in the grid at its position dead-reckoned to `timeS`. */
  private rebuildGrid(timeS: number): void {
    this.grid.clear(timeS);
    for (const tr of this.tracks) {
      const dt = timeS - tr.timeS;
      this.grid.add(tr, tr.x[0]! + tr.x[2]! * dt, tr.x[1]! + tr.x[3]! * dt);
    }
    this.gridDirty = false;
  }

  /**
   * Gated association cost of plot to track j, or 1e12 when outside the gate
   * or the identity rules it out: d² + ln(|S| / |R|) (the pair's negative
   * log likelihood up to a constant, capped) plus identity terms. Sets
   * lastSpread. Xc/Pc hold every candidate's prediction at batchS; `own` is
   * the plot's measurement without a height hint; `m` is scratch for a
   * hinted one.
   */
  private pairCost(
    tr: TrackState, Xc: Float64Array, Pc: Float64Array, j: number, batchS: number,
    plot: Plot, sensor: Sensor, own: PositionMeasurement, m: PositionMeasurement,
  ): number {
    // Identity never overrides geometry: it can only forbid a pairing (two
    // different Mode S addresses are two aircraft) or make a gated one cheaper.
    if (plot.icao24 !== null && tr.icao24 !== null && plot.icao24 !== tr.icao24) return 1e12;
    const dt = plot.timeS - batchS;
    const b = j * 4;
    // Coarse rejection before any matrix work: no gated pair is COARSE_GATE_M
    // apart (a new track's 250 m/s speed sigma over the 14 s it may wait for
    // its second plot is 3.5 km).
    const cE = own.e - (Xc[b]! + Xc[b + 2]! * dt);
    const cN = own.n - (Xc[b + 1]! + Xc[b + 3]! * dt);
    if (cE > COARSE_GATE_M || cE < -COARSE_GATE_M || cN > COARSE_GATE_M || cN < -COARSE_GATE_M) return 1e12;
    const x = this.xTmp;
    const P = this.pTmp;
    for (let k = 0; k < 4; k++) x[k] = Xc[b + k]!;
    for (let k = 0; k < 16; k++) P[k] = Pc[j * 16 + k]!;
    predictCv(x, P, dt, this.opts.processNoise);
    // A plot without a height is placed at the track's height when it has one.
    if (plot.kind === 'radar' && plot.flightLevel === null && tr.altM !== null) this.plane.measure(plot, sensor, tr.altM, m);
    else if (plot.kind === 'radar' && plot.flightLevel === null && tr.hEstM !== null) this.plane.measure(plot, sensor, tr.hEstM, m, Math.sqrt(tr.hVar));
    else m = own;
    // Cheap rejection before the Mahalanobis distance: 8 sigma on each axis.
    const dE = m.e - x[0]!, dN = m.n - x[1]!;
    if (dE * dE > 64 * (P[0]! + m.rEE) || dN * dN > 64 * (P[5]! + m.rNN)) return 1e12;
    const inn = innovation(x, P, m.e, m.n, m.rEE, m.rEN, m.rNN);
    if (inn.d2 > this.opts.gateD2) return 1e12;
    // Costs stay non-negative: a matching Mode S address removes the base
    // weight, a different Mode 3/A or a flight level 3,000 ft off adds to it.
    // The spread term ln(|S| / |R|) is the rest of the pair's negative log
    // likelihood: among tracks equally close in sigmas, the plot goes to the
    // one that predicted it more sharply (an established track, not the
    // loose tentative one a biased radar started beside it).
    const detR = m.rEE * m.rNN - m.rEN * m.rEN;
    this.lastMeas = m;
    this.lastD2 = inn.d2;
    this.lastDetS = inn.detS;
    this.lastSpread = Math.min(MAX_SPREAD, Math.max(0, Math.log(inn.detS / detR)));
    let c = inn.d2 + IDENTITY_WEIGHT + this.lastSpread;
    if (plot.icao24 !== null && plot.icao24 === tr.icao24) c -= IDENTITY_WEIGHT;
    else if (plot.mode3a !== null && tr.mode3a !== null) {
      // The same discrete code is weaker evidence than an address (codes are
      // reused and mis-set) but better than none: a radar's Mode A/C reply
      // goes to the track squawking it, not to a primary-only neighbour.
      if (plot.mode3a !== tr.mode3a) c += IDENTITY_WEIGHT;
      else if (!NON_DISCRETE_CODES.has(plot.mode3a)) c -= IDENTITY_WEIGHT / 2;
    }
    if (m.heightM !== null && tr.altM !== null && Math.abs(m.heightM - tr.altM) > 900) c += 2 * IDENTITY_WEIGHT;
    return c;
  }

  /**
   * Update a track with its assigned plot: identities, level, counts and
   * status, and (unless `kinematics` is false: JPDA does it in updateSoft)
   * the state.
   */
  private update(tr: TrackState, plot: Plot, sensor: Sensor, kinematics = true): void {
    const dt = plot.timeS - tr.timeS;
    const noLevel = plot.kind === 'radar' && plot.flightLevel === null && tr.altM === null;
    if (noLevel && tr.otherSensor !== null && plot.timeS - tr.otherSensorS < 2.5 * tr.revisitS) this.estimateHeight(tr, plot, sensor, dt);
    const m = noLevel && tr.hEstM !== null
      ? this.plane.measure(plot, sensor, tr.hEstM, this.meas, Math.sqrt(tr.hVar))
      : this.plane.measure(plot, sensor, tr.altM, this.meas);
    // A plot older than the track's state (a sensor with more latency than
    // the others, beyond the loop's reordering window) corrects the state
    // where it is in time (ImmFilter.updateLate); the state does not go back.
    const late = dt < 0 && tr.imm !== null;
    if (!kinematics) {
      // The state is JPDA's (updateSoft, after the batch).
    } else if (late) {
      tr.imm!.updateLate(dt, m.e, m.n, m.rEE, m.rEN, m.rNN);
      tr.imm!.current(tr.x, tr.P);
    } else if (tr.imm) {
      tr.imm.update(dt, m.e, m.n, m.rEE, m.rEN, m.rNN);
      tr.imm.current(tr.x, tr.P);
    } else {
      predictCv(tr.x, tr.P, dt, this.opts.processNoise);
      const inn: Innovation = innovation(tr.x, tr.P, m.e, m.n, m.rEE, m.rEN, m.rNN);
      updatePosition(tr.x, tr.P, inn);
    }
    if (!late && kinematics) tr.timeS = plot.timeS;
    tr.placedAtM = m.placedAtM;
    if (m.heightM !== null) this.updateAltitude(tr, m.heightM, plot.timeS);
    tr.hits++;
    const gap = plot.timeS - tr.lastUpdateS;
    if (gap > 0) tr.meanGapS = Number.isNaN(tr.meanGapS) ? gap : tr.meanGapS + lifecycle.GAP_AVERAGE_WEIGHT * (gap - tr.meanGapS);
    tr.lastUpdateS = Math.max(tr.lastUpdateS, plot.timeS);
    tr.revisitS = revisitOf(sensor);
    if (sensor.id !== tr.lastSensor) {
      tr.otherSensor = tr.lastSensor;
      tr.lastSensor = sensor.id;
    }
    if (tr.otherSensor !== null) tr.otherSensorS = plot.timeS;
    if (plot.icao24 !== null) tr.icao24 = plot.icao24;
    if (plot.mode3a !== null) tr.mode3a = plot.mode3a;
    this.checkSilentReplies(tr, plot, sensor);
    if (plot.callsign !== null) tr.callsign = plot.callsign;
    tr.recentSensors.add(sensor.id);
    if (sensor.rotationS !== null) tr.seenBy.set(sensor.id, plot.timeS);
    if (tr.status === 'coasting') tr.status = 'confirmed';
    else if (tr.status === 'tentative') {
      const fast = tr.icao24 !== null;
      const primaryOnly = tr.mode3a === null && !fast;
      const need = fast ? lifecycle.FAST_CONFIRM_HITS : primaryOnly ? lifecycle.PRIMARY_CONFIRM_HITS : lifecycle.CONFIRM_HITS;
      const span = fast ? 1 : primaryOnly ? lifecycle.PRIMARY_CONFIRM_SPAN_S : lifecycle.CONFIRM_SPAN_S;
      const moving = Math.hypot(tr.x[2]!, tr.x[3]!) >= lifecycle.MIN_CONFIRM_SPEED_MPS;
      if (tr.hits >= need && tr.lastUpdateS - tr.firstS >= span && (fast || moving)) tr.status = 'confirmed';
    }
  }

  /**
   * A track's Mode 3/A code and level came from a transponder; a radar that
   * interrogates (SSR, Mode S) and reports the track's aircraft as a primary
   * echo only, scan after scan, heard no transponder there. After
   * SILENT_REPLIES such plots in a row the code and level are not this
   * aircraft's (a neighbour's reply started or fed the track before
   * registration settled): the track drops them and is primary-only again,
   * so it neither merges with the code's owner nor places plots at its
   * level. An address is kept: Mode S aircraft answer every interrogation.
   */
  private checkSilentReplies(tr: TrackState, plot: Plot, sensor: Sensor): void {
    if (plot.kind !== 'radar' || sensor.kind === 'psr') return;
    if (plot.detection !== 'psr') {
      tr.silentReplies = 0;
      return;
    }
    if (tr.icao24 !== null || (tr.mode3a === null && tr.altM === null)) return;
    if (++tr.silentReplies < lifecycle.SILENT_REPLIES) return;
    tr.mode3a = null;
    tr.callsign = null;
    tr.altM = null;
    tr.altRateMps = 0;
    tr.silentReplies = 0;
  }

  /**
   * Height of a track no plot states one for. A plot placed at the wrong
   * height lands too far out or too close along its radar's line of sight
   * (by heightSlope per metre); where another radar, looking from elsewhere,
   * holds the track's position, that offset measures the height. Scalar
   * Kalman filter with a slow random walk (climbs and descents); used only
   * while a second radar sees the track, since one radar alone cannot tell
   * height from ground range.
   */
  private estimateHeight(tr: TrackState, plot: Plot, sensor: Sensor, dt: number): void {
    const x = this.xTmp, P = this.pTmp;
    this.predictTo(tr, dt, x, P);
    const hUsed = tr.hEstM ?? tr.placedAtM;
    const m = this.plane.measure(plot, sensor, hUsed, this.meas2, 1);
    const k = m.heightSlope ?? 0;
    if (!(k > 0.02)) return;
    const uE = m.losE!, uN = m.losN!;
    // The plot's offset from the prediction along the line of sight, and its variance without the height term.
    const z = uE * (m.e - x[0]!) + uN * (m.n - x[1]!);
    const pAlong = uE * uE * P[0]! + 2 * uE * uN * P[1]! + uN * uN * P[5]!;
    const rAlong = uE * uE * m.rEE + 2 * uE * uN * m.rEN + uN * uN * m.rNN;
    const hMeas = hUsed + z / k;
    const rH = (pAlong + rAlong) / (k * k);
    if (tr.hEstM === null) {
      tr.hEstM = hUsed;
      tr.hVar = ASSUMED_HEIGHT_SIGMA_M ** 2;
    } else tr.hVar += HEIGHT_WALK_M2_PER_S * Math.abs(plot.timeS - tr.hTimeS);
    tr.hTimeS = plot.timeS;
    const gain = tr.hVar / (tr.hVar + rH);
    tr.hEstM = Math.min(MAX_ESTIMATED_HEIGHT_M, Math.max(0, tr.hEstM + gain * (hMeas - tr.hEstM)));
    tr.hVar *= 1 - gain;
  }

  /** Vertical channel: an alpha-beta filter on the reported height (Mode C steps are 30 m, Mode S 7.6 m). */
  private updateAltitude(tr: TrackState, hM: number, tS: number): void {
    if (tr.altM === null) {
      tr.altM = hM;
      tr.altTimeS = tS;
      return;
    }
    const dt = Math.max(0, tS - tr.altTimeS);
    const pred = tr.altM + tr.altRateMps * dt;
    const r = hM - pred;
    tr.altM = pred + 0.5 * r;
    if (dt > 0.5) tr.altRateMps += (0.1 * r) / dt;
    tr.altTimeS = tS;
  }

  private start(plot: Plot, sensor: Sensor): void {
    const m = this.plane.measure(plot, sensor, null, this.meas);
    // An aircraft whose track was deleted (out of cover, low, landed and
    // gone round) and comes back within RELINK_S gets its old track number
    // back: its Mode S address says it is the same airframe.
    const back = plot.icao24 !== null ? this.retired.get(plot.icao24) : undefined;
    if (back && plot.timeS - back.deletedS > lifecycle.RELINK_S) this.retired.delete(plot.icao24!);
    const relinked = back !== undefined && plot.timeS - back.deletedS <= lifecycle.RELINK_S;
    if (relinked) this.retired.delete(plot.icao24!);
    const num = relinked ? back.num : this.nextNum++;
    const v = this.opts.initialSpeedSigmaMps ** 2;
    let imm: ImmFilter | null = null;
    if (this.opts.model === 'imm') {
      imm = new ImmFilter();
      imm.init(m.e, m.n, m.rEE, m.rEN, m.rNN, v);
    }
    const tr: TrackState = {
      num,
      id: `T${num}`,
      x: new Float64Array([m.e, m.n, 0, 0]),
      P: new Float64Array([m.rEE, m.rEN, 0, 0, m.rEN, m.rNN, 0, 0, 0, 0, v, 0, 0, 0, 0, v]),
      imm,
      timeS: plot.timeS,
      status: 'tentative',
      hits: 1,
      firstS: plot.timeS,
      lastUpdateS: plot.timeS,
      meanGapS: NaN,
      revisitS: revisitOf(sensor),
      altM: m.heightM,
      placedAtM: m.placedAtM,
      hEstM: null,
      hVar: 0,
      hTimeS: plot.timeS,
      lastSensor: sensor.id,
      otherSensor: null,
      otherSensorS: -Infinity,
      altRateMps: 0,
      altTimeS: plot.timeS,
      silentReplies: 0,
      icao24: plot.icao24,
      mode3a: plot.mode3a,
      callsign: plot.callsign,
      recentSensors: new Set([sensor.id]),
      seenBy: new Map(sensor.rotationS !== null ? [[sensor.id, plot.timeS]] : []),
      deleted: false,
      stamp: 0,
      col: -1,
    };
    this.tracks.push(tr);
    // A new track joins the grid where its plot is (its velocity is unknown: zero).
    if (!this.gridDirty) this.grid.add(tr, m.e, m.n);
    this.stats.started++;
  }

  /**
   * Merge tracks that follow one aircraft: a shared Mode S address, or
   * positions (dead-reckoned to `nowS`) within 3 sigma and velocities within
   * 30 m/s of each other. The older track survives, keeping its identities.
   */
  private mergeDuplicates(nowS: number): void {
    this.rebuildGrid(nowS);
    const byAddress = new Map<string, TrackState>();
    const together = new Map<string, number>();
    const near = this.near;
    let merged = false;
    const absorb = (A: TrackState, B: TrackState) => {
      const [keep, drop] = A.num < B.num ? [A, B] : [B, A];
      if (keep.lastUpdateS < drop.lastUpdateS) {
        keep.x.set(drop.x);
        keep.P.set(drop.P);
        if (keep.imm && drop.imm) keep.imm.copyFrom(drop.imm);
        keep.timeS = drop.timeS;
        keep.lastUpdateS = drop.lastUpdateS;
        keep.placedAtM = drop.placedAtM;
        if (drop.altM !== null) keep.altM = drop.altM;
      }
      if (keep.hEstM === null && drop.hEstM !== null) {
        keep.hEstM = drop.hEstM;
        keep.hVar = drop.hVar;
        keep.hTimeS = drop.hTimeS;
      }
      // The merged track gets both tracks' plots: the shorter gap is the better guess.
      if (!(keep.meanGapS <= drop.meanGapS)) keep.meanGapS = drop.meanGapS;
      keep.icao24 ??= drop.icao24;
      keep.callsign ??= drop.callsign;
      keep.mode3a ??= drop.mode3a;
      for (const s of drop.recentSensors) keep.recentSensors.add(s);
      for (const [s, t] of drop.seenBy) if (!(keep.seenBy.get(s)! >= t)) keep.seenBy.set(s, t);
      if (keep.status === 'tentative' && drop.status !== 'tentative') keep.status = 'confirmed';
      drop.deleted = true;
      merged = true;
      this.stats.merged++;
      return keep;
    };
    for (const A of this.tracks) {
      if (A.deleted) continue;
      if (A.icao24 !== null) {
        const other = byAddress.get(A.icao24);
        if (other && !other.deleted) {
          byAddress.set(A.icao24, absorb(other, A));
          continue;
        }
        byAddress.set(A.icao24, A);
      }
      if (A.status === 'tentative') continue;
      const dtA = nowS - A.timeS;
      const eA = A.x[0]! + A.x[2]! * dtA, nA = A.x[1]! + A.x[3]! * dtA;
      near.length = 0;
      for (const B of this.grid.query(eA, nA, 3000, nowS, near)) {
        if (B === A || B.deleted || A.deleted || B.status === 'tentative') continue;
        if (A.icao24 !== null && B.icao24 !== null) continue;
        const dtB = nowS - B.timeS;
        const dE = eA - (B.x[0]! + B.x[2]! * dtB), dN = nA - (B.x[1]! + B.x[3]! * dtB);
        const dv = Math.hypot(A.x[2]! - B.x[2]!, A.x[3]! - B.x[3]!);
        const s2 = A.P[0]! + A.P[5]! + B.P[0]! + B.P[5]!;
        const d2 = dE * dE + dN * dN;
        if (A.altM !== null && B.altM !== null && Math.abs(A.altM - B.altM) > 300) continue;
        // The same discrete Mode 3/A code at nearly the same place, speed and
        // level is one aircraft seen by a Mode S and a Mode A/C radar whose
        // residual biases keep the two tracks a few hundred metres apart.
        const sameCode = A.mode3a !== null && A.mode3a === B.mode3a && !NON_DISCRETE_CODES.has(A.mode3a);
        if (sameCode ? dv > 50 || d2 > 2000 * 2000 : dv > 30 || d2 > 9 * s2) continue;
        if (this.seenApart(A, B, nowS)) continue;
        if (!sameCode) {
          // Without an identity to say so, two tracks are one aircraft only
          // if they stay together: two aircraft crossing pass through this
          // test for a moment.
          const key = A.num < B.num ? `${A.num}:${B.num}` : `${B.num}:${A.num}`;
          const since = this.together.get(key) ?? nowS;
          together.set(key, since);
          if (nowS - since < lifecycle.MERGE_HOLD_S) continue;
        }
        absorb(A, B);
      }
    }
    this.together = together;
    if (merged) {
      this.tracks = this.tracks.filter((t) => !t.deleted);
      this.gridDirty = true;
    }
  }

  /**
   * One radar updated both tracks in one scan, lately: its extractor saw two
   * targets there, so the tracks are two aircraft, however close. (Two tracks
   * on one aircraft get that radar's one plot per scan between them, at
   * least a rotation apart.) This is what keeps a primary-only aircraft,
   * placed hundreds of metres off by its unknown height, from being merged
   * into a transponder-equipped neighbour it flies alongside.
   */
  private seenApart(A: TrackState, B: TrackState, nowS: number): boolean {
    for (const [sensorId, tA] of A.seenBy) {
      const tB = B.seenBy.get(sensorId);
      if (tB === undefined) continue;
      const rotationS = this.sensors.get(sensorId)!.rotationS!;
      if (Math.abs(tA - tB) < 0.5 * rotationS && nowS - Math.min(tA, tB) < SAME_SCAN_MEMORY_SCANS * rotationS) return true;
    }
    return false;
  }

  /** Apply coasting and deletion rules at data time `nowS`. */
  maintain(nowS: number): void {
    this.mergeDuplicates(nowS);
    let w = 0;
    const ts = this.tracks;
    for (const tr of ts) {
      const idle = nowS - tr.lastUpdateS;
      let drop = false;
      if (tr.status === 'tentative') drop = idle > (tr.hits < 2 ? lifecycle.TENTATIVE_TIMEOUT_S : Math.min(lifecycle.TENTATIVE_TIMEOUT_S, lifecycle.TENTATIVE_MISSED_SCANS * tr.revisitS));
      else {
        const gap = Number.isNaN(tr.meanGapS) ? Infinity : tr.meanGapS;
        const coastAfter = Math.min(lifecycle.COAST_AFTER_S, Math.max(lifecycle.COAST_MIN_S, lifecycle.COAST_GAPS * gap));
        const deleteAfter = Math.min(lifecycle.DELETE_AFTER_S, Math.max(lifecycle.DELETE_MIN_S, (tr.icao24 === null && tr.mode3a === null ? lifecycle.DELETE_GAPS_PRIMARY : lifecycle.DELETE_GAPS) * gap));
        if (idle > coastAfter) tr.status = 'coasting';
        drop = idle > deleteAfter || this.predictedSigmaM(tr, nowS) > lifecycle.DELETE_SIGMA_M;
      }
      if (!drop) {
        ts[w++] = tr;
        continue;
      }
      this.stats.deleted++;
      if (tr.icao24 !== null && tr.status !== 'tentative') this.retired.set(tr.icao24, { num: tr.num, deletedS: nowS });
    }
    if (w !== ts.length) this.gridDirty = true;
    ts.length = w;
    // Forget numbers too old to hand back (checked now and then: the map is small).
    if (nowS >= this.retiredCheckS) {
      this.retiredCheckS = nowS + 60;
      for (const [address, r] of this.retired) if (nowS - r.deletedS > lifecycle.RELINK_S) this.retired.delete(address);
    }
  }

  /** The track's combined estimate predicted dt ahead into x (4) and P (4x4); the track is not changed. */
  private predictTo(tr: TrackState, dt: number, x: Float64Array, P: Float64Array): void {
    if (tr.imm) {
      tr.imm.predictCombined(dt, x, P);
      return;
    }
    x.set(tr.x);
    P.set(tr.P);
    predictCv(x, P, dt, this.opts.processNoise);
  }

  /** Per-axis position sigma of the track predicted to `timeS` (without moving it). */
  private predictedSigmaM(tr: TrackState, timeS: number): number {
    const dt = timeS - tr.timeS;
    const P = tr.P;
    const q = (this.opts.processNoise * Math.abs(dt) ** 3) / 3;
    const vE = P[0]! + 2 * dt * P[2]! + dt * dt * P[10]! + q;
    const vN = P[5]! + 2 * dt * P[7]! + dt * dt * P[15]! + q;
    return Math.sqrt(Math.max(0, (vE + vN) / 2));
  }

  /**
   * Every live track predicted to `timeS` (contract section 4). Clears the
   * per-period record of which sensors updated each track.
   */
  snapshot(timeS: number): SystemTrack[] {
    this.maintain(timeS);
    const out: SystemTrack[] = [];
    const x = this.xTmp;
    const P = this.pTmp;
    for (const tr of this.tracks) {
      this.predictTo(tr, timeS - tr.timeS, x, P);
      const alt = tr.altM === null ? null : tr.altM + tr.altRateMps * Math.max(0, Math.min(30, timeS - tr.altTimeS));
      // Back to latitude and longitude at the height the plots were placed
      // at: the reported height when there is one, else the assumed one.
      const g = this.plane.fromPlaneInto(x[0]!, x[1]!, tr.altM === null ? tr.placedAtM : (alt ?? 0), this.geoTmp);
      const latRad = g[0]!, lonRad = g[1]!;
      const { sensors, partners } = this.contributors(tr.recentSensors);
      // The plane's axes turn against local north away from its origin; the
      // velocity is reported in the track's own local east/north.
      const v = this.localVelocity(latRad, lonRad, x[2]!, x[3]!);
      out.push({
        kind: 'track',
        id: tr.id,
        timeS,
        status: tr.status,
        latDeg: radToDeg(latRad),
        lonDeg: radToDeg(lonRad),
        altM: alt,
        velEastMps: v[0]!,
        velNorthMps: v[1]!,
        sigmaM: Math.sqrt(Math.max(0, (P[0]! + P[5]!) / 2)),
        icao24: tr.icao24,
        mode3a: tr.mode3a,
        callsign: tr.callsign,
        sensors,
        partners,
      });
      tr.recentSensors.clear();
    }
    return out;
  }

  private readonly velTmp = new Float64Array(3);
  private readonly velOut = new Float64Array(2);
  private readonly geoTmp = new Float64Array(3);
  /** Frozen sensor and partner lists, shared by every snapshot that names the same sensors. */
  private readonly contributorLists = new Map<string, { sensors: readonly string[]; partners: readonly string[] }>();
  private static readonly NONE = Object.freeze({ sensors: Object.freeze([]) as readonly string[], partners: Object.freeze([]) as readonly string[] });

  private contributors(set: ReadonlySet<string>): { sensors: readonly string[]; partners: readonly string[] } {
    if (set.size === 0) return Tracker.NONE;
    const ids = [...set];
    if (ids.length > 1) ids.sort();
    const key = ids.join('\n');
    let c = this.contributorLists.get(key);
    if (!c) {
      if (this.contributorLists.size > 100_000) this.contributorLists.clear();
      const partners = [...new Set(ids.map((s) => this.sensors.get(s)!.partnerId))].sort();
      c = { sensors: Object.freeze(ids), partners: Object.freeze(partners) };
      this.contributorLists.set(key, c);
    }
    return c;
  }

  private localVelocity(latRad: number, lonRad: number, vE: number, vN: number): Float64Array {
    const f = this.plane.frame;
    const ecef = f.vecEnuToEcef(vE, vN, 0, this.velTmp);
    const sl = Math.sin(latRad), cl = Math.cos(latRad), so = Math.sin(lonRad), co = Math.cos(lonRad);
    this.velOut[0] = -so * ecef[0]! + co * ecef[1]!;
    this.velOut[1] = -sl * co * ecef[0]! - sl * so * ecef[1]! + cl * ecef[2]!;
    return this.velOut;
  }
}
