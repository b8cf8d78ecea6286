// A clutter map per radar, as plot extractors and trackers have long kept:
// a polar grid that counts primary-only plots no confirmed track took, with
// an exponential memory. Where they keep coming back scan after scan (ground
// clutter, sea clutter, wind farms, weather), the cell is clutter: a
// primary-only plot there may update a confirmed track but can neither start
// a track nor feed a tentative one. An aircraft being initiated drops a plot
// or two per cell, so it does not mark a cell by itself.

/** Range and azimuth resolution of the map. */
const RANGE_BIN_M = 2000;
const AZ_BINS = 180; // 2 degrees
/** Memory of the map, s: a few dozen antenna turns. */
const TAU_S = 120;
/** Decayed count above which a cell is clutter (an aircraft being initiated gives 1-2). */
const THRESHOLD = 2.5;

export class ClutterMap {
  private readonly count = new Map<number, number>();
  private readonly timeS = new Map<number, number>();

  private key(rangeM: number, azimuthRad: number): number {
    const r = Math.floor(rangeM / RANGE_BIN_M);
    const a = Math.floor(((azimuthRad / (2 * Math.PI)) * AZ_BINS + AZ_BINS) % AZ_BINS);
    return r * AZ_BINS + a;
  }

  private decayed(k: number, nowS: number): number {
    const c = this.count.get(k);
    if (c === undefined) return 0;
    return c * Math.exp(-Math.max(0, nowS - this.timeS.get(k)!) / TAU_S);
  }

  /** Count a primary-only plot that no confirmed track took. */
  add(rangeM: number, azimuthRad: number, nowS: number): void {
    const k = this.key(rangeM, azimuthRad);
    this.count.set(k, this.decayed(k, nowS) + 1);
    this.timeS.set(k, nowS);
  }

  isClutter(rangeM: number, azimuthRad: number, nowS: number): boolean {
    return this.decayed(this.key(rangeM, azimuthRad), nowS) > THRESHOLD;
  }

  get cells(): number {
    return this.count.size;
  }
}
