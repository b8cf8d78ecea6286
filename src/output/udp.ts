// The live CAT062 feed: every track frame on the bus goes out over UDP
// (unicast or multicast) as CAT062 data blocks, one block per datagram,
// followed by a CAT065 end-of-batch; a CAT065 SDPS status opens the feed and
// repeats every statusPeriodS of data time. Sends are queued in order and
// never block the bus; a feed that falls behind drops whole frames.

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
  /** Frames waiting to be sent before new ones are dropped; default 8. */
  readonly maxQueuedFrames?: number;
  readonly onError?: (e: SkyError) => void;
}

export class Cat062Output {
  readonly stats = { frames: 0, skipped: 0, dropped: 0, datagrams: 0, bytes: 0, errors: 0 };
  private readonly sender: UdpSender;
  private readonly numbers: TrackNumbers;
  private readonly unsubscribe: () => void;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private lastSentS = -Infinity;
  private lastStatusS = -Infinity;
  private closed = false;

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
    const datagrams: Uint8Array[] = [];
    if (frame.timeS - this.lastStatusS >= (this.opts.statusPeriodS ?? 10)) {
      this.lastStatusS = frame.timeS;
      datagrams.push(encodeCat065Message({ kind: 'sdps-status', timeS: frame.timeS, nogo: 'operational' }, this.opts));
    }
    const blocks = encodeCat062Frame(
      frame,
      { ...this.opts, endRecords: this.opts.endRecords ?? true, maxBlockBytes: this.opts.maxDatagramBytes ?? 1472, onError: (e) => this.report(e) },
      this.numbers,
    );
    datagrams.push(...blocks);
    datagrams.push(encodeCat065Message({ kind: 'end-of-batch', timeS: frame.timeS }, this.opts));
    this.stats.frames++;
    this.queued++;
    this.queue = this.queue.then(async () => {
      try {
        for (const d of datagrams) {
          await this.sender.send(d);
          this.stats.datagrams++;
          this.stats.bytes += d.length;
        }
      } catch (e) {
        this.report(e instanceof SkyError ? e : new SkyError('SKY_UDP_SEND', String(e)));
      } finally {
        this.queued--;
      }
    });
  }

  /** Stops listening, sends what is queued, closes the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    await this.queue;
    await this.sender.close();
  }
}
