// A coarse latitude/longitude grid of the aircraft, rebuilt every simulated
// second (a counting sort, O(aircraft)), so each radar scan looks only at the
// aircraft in the cells its coverage touches instead of every aircraft.
// Candidates come back in spawn order, the order the full list is in, so a
// culled scan draws the same random numbers as a full one would.

import type { Aircraft } from './traffic.ts';

const R_M = 6371000;
const DEG = Math.PI / 180;

export class AircraftGrid {
  private readonly lat0: number;
  private readonly lon0: number;
  private readonly rows: number;
  private readonly cols: number;
  private readonly cellRad: number;
  private start: Int32Array;
  private items: Aircraft[] = [];
  private cellOf = new Int32Array(0);

  /** Covers the disk of radiusM around the centre (aircraft beyond go to the border cells). */
  constructor(centerLatRad: number, centerLonRad: number, radiusM: number, cellDeg = 0.5) {
    this.cellRad = cellDeg * DEG;
    const dLat = radiusM / R_M + this.cellRad;
    const latLo = Math.max(-89 * DEG, centerLatRad - dLat);
    const latHi = Math.min(89 * DEG, centerLatRad + dLat);
    const maxAbs = Math.max(Math.abs(latLo), Math.abs(latHi));
    const dLon = Math.min(Math.PI, radiusM / (R_M * Math.cos(maxAbs)) + this.cellRad);
    this.lat0 = latLo;
    this.lon0 = centerLonRad - dLon;
    this.rows = Math.max(1, Math.ceil((latHi - latLo) / this.cellRad));
    this.cols = Math.max(1, Math.ceil((2 * dLon) / this.cellRad));
    this.start = new Int32Array(this.rows * this.cols + 1);
  }

  private row(latRad: number): number {
    const r = Math.floor((latRad - this.lat0) / this.cellRad);
    return r < 0 ? 0 : r >= this.rows ? this.rows - 1 : r;
  }

  private col(lonRad: number): number {
    const c = Math.floor((lonRad - this.lon0) / this.cellRad);
    return c < 0 ? 0 : c >= this.cols ? this.cols - 1 : c;
  }

  build(aircraft: readonly Aircraft[]): void {
    const n = aircraft.length;
    if (this.cellOf.length < n) this.cellOf = new Int32Array(Math.max(n, this.cellOf.length * 2));
    const start = this.start;
    start.fill(0);
    for (let i = 0; i < n; i++) {
      const ac = aircraft[i]!;
      const c = this.row(ac.latRad) * this.cols + this.col(ac.lonRad);
      this.cellOf[i] = c;
      start[c + 1]!++;
    }
    for (let c = 0; c < this.rows * this.cols; c++) start[c + 1]! += start[c]!;
    const fill = start.slice(0, this.rows * this.cols);
    const items = new Array<Aircraft>(n);
    // Aircraft are in spawn order, so each cell's list is too.
    for (let i = 0; i < n; i++) items[fill[this.cellOf[i]!]!++] = aircraft[i]!;
    this.items = items;
  }

  /** Aircraft in the cells within radiusM of a point, in spawn order. */
  query(latRad: number, lonRad: number, radiusM: number, out: Aircraft[]): Aircraft[] {
    out.length = 0;
    const dLat = radiusM / R_M;
    const maxAbs = Math.min(89 * DEG, Math.abs(latRad) + dLat);
    const dLon = radiusM / (R_M * Math.cos(maxAbs));
    const r0 = this.row(latRad - dLat);
    const r1 = this.row(latRad + dLat);
    const c0 = this.col(lonRad - dLon);
    const c1 = this.col(lonRad + dLon);
    let cells = 0;
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const k = r * this.cols + c;
        const a = this.start[k]!;
        const b = this.start[k + 1]!;
        if (b > a) cells++;
        for (let i = a; i < b; i++) out.push(this.items[i]!);
      }
    }
    if (cells > 1) out.sort((x, y) => x.serial - y.serial);
    return out;
  }
}
