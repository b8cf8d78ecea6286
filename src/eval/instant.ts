// One instant's truth-to-track assignment, solved sparsely. Only pairs
// closer than the cut-off can change GOSPA or the association (a farther
// pair costs exactly the cut-off, the same as one missed plus one false), so
// the problem splits into the connected components of the "closer than
// R = max(c, gate)" graph and each component is solved on its own with the
// full-assignment form (Crouse 2016) on clipped costs. On a 200-aircraft
// picture that is a handful of 1x1 problems instead of a 200x200 one, and
// distances are computed only inside a latitude band, not for every pair.
// The result is identical to the dense assignment (see instant.test.ts).

import type { SystemTrack, TruthPoint } from '../core/types.ts';
import { solveAssignment } from '../track/assign.ts';
import { horizontalDistanceM } from './geo.ts';

// The smallest WGS-84 meridian radius of curvature, a(1 − e²) at the
// equator: no latitude difference of Δφ is shorter than Δφ times this, so it
// bounds the band of latitudes that can hold a pair closer than R.
const MIN_MERIDIAN_RADIUS_M = 6378137.0 * (1 - (1 / 298.257223563) * (2 - 1 / 298.257223563));
const DEG = Math.PI / 180;

export interface InstantSettings {
  readonly cM: number;
  readonly gateM: number;
  readonly p: number;
}

function findRoot(parent: Int32Array, a: number): number {
  while (parent[a] !== a) {
    const up = parent[parent[a]!]!;
    parent[a] = up; // path halving
    a = up;
  }
  return a;
}

/** Reusable solver; one per evaluation, buffers grow to the largest instant. */
export class InstantAssociation {
  /** GOSPA: Σ d^p over pairs assigned with d < c. */
  locP = 0;
  /** GOSPA: number of pairs assigned with d < c. */
  paired = 0;
  /** GOSPA: per truth row, 1 when paired with a track at d < c. */
  gospaPaired = new Uint8Array(0);
  /** Association: per truth row, the track column (d < gate) or -1. */
  assocCol = new Int32Array(0);
  /** Association: per truth row, the pair's distance (NaN when unassigned). */
  assocDistM = new Float64Array(0);

  private edgeRow = new Int32Array(256);
  private edgeCol = new Int32Array(256);
  private edgeDistM = new Float64Array(256);
  private nEdges = 0;

  run(xs: readonly TruthPoint[], ys: readonly SystemTrack[], s: InstantSettings): void {
    const m = xs.length;
    const n = ys.length;
    if (this.assocCol.length < m) {
      this.assocCol = new Int32Array(m);
      this.assocDistM = new Float64Array(m);
      this.gospaPaired = new Uint8Array(m);
    }
    this.gospaPaired.fill(0, 0, m);
    this.assocCol.fill(-1, 0, m);
    this.assocDistM.fill(NaN, 0, m);
    this.locP = 0;
    this.paired = 0;
    if (m === 0 || n === 0) return;
    const radiusM = Math.max(s.cM, s.gateM);
    this.findPairs(xs, ys, radiusM);
    if (this.nEdges === 0) return;
    this.solveComponents(m, n, s);
  }

  /** Every (truth, track) pair closer than radiusM, by a sweep over tracks sorted by latitude. */
  private findPairs(xs: readonly TruthPoint[], ys: readonly SystemTrack[], radiusM: number): void {
    const n = ys.length;
    const order = new Int32Array(n);
    for (let j = 0; j < n; j++) order[j] = j;
    order.sort((a, b) => ys[a]!.latDeg - ys[b]!.latDeg);
    const lats = new Float64Array(n);
    for (let k = 0; k < n; k++) lats[k] = ys[order[k]!]!.latDeg;
    const bandDeg = radiusM / MIN_MERIDIAN_RADIUS_M / DEG;
    this.nEdges = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const loLat = x.latDeg - bandDeg;
      const hiLat = x.latDeg + bandDeg;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (lats[mid]! < loLat) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < n && lats[k]! <= hiLat; k++) {
        const j = order[k]!;
        const y = ys[j]!;
        const dM = horizontalDistanceM(x.latDeg, x.lonDeg, y.latDeg, y.lonDeg);
        if (dM < radiusM) this.addEdge(i, j, dM);
      }
    }
  }

  private addEdge(i: number, j: number, dM: number): void {
    if (this.nEdges === this.edgeRow.length) {
      const size = this.edgeRow.length * 2;
      const r = new Int32Array(size);
      r.set(this.edgeRow);
      const c = new Int32Array(size);
      c.set(this.edgeCol);
      const d = new Float64Array(size);
      d.set(this.edgeDistM);
      this.edgeRow = r;
      this.edgeCol = c;
      this.edgeDistM = d;
    }
    this.edgeRow[this.nEdges] = i;
    this.edgeCol[this.nEdges] = j;
    this.edgeDistM[this.nEdges] = dM;
    this.nEdges++;
  }

  private solveComponents(m: number, n: number, s: InstantSettings): void {
    const { cM, gateM, p } = s;
    const nEdges = this.nEdges;
    // Union-find over nodes 0..m-1 (truth rows) and m..m+n-1 (track columns).
    const parent = new Int32Array(m + n);
    for (let k = 0; k < m + n; k++) parent[k] = k;
    for (let e = 0; e < nEdges; e++) {
      const ra = findRoot(parent, this.edgeRow[e]!);
      const rb = findRoot(parent, m + this.edgeCol[e]!);
      if (ra !== rb) parent[ra] = rb;
    }

    // Number the components that have edges; give each node its local index.
    const compOfRoot = new Int32Array(m + n).fill(-1);
    const local = new Int32Array(m + n);
    const compRows: number[][] = [];
    const compCols: number[][] = [];
    const compEdges: number[][] = [];
    for (let e = 0; e < nEdges; e++) {
      const root = findRoot(parent, this.edgeRow[e]!);
      let c = compOfRoot[root]!;
      if (c === -1) {
        c = compRows.length;
        compOfRoot[root] = c;
        compRows.push([]);
        compCols.push([]);
        compEdges.push([]);
      }
      compEdges[c]!.push(e);
    }
    for (let node = 0; node < m + n; node++) {
      const c = compOfRoot[findRoot(parent, node)]!;
      if (c === -1) continue; // isolated: a missed truth or a false track
      const list = node < m ? compRows[c]! : compCols[c]!;
      local[node] = list.length;
      list.push(node < m ? node : node - m);
    }

    const cP = Math.pow(cM, p);
    const gateP = Math.pow(gateM, p);
    const sameGate = gateM === cM;
    for (let c = 0; c < compRows.length; c++) {
      const rows = compRows[c]!;
      const cols = compCols[c]!;
      const mk = rows.length;
      const nk = cols.length;
      // Clipped costs: a pair at or beyond the cut-off costs exactly c^p.
      const costGospa = new Float64Array(mk * nk).fill(cP);
      const costGate = sameGate ? costGospa : new Float64Array(mk * nk).fill(gateP);
      const distM = new Float64Array(mk * nk).fill(Infinity);
      for (const e of compEdges[c]!) {
        const k = local[this.edgeRow[e]!]! * nk + local[m + this.edgeCol[e]!]!;
        const dM = this.edgeDistM[e]!;
        distM[k] = dM;
        costGospa[k] = Math.pow(Math.min(dM, cM), p);
        if (!sameGate) costGate[k] = Math.pow(Math.min(dM, gateM), p);
      }
      const gospa = solveAssignment(costGospa, mk, nk);
      for (let i = 0; i < mk; i++) {
        const j = gospa.rowToCol[i]!;
        if (j >= 0 && distM[i * nk + j]! < cM) {
          this.locP += costGospa[i * nk + j]!;
          this.paired++;
          this.gospaPaired[rows[i]!] = 1;
        }
      }
      const assoc = sameGate ? gospa : solveAssignment(costGate, mk, nk);
      for (let i = 0; i < mk; i++) {
        const j = assoc.rowToCol[i]!;
        if (j >= 0 && distM[i * nk + j]! < gateM) {
          this.assocCol[rows[i]!] = cols[j]!;
          this.assocDistM[rows[i]!] = distM[i * nk + j]!;
        }
      }
    }
  }
}
