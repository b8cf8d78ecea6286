// System track numbers for I062/040: our track ids are strings ("T42"), the
// ASTERIX track number is 16 bits. Each id keeps its number for its life; a
// number freed when its track ends is handed out again only after a delay,
// so a consumer that missed the end of the old track never merges it with a
// new one. State is per output stream (one TrackNumbers per file or feed).

import type { SystemTrack, TrackFrame } from '../core/types.ts';

/** One track of a frame with its number and the facts I062/080 and I062/060 need. */
export interface NumberedTrack {
  readonly track: SystemTrack;
  readonly number: number;
  /** First message for this track (I062/080 TSB). */
  readonly first: boolean;
  /** Last message for this track (I062/080 TSE): it ended before this frame; `track` is its last state. */
  readonly last: boolean;
  /** Mode 3/A differs from the previous message's (I062/060 CH). */
  readonly mode3aChanged: boolean;
}

export interface FrameNumbering {
  /** The frame's tracks that have a number, in frame order. */
  readonly live: readonly NumberedTrack[];
  /** Tracks of the previous frame absent from this one, last state; their numbers start cooling now. */
  readonly ended: readonly NumberedTrack[];
  /** Tracks left without a number because all 65536 are in use or cooling. */
  readonly unnumbered: number;
}

export interface TrackNumbersOptions {
  /**
   * Seconds of data time before a freed number is used again. Default 300:
   * consumers drop a silent track after their own timeout (seconds to a
   * minute); five minutes leaves a wide margin and, at 65536 numbers,
   * still allows about 200 new tracks a second.
   */
  readonly reuseDelayS?: number;
}

const COUNT = 65536;

export class TrackNumbers {
  private readonly reuseDelayS: number;
  private readonly byId = new Map<string, number>();
  private readonly lastState = new Map<string, SystemTrack>();
  /** Freed numbers in the order they were freed (data time is monotonic per stream, so the head cools first). */
  private readonly freed: { number: number; atS: number }[] = [];
  private freedHead = 0;
  /** Never-used numbers are handed out first, from 1 upward; 0 last, as some displays read 0 as "no track". */
  private fresh = 1;
  private freshLeft = COUNT;

  constructor(opts: TrackNumbersOptions = {}) {
    this.reuseDelayS = opts.reuseDelayS ?? 300;
  }

  /** The number a live track id holds, if any. */
  numberOf(id: string): number | undefined {
    return this.byId.get(id);
  }

  /** Number of ids holding a number. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Numbers the frame's tracks and ends the tracks that left. Call once per
   * frame, in time order: the call itself advances the state.
   */
  update(frame: TrackFrame): FrameNumbering {
    const seen = new Set<string>();
    for (const t of frame.tracks) seen.add(t.id);
    const ended: NumberedTrack[] = [];
    for (const [id, number] of this.byId) {
      if (seen.has(id)) continue;
      const track = this.lastState.get(id)!;
      ended.push({ track, number, first: false, last: true, mode3aChanged: false });
      this.byId.delete(id);
      this.lastState.delete(id);
      this.freed.push({ number, atS: frame.timeS });
    }
    const live: NumberedTrack[] = [];
    let unnumbered = 0;
    for (const track of frame.tracks) {
      let number = this.byId.get(track.id);
      const first = number === undefined;
      if (number === undefined) {
        number = this.take(frame.timeS);
        if (number === undefined) {
          unnumbered++;
          continue;
        }
        this.byId.set(track.id, number);
      }
      const prev = this.lastState.get(track.id);
      live.push({ track, number, first, last: false, mode3aChanged: prev !== undefined && prev.mode3a !== track.mode3a });
      this.lastState.set(track.id, track);
    }
    return { live, ended, unnumbered };
  }

  private take(nowS: number): number | undefined {
    if (this.freshLeft > 0) {
      const n = this.fresh;
      this.fresh = (this.fresh + 1) % COUNT;
      this.freshLeft--;
      return n;
    }
    const head = this.freed[this.freedHead];
    if (head === undefined || nowS - head.atS < this.reuseDelayS) return undefined;
    this.freedHead++;
    if (this.freedHead > 1024 && this.freedHead * 2 > this.freed.length) {
      this.freed.splice(0, this.freedHead);
      this.freedHead = 0;
    }
    return head.number;
  }
}
