// A uniform grid over the tracker's plane, so a plot is compared only with
// tracks near it: association cost grows with local density, not with the
// number of tracks. Items are placed at a position valid at `timeS`; a query
// made later widens its radius by how far the fastest aircraft can have
// moved since, so nothing gated is ever missed.

/** Fastest ground speed allowed for, m/s (Mach 1.2 at altitude). */
export const MAX_SPEED_MPS = 400;

export class Grid<T> {
  private readonly cells = new Map<number, T[]>();
  timeS = -Infinity;

  constructor(readonly cellM: number) {}

  /** One number per cell: 2^21 cells an axis, far more than any plane needs, and exact in a double. */
  private key(ix: number, iy: number): number {
    return (ix + 1048576) * 2097152 + (iy + 1048576);
  }

  clear(timeS: number): void {
    this.cells.clear();
    this.timeS = timeS;
  }

  add(item: T, e: number, n: number): void {
    const k = this.key(Math.floor(e / this.cellM), Math.floor(n / this.cellM));
    const c = this.cells.get(k);
    if (c) c.push(item);
    else this.cells.set(k, [item]);
  }

  /**
   * Appends to `out` every item placed within `radiusM` (plus the motion
   * allowance since the grid's time) of (e, n), and possibly a few more
   * from the same cells: callers still apply their own gate.
   */
  query(e: number, n: number, radiusM: number, atS: number, out: T[]): T[] {
    const r = radiusM + MAX_SPEED_MPS * Math.abs(atS - this.timeS);
    const x0 = Math.floor((e - r) / this.cellM), x1 = Math.floor((e + r) / this.cellM);
    const y0 = Math.floor((n - r) / this.cellM), y1 = Math.floor((n + r) / this.cellM);
    for (let ix = x0; ix <= x1; ix++) {
      for (let iy = y0; iy <= y1; iy++) {
        const c = this.cells.get(this.key(ix, iy));
        if (c) for (const it of c) out.push(it);
      }
    }
    return out;
  }
}
