// Scoring system tracks against ground truth.
//
// What is scored
// - Tracks: only `confirmed` and `coasting` snapshots (contract 4); a
//   tentative track is the tracker's private hypothesis.
// - Instants: the truth timestamps (one per second, contract 5). Each is
//   paired with the track snapshot whose time s satisfies -0.5 <= t - s < 0.5
//   (half-open, so a snapshot serves exactly one whole-second truth instant).
//   Snapshot times are taken from every line, tentative included. A truth
//   instant with no snapshot line in tolerance is still scored, against an
//   empty picture, when it falls on the tracker's snapshot grid (first
//   snapshot + k x median gap) inside the span it wrote: the tracker writes
//   nothing when it holds no track at all, and that is all-missed, not
//   unscored. Other instants are skipped; the report gives "instants scored
//   N of M". Tracks at times with no truth are not scored.
// - Distances: horizontal metres on the local plane of each pair (geo.ts).
//
// GOSPA (Rahmathullah, García-Fernández, Svensson, "Generalized optimal
// sub-pattern assignment metric", FUSION 2017), with α = 2, per instant:
//   d = ( min over assignments γ of  Σ_(i,j)∈γ d(x_i,y_j)^p
//         + c^p/2 · (#missed + #false) )^(1/p)
// computed as one full assignment on cost min(d, c)^p (a pair at d >= c
// costs c^p = c^p/2 + c^p/2, so it is one missed plus one false), solved per
// connected component of the close pairs (instant.ts). The three
// parts of the p-sum are reported as their own p-th roots, per instant:
//   localisation = (Σ_assigned, d<c  d^p)^(1/p)
//   missed       = (c^p/2 · #missed)^(1/p),  false = (c^p/2 · #false)^(1/p)
// and every figure (d and the three parts) is then the plain mean over the
// scored instants. The parts' means do not add up to the mean d (roots of a
// sum); d^p at one instant is the sum of the parts' p-th powers.
//
// Association (for RMS, coverage, continuity, identity): the optimal
// assignment on cost min(d, gateM)^p, keeping pairs with d < gateM. With the
// default gateM = cM it is exactly GOSPA's assignment.
//
// Continuity follows the CLEAR MOT metrics (Bernardin & Stiefelhagen,
// "Evaluating multiple object tracking performance: the CLEAR MOT metrics",
// EURASIP JIVP 2008, section 2.1.1): a truth's correspondence with a track
// is kept from one instant to the next while that track is still reported
// within the gate of it, even if another track is closer at that instant;
// the truths left over are matched optimally (as above) among the tracks
// left over. Per truth aircraft over its scored instants in time order, an
// ID swap is each change of the corresponding track id between two
// corresponding instants (instants without a correspondence between them do
// not hide it); a track break is each run of instants without one, with
// correspondences on both sides. `idReassignments` counts the changes of the
// per-instant optimal association instead (the stricter figure: two
// aircraft passing closer than their tracks' errors count there even when
// each track stays on its own aircraft).

import { SkyError } from '../core/errors.ts';
import type { SystemTrack, TruthPoint } from '../core/types.ts';
import { horizontalDistanceM } from './geo.ts';
import { InstantAssociation, type InstantSettings } from './instant.ts';

export interface EvalOptions {
  /** GOSPA cut-off distance c. */
  cM?: number;
  /** GOSPA order p (>= 1). */
  p?: number;
  /** GOSPA α; only 2 is accepted, the value for which missed/false targets are defined. */
  alpha?: number;
  /** Association gate for RMS, coverage, continuity and identity; defaults to cM. */
  gateM?: number;
  /** Called at each ID swap (for diagnostics: which aircraft, when, from which track to which). */
  onSwap?: (swap: { timeS: number; truthId: string; fromTrackId: string; toTrackId: string }) => void;
}

export interface EvalReport {
  /** Means over scored instants; parts are p-th roots of their share of the p-sum (see file header). */
  gospa: { meanM: number; localisationM: number; missedM: number; falseM: number };
  /** sqrt(mean d²) over associated pairs; NaN when there are none. */
  rmsHorizontalM: number;
  /** Over associated pairs where both state altM; null when there are none. */
  rmsVerticalM: number | null;
  /** Fraction of truth points (aircraft-seconds) at scored instants with an associated track; 0 when none. */
  coverage: number;
  /** Fraction of scored track points associated with no truth; 0 when none. */
  falseTrackRate: number;
  /** Changes of a truth's CLEAR MOT correspondence (see file header). */
  idSwaps: number;
  /** Runs of instants without a correspondence, between two with one. */
  trackBreaks: number;
  /** Changes of a truth's per-instant optimal association (see file header). */
  idReassignments: number;
  /** Among associated pairs whose track states icao24 (else mode3a): fraction equal to the truth's; null when none state one. */
  identityCorrect: number | null;
  /** Distinct truth aircraft at scored instants. */
  truthAircraft: number;
  /** Distinct confirmed/coasting track ids at scored instants. */
  trackIds: number;
  /** Instants scored. */
  instants: number;
  /** Truth instants in the file (scored or skipped). */
  truthInstants: number;
  /** Observable truth points at scored instants / 3600 (one truth point per aircraft-second). */
  aircraftHours: number;
  /**
   * Truth points marked `"observable": false` (no declared sensor could see
   * the aircraft): never counted missed, and not in coverage; a track on one
   * still pairs with it, so it is not counted false either.
   */
  unobservablePoints: number;
  /** The settings the figures were computed with. */
  settings: { cM: number; p: number; alpha: number; gateM: number; toleranceS: number };
}

/** Truth instant t pairs with snapshot s when -TOLERANCE_S <= t - s < TOLERANCE_S. */
const TOLERANCE_S = 0.5;

function inTolerance(dtS: number): boolean {
  return dtS >= -TOLERANCE_S && dtS < TOLERANCE_S;
}

function groupByTime<T extends { readonly timeS: number }>(items: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const it of items) {
    const list = out.get(it.timeS);
    if (list) list.push(it);
    else out.set(it.timeS, [it]);
  }
  return out;
}

/** Index of the element of a sorted array nearest to x (array non-empty). */
function nearestIndex(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  // On a tie prefer the later element: t - s = -0.5 is in tolerance, +0.5 is not.
  if (lo > 0 && x - sorted[lo - 1]! < sorted[lo]! - x) return lo - 1;
  return lo;
}

/**
 * Decides which snapshot a truth instant is scored against: a snapshot
 * time, NaN for "on the grid but the tracker wrote no line" (empty
 * picture), or null for "not scored".
 */
function snapshotMatcher(snapshotTimesS: Float64Array): (tS: number) => number | null {
  const n = snapshotTimesS.length;
  if (n === 0) return () => null;
  const firstS = snapshotTimesS[0]!;
  const lastS = snapshotTimesS[n - 1]!;
  let periodS = 0;
  if (n >= 2) {
    // Median gap: robust to the occasional missing (empty) snapshot.
    const gaps = new Float64Array(n - 1);
    for (let k = 1; k < n; k++) gaps[k - 1] = snapshotTimesS[k]! - snapshotTimesS[k - 1]!;
    gaps.sort();
    periodS = gaps[(n - 1) >> 1]!;
  }
  return (tS) => {
    const s = snapshotTimesS[nearestIndex(snapshotTimesS, tS)]!;
    if (inTolerance(tS - s)) return s;
    if (periodS > 0 && tS > firstS && tS < lastS) {
      const gridS = firstS + Math.round((tS - firstS) / periodS) * periodS;
      if (inTolerance(tS - gridS)) return NaN;
    }
    return null;
  };
}

interface Continuity {
  /** CLEAR MOT correspondence: the last corresponding track id. */
  lastTrackId: string | null;
  gapOpen: boolean;
  /** The last track id of the per-instant optimal association. */
  lastAssocId: string | null;
}

function sameIdentity(truth: TruthPoint, track: SystemTrack): boolean | null {
  if (track.icao24 !== null) return truth.icao24 !== null && truth.icao24.toLowerCase() === track.icao24.toLowerCase();
  if (track.mode3a !== null) return truth.mode3a === track.mode3a;
  return null;
}

/**
 * The CLEAR MOT correspondence at one instant, per truth row: a track column
 * or -1. A truth that had a correspondence at its previous instant keeps
 * that track while it is reported within the gate (at the previous instant
 * each track corresponded to one truth at most, so no two keep the same
 * one); the others are matched optimally among the tracks nobody kept. `assoc` holds
 * this instant's optimal association of all rows, reused when nothing is kept.
 */
function continuityCorrespondence(
  xs: readonly TruthPoint[],
  ys: readonly SystemTrack[],
  continuity: ReadonlyMap<string, Continuity>,
  assoc: InstantAssociation,
  rest: InstantAssociation,
  settings: InstantSettings,
  out: Int32Array,
): Int32Array {
  const m = xs.length;
  out.fill(-1, 0, m);
  let colOf: Map<string, number> | null = null;
  const taken = new Set<number>();
  for (let i = 0; i < m; i++) {
    const state = continuity.get(xs[i]!.id);
    const last = state && !state.gapOpen ? state.lastTrackId : null;
    if (last === null) continue;
    colOf ??= new Map(ys.map((y, j) => [y.id, j]));
    const j = colOf.get(last);
    if (j === undefined) continue;
    const x = xs[i]!;
    const y = ys[j]!;
    if (horizontalDistanceM(x.latDeg, x.lonDeg, y.latDeg, y.lonDeg) >= settings.gateM) continue;
    out[i] = j;
    taken.add(j);
  }
  if (taken.size === 0) {
    out.set(assoc.assocCol.subarray(0, m));
    return out;
  }
  const rows: number[] = [];
  for (let i = 0; i < m; i++) if (out[i]! < 0) rows.push(i);
  const cols: number[] = [];
  for (let j = 0; j < ys.length; j++) if (!taken.has(j)) cols.push(j);
  if (rows.length === 0 || cols.length === 0) return out;
  rest.run(rows.map((i) => xs[i]!), cols.map((j) => ys[j]!), settings);
  for (let k = 0; k < rows.length; k++) {
    const col = rest.assocCol[k]!;
    if (col >= 0) out[rows[k]!] = cols[col]!;
  }
  return out;
}

/** Score tracks against truth; see the file header for every definition. */
export function evaluate(
  truth: readonly TruthPoint[],
  tracks: readonly SystemTrack[],
  opts: EvalOptions = {},
): EvalReport {
  const cM = opts.cM ?? 2000;
  const p = opts.p ?? 2;
  const alpha = opts.alpha ?? 2;
  const gateM = opts.gateM ?? cM;
  if (!(cM > 0) || !Number.isFinite(cM)) throw new SkyError('SKY_USAGE', `GOSPA cut-off c must be a positive number of metres, got ${cM}`);
  if (!(p >= 1) || !Number.isFinite(p)) throw new SkyError('SKY_USAGE', `GOSPA order p must be >= 1, got ${p}`);
  if (alpha !== 2) {
    throw new SkyError('SKY_USAGE', `GOSPA alpha must be 2 (missed and false targets are only defined for alpha = 2), got ${alpha}`);
  }
  if (!(gateM > 0) || !Number.isFinite(gateM)) throw new SkyError('SKY_USAGE', `association gate must be a positive number of metres, got ${gateM}`);

  const truthByTime = groupByTime(truth);
  const truthTimesS = Float64Array.from(truthByTime.keys()).sort();
  const snapshotTimesS = Float64Array.from(new Set(tracks.map((tr) => tr.timeS))).sort();
  const scoredByTime = groupByTime(tracks.filter((tr) => tr.status === 'confirmed' || tr.status === 'coasting'));
  const matchSnapshot = snapshotMatcher(snapshotTimesS);

  let instants = 0;
  let sumGospaM = 0;
  let sumLocM = 0;
  let sumMissedM = 0;
  let sumFalseM = 0;
  let truthPoints = 0;
  let unobservablePoints = 0;
  let truthCovered = 0;
  let trackPoints = 0;
  let trackPointsAssociated = 0;
  let sumSqHorizontal = 0;
  let nHorizontal = 0;
  let sumSqVertical = 0;
  let nVertical = 0;
  let identityStated = 0;
  let identityRight = 0;
  let idSwaps = 0;
  let trackBreaks = 0;
  let idReassignments = 0;
  const truthIds = new Set<string>();
  const trackIds = new Set<string>();
  const continuity = new Map<string, Continuity>();

  const instant = new InstantAssociation();
  const rest = new InstantAssociation();
  let corr = new Int32Array(64);
  const settings = { cM, gateM, p };
  const halfCP = Math.pow(cM, p) / 2;
  const noTracks: SystemTrack[] = [];

  for (const tS of truthTimesS) {
    const snapshotS = matchSnapshot(tS);
    if (snapshotS === null) continue;
    const xs = truthByTime.get(tS)!;
    const ys = Number.isNaN(snapshotS) ? noTracks : (scoredByTime.get(snapshotS) ?? noTracks);
    const m = xs.length;
    const n = ys.length;
    let observable = 0;
    for (const x of xs) if (x.observable !== false) observable++;
    instants++;
    truthPoints += observable;
    unobservablePoints += m - observable;
    trackPoints += n;
    for (const x of xs) truthIds.add(x.id);
    for (const y of ys) trackIds.add(y.id);

    // GOSPA at this instant.
    instant.run(xs, ys, settings);
    const locP = instant.locP;
    // An aircraft no sensor could see is not missed; a track on it is not false.
    let missed = 0;
    for (let i = 0; i < m; i++) if (instant.gospaPaired[i] === 0 && xs[i]!.observable !== false) missed++;
    const missedP = halfCP * missed;
    const falseP = halfCP * (n - instant.paired);
    sumGospaM += Math.pow(locP + missedP + falseP, 1 / p);
    sumLocM += Math.pow(locP, 1 / p);
    sumMissedM += Math.pow(missedP, 1 / p);
    sumFalseM += Math.pow(falseP, 1 / p);

    // Association for the other figures.
    for (let i = 0; i < m; i++) {
      const x = xs[i]!;
      const j = instant.assocCol[i]!;
      let state = continuity.get(x.id);
      if (!state) {
        state = { lastTrackId: null, gapOpen: false, lastAssocId: null };
        continuity.set(x.id, state);
      }
      if (j < 0) continue;
      const y = ys[j]!;
      const dij = instant.assocDistM[i]!;
      if (x.observable !== false) truthCovered++;
      trackPointsAssociated++;
      sumSqHorizontal += dij * dij;
      nHorizontal++;
      if (x.altM !== null && y.altM !== null) {
        const dz = y.altM - x.altM;
        sumSqVertical += dz * dz;
        nVertical++;
      }
      const same = sameIdentity(x, y);
      if (same !== null) {
        identityStated++;
        if (same) identityRight++;
      }
      if (state.lastAssocId !== null && state.lastAssocId !== y.id) idReassignments++;
      state.lastAssocId = y.id;
    }

    // Continuity: CLEAR MOT correspondences (file header).
    if (corr.length < m) corr = new Int32Array(m);
    const c = continuityCorrespondence(xs, ys, continuity, instant, rest, settings, corr);
    for (let i = 0; i < m; i++) {
      const state = continuity.get(xs[i]!.id)!;
      const j = c[i]!;
      if (j >= 0) {
        const id = ys[j]!.id;
        if (state.lastTrackId !== null && state.lastTrackId !== id) {
          idSwaps++;
          opts.onSwap?.({ timeS: tS, truthId: xs[i]!.id, fromTrackId: state.lastTrackId, toTrackId: id });
        }
        if (state.gapOpen) trackBreaks++;
        state.lastTrackId = id;
        state.gapOpen = false;
      } else if (state.lastTrackId !== null) {
        state.gapOpen = true;
      }
    }
  }

  return {
    gospa: {
      meanM: instants > 0 ? sumGospaM / instants : NaN,
      localisationM: instants > 0 ? sumLocM / instants : NaN,
      missedM: instants > 0 ? sumMissedM / instants : NaN,
      falseM: instants > 0 ? sumFalseM / instants : NaN,
    },
    rmsHorizontalM: nHorizontal > 0 ? Math.sqrt(sumSqHorizontal / nHorizontal) : NaN,
    rmsVerticalM: nVertical > 0 ? Math.sqrt(sumSqVertical / nVertical) : null,
    coverage: truthPoints > 0 ? truthCovered / truthPoints : 0,
    falseTrackRate: trackPoints > 0 ? (trackPoints - trackPointsAssociated) / trackPoints : 0,
    idSwaps,
    trackBreaks,
    idReassignments,
    identityCorrect: identityStated > 0 ? identityRight / identityStated : null,
    truthAircraft: truthIds.size,
    trackIds: trackIds.size,
    instants,
    truthInstants: truthTimesS.length,
    aircraftHours: truthPoints / 3600,
    unobservablePoints,
    settings: { cM, p, alpha, gateM, toleranceS: TOLERANCE_S },
  };
}
