// The live CAT062 feed: every track frame on the bus goes out over UDP
// (unicast or multicast) as CAT062 data blocks, one block per datagram,
// followed by a CAT065 end-of-batch; a CAT065 SDPS status opens the feed and
// repeats every statusPeriodS of data time. Sends are queued in order and
// never block the bus; a feed that falls behind drops whole frames. With
// `audienceKey` the feed sends only the frames of the audience its partner
// sees now (releasability on the output); when that audience changes, the
// old picture's tracks get their last records (TSE), then track numbering
// restarts and the next SDPS status says so (I065/040 STTN toggles).

import type { Bus } from '../core/bus.ts';
import { SkyError } from '../core/errors.ts';
import type { TrackFrame } from '../core/types.ts';
import { UdpSender } from '../ingest/index.ts';
import { encodeCat062Frame, encodeCat065Message, type Cat062Options } from './cat062.ts';
import { TrackNumbers } from './numbers.ts';

export interface Cat062OutputOptions extends Omit<Cat062Options, 'maxBlockBytes' | 'onError'> {
  /** Destination: a unicast address or a multicast group. */
  readonly host: string;
  readonly port: number;
  readonly multicastTtl?: number;
  readonly multicastInterface?: string;
  /** Seconds of data time between frames sent; default 0 (every frame the tracker publishes). */
  readonly periodS?: number;
  /** Largest datagram payload; default 1472 (an Ethernet MTU of 1500 less IPv4 and UDP headers): no IP fragmentation. */
  readonly maxDatagramBytes?: number;
  /** Seconds of data time between CAT065 SDPS status messages; default 10. */
  readonly statusPeriodS?: number;
  /** Default true here: consumers learn at once that a track ended (I062/080 TSE). */
  readonly endRecords?: boolean;
  /** Reuse delay of track numbers (see TrackNumbers); default 300 s. */
  readonly reuseDelayS?: number;
  /** Send only frames of this audience (asked at every frame); undefined: send nothing. Without it, every frame. */
  readonly audienceKey?: () => string | undefined;
  /** Frames waiting to be sent before new ones are dropped; default 8. */
  readonly maxQueuedFrames?: number;
  readonly onError?: (e: SkyError) => void;
}

export class Cat062Output {
  readonly stats = { frames: 0, skipped: 0, dropped: 0, datagrams: 0, bytes: 0, failed: 0, errors: 0, renumberings: 0 };
  private readonly sender: UdpSender;
  private numbers: TrackNumbers;
  private audience: string | undefined;
  private sttn: 0 | 1 = 0;
  private readonly unsubscribe: () => void;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private lastSentS = -Infinity;
  private lastStatusS = -Infinity;
  private closed = false;
  private abandon = false;

  constructor(bus: Bus, private readonly opts: Cat062OutputOptions) {
    this.sender = new UdpSender({ host: opts.host, port: opts.port, multicastTtl: opts.multicastTtl, multicastInterface: opts.multicastInterface });
    this.numbers = new TrackNumbers({ reuseDelayS: opts.reuseDelayS });
    this.unsubscribe = bus.subscribe('tracks', (frame) => this.onFrame(frame));
  }

  private report(e: SkyError): void {
    this.stats.errors++;
    this.opts.onError?.(e);
  }

  private onFrame(frame: TrackFrame): void {
    if (this.closed) return;
    const datagrams: Uint8Array[] = [];
    if (this.opts.audienceKey) {
      const key = this.opts.audienceKey();
      if (key === undefined || frame.audience !== key) return;
      if (this.audience !== undefined && key !== this.audience) datagrams.push(...this.renumber(frame.timeS));
      this.audience = key;
    }
    if (frame.timeS - this.lastSentS < (this.opts.periodS ?? 0) - 1e-6) {
      this.stats.skipped++;
      return;
    }
    if (this.queued >= (this.opts.maxQueuedFrames ?? 8)) {
      this.stats.dropped++;
      this.report(new SkyError('SKY_OUTPUT_BEHIND', `CAT062 feed to ${this.opts.host}:${this.opts.port} is behind; frame at t=${frame.timeS} dropped`));
      return;
    }
    this.lastSentS = frame.timeS;
    if (frame.timeS - this.lastStatusS >= (this.opts.statusPeriodS ?? 10)) {
      this.lastStatusS = frame.timeS;
      datagrams.push(encodeCat065Message({ kind: 'sdps-status', timeS: frame.timeS, nogo: 'operational', renumberingToggle: this.sttn }, this.opts));
    }
    datagrams.push(...encodeCat062Frame(frame, this.encodeOptions(), this.numbers));
    datagrams.push(encodeCat065Message({ kind: 'end-of-batch', timeS: frame.timeS }, this.opts));
    this.stats.frames++;
    this.queued++;
    this.queue = this.queue.then(async () => {
      try {
        for (const d of datagrams) {
          if (this.closed && this.abandon) return;
          await this.sender.send(d);
          this.stats.datagrams++;
          this.stats.bytes += d.length;
        }
      } catch (e) {
        this.stats.failed++;
        this.report(e instanceof SkyError ? e : new SkyError('SKY_UDP_SEND', String(e)));
      } finally {
        this.queued--;
      }
    });
  }

  private encodeOptions() {
    return { ...this.opts, endRecords: this.opts.endRecords ?? true, maxBlockBytes: this.opts.maxDatagramBytes ?? 1472, onError: (e: SkyError) => this.report(e) };
  }

  /**
   * The partner now sees another audience's picture, whose track ids are
   * not the old one's: the old tracks end (a batch of TSE records) and
   * numbering restarts, announced by a status with STTN toggled, sent at
   * once. Returns the datagrams of the ending batch.
   */
  private renumber(timeS: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const ends = encodeCat062Frame({ kind: 'frame', timeS, tracks: [] }, { ...this.encodeOptions(), endRecords: true }, this.numbers);
    if (ends.length > 0) out.push(...ends, encodeCat065Message({ kind: 'end-of-batch', timeS }, this.opts));
    this.numbers = new TrackNumbers({ reuseDelayS: this.opts.reuseDelayS });
    this.sttn = this.sttn === 0 ? 1 : 0;
    this.lastStatusS = -Infinity;
    this.lastSentS = -Infinity;
    this.stats.renumberings++;
    return out;
  }

  /**
   * Stops listening and closes the socket. By default what is queued is sent
   * first; `immediately` drops it (a partner suspended or withdrawn gets
   * nothing more).
   */
  async close(opts: { immediately?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    if (opts.immediately === true) this.abandon = true;
    await this.queue;
    await this.sender.close();
  }
}
