// ASTERIX carries time of day (seconds since UTC midnight) without a date.
// The decoder turns it into seconds since the epoch with the recording's day,
// unwrapping midnight per source: a sensor's clock is monotonic, so a jump
// back by more than half a day means the next day began.

const DAY_S = 86400;

export function dayStartS(dateYmd: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateYmd);
  if (!m) throw new RangeError(`date must be YYYY-MM-DD, got "${dateYmd}"`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== dateYmd) throw new RangeError(`no such date "${dateYmd}"`);
  return ms / 1000;
}

export function isoDay(timeS: number): string {
  return new Date(timeS * 1000).toISOString().slice(0, 10);
}

export function timeOfDayS(timeS: number): number {
  return ((timeS % DAY_S) + DAY_S) % DAY_S;
}

/** Unwraps time of day into epoch seconds, separately for each source key. */
export class TimeOfDayUnwrapper {
  private readonly lastBySource = new Map<number, number>();

  constructor(private readonly startOfDayS: number) {}

  toEpochS(sourceKey: number, tod: number): number {
    const last = this.lastBySource.get(sourceKey);
    let t = this.startOfDayS + tod;
    if (last !== undefined) {
      // Pick the day that puts t nearest the source's previous time.
      while (t < last - DAY_S / 2) t += DAY_S;
      while (t > last + DAY_S / 2) t -= DAY_S;
    }
    this.lastBySource.set(sourceKey, t);
    return t;
  }
}
