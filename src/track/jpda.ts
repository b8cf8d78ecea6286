// Joint probabilistic data association (Fortmann, Bar-Shalom & Scheffe,
// "Sonar tracking of multiple targets using joint probabilistic data
// association", IEEE J. Oceanic Eng. 1983): the marginal probability that
// plot i is track t's, over every feasible joint event of a cluster (each
// plot is at most one track's, each track takes at most one plot), in the
// parametric form
//   P(event) ∝ Π over paired (t, i) of w_ti  ·  Π over tracks left without a plot of miss,
// where w_ti = Pd · N(ν_ti; 0, S_ti) / λ (the pair's likelihood against a
// plot being clutter or a new aircraft of spatial density λ) and miss =
// 1 − Pd. Exact enumeration, depth first over tracks; a cluster with more
// events than a cap is left to the caller (returns false).

/** Pairs of one cluster: track index t (0..nTracks-1), plot index (any ids), weight w > 0. */
export interface JpdaPairs {
  readonly track: ArrayLike<number>;
  readonly plot: ArrayLike<number>;
  readonly weight: ArrayLike<number>;
  readonly count: number;
}

/**
 * Marginal association probabilities, one per pair, into `beta` (length >=
 * count): beta[k] = P(pair k's plot is pair k's track). For each track the
 * remainder 1 − Σ beta over its pairs is the probability that none of its
 * plots is. Returns false (beta untouched) when the cluster has more than
 * maxEvents joint events.
 */
export function jpdaMarginals(nTracks: number, pairs: JpdaPairs, miss: number, beta: Float64Array, maxEvents = 20000): boolean {
  // Pairs grouped by track.
  const byTrack: number[][] = Array.from({ length: nTracks }, () => []);
  for (let k = 0; k < pairs.count; k++) byTrack[pairs.track[k]!]!.push(k);
  let events = 1;
  for (const list of byTrack) {
    events *= list.length + 1;
    if (events > maxEvents) return false;
  }
  const sum = new Float64Array(pairs.count);
  const used = new Set<number>();
  const chosen: number[] = [];
  let total = 0;
  const visit = (t: number, w: number): void => {
    if (t === nTracks) {
      total += w;
      for (const k of chosen) sum[k]! += w;
      return;
    }
    visit(t + 1, w * miss);
    for (const k of byTrack[t]!) {
      const p = pairs.plot[k]!;
      if (used.has(p)) continue;
      used.add(p);
      chosen.push(k);
      visit(t + 1, w * pairs.weight[k]!);
      chosen.pop();
      used.delete(p);
    }
  };
  visit(0, 1);
  if (!(total > 0) || !Number.isFinite(total)) return false;
  for (let k = 0; k < pairs.count; k++) beta[k] = sum[k]! / total;
  return true;
}
