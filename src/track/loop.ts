// Drives a Tracker from a stream of plot batches: puts batches from sensors
// with different latencies back in time order (a short reordering window;
// a batch later than that still updates its tracks, as an out-of-sequence
// measurement: ImmFilter.updateLate), and emits a frame of every live track at each period boundary of data
// time. Used alike by the batch `track` command and the live pipeline.

import type { Plot, TrackFrame } from '../core/types.ts';
import type { Tracker } from './tracker.ts';

export interface LoopOptions {
  readonly periodS: number;
  /** How long a batch waits for earlier ones from slower sensors. */
  readonly reorderWindowS: number;
}

interface Pending {
  readonly timeS: number;
  /** Breaks ties of equal time (ASTERIX times are 1/128 s steps), so the order never depends on which file or socket a batch came through. */
  readonly sensorId: string;
  readonly plots: readonly Plot[];
}

export class TrackingLoop {
  private readonly pending: Pending[] = [];
  private newestS = -Infinity;
  private nextFrameS: number | null = null;
  /** Batches that arrived older than what was already processed (still used, slightly late). */
  latePlots = 0;
  private processedS = -Infinity;

  constructor(
    private readonly tracker: Tracker,
    private readonly opts: LoopOptions,
    private readonly onFrame: (frame: TrackFrame) => void,
  ) {}

  push(plots: readonly Plot[]): void {
    if (plots.length === 0) return;
    let t = Infinity;
    for (const p of plots) if (p.timeS < t) t = p.timeS;
    this.insert({ timeS: t, sensorId: plots[0]!.sensorId, plots });
    if (t > this.newestS) this.newestS = t;
    this.release(this.newestS - this.opts.reorderWindowS);
  }

  /** Data time has reached `nowS` (live mode, when no plot arrives): emit due frames. */
  tick(nowS: number): void {
    this.release(nowS - this.opts.reorderWindowS);
    this.emitFramesUpTo(nowS - this.opts.reorderWindowS);
  }

  /** End of data: process everything and emit the frames up to the last plot. */
  flush(): void {
    this.release(Infinity);
    if (this.processedS > -Infinity) this.emitFramesUpTo(this.processedS);
  }

  private insert(p: Pending): void {
    // Batches nearly always arrive in order: insert from the back.
    const q = this.pending;
    let i = q.length;
    while (i > 0 && (q[i - 1]!.timeS > p.timeS || (q[i - 1]!.timeS === p.timeS && q[i - 1]!.sensorId > p.sensorId))) i--;
    q.splice(i, 0, p);
  }

  private release(upToS: number): void {
    const q = this.pending;
    let k = 0;
    while (k < q.length && q[k]!.timeS <= upToS) {
      const b = q[k++]!;
      this.emitFramesUpTo(b.timeS);
      if (b.timeS < this.processedS) this.latePlots += b.plots.length;
      this.tracker.process(b.plots);
      if (b.timeS > this.processedS) this.processedS = b.timeS;
    }
    if (k > 0) q.splice(0, k);
  }

  private emitFramesUpTo(tS: number): void {
    if (this.nextFrameS === null) {
      if (!Number.isFinite(tS)) return;
      this.nextFrameS = Math.ceil(tS / this.opts.periodS) * this.opts.periodS;
    }
    while (this.nextFrameS <= tS) {
      const timeS: number = this.nextFrameS;
      this.onFrame({ kind: 'frame', timeS, tracks: this.tracker.snapshot(timeS) });
      this.nextFrameS = Math.round((timeS + this.opts.periodS) * 1e6) / 1e6;
    }
  }
}
