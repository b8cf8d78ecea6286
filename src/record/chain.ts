// The decode -> register -> track chain as one object, built from a plain
// JSON-able config that a recording stores per session. The live pipeline
// and the replayer build it the same way, so a replay that feeds the same
// blocks, ticks and membership changes in the same order gets the same
// frames, bit for bit (nothing in the chain reads a clock or a random source).

import { SensorDirectory } from '../coalition/coalition.ts';
import { AudienceFusion } from '../coalition/fusion.ts';
import { ErrorCounter } from '../core/errors.ts';
import type { Coalition, PartnerStatus, ReleaseRule, SkyEvent, TrackFrame } from '../core/types.ts';
import { PlotDecoder, type DataBlock } from '../ingest/index.ts';
import { Registration, type RegistrationEvent } from '../register/index.ts';
import { TrackingLoop } from '../track/loop.ts';
import { Tracker } from '../track/tracker.ts';

export interface ChainConfig {
  readonly coalition: Coalition;
  /** Start of the UTC day the decoder unwraps ASTERIX time of day from. */
  readonly startOfDayS: number;
  readonly periodS: number;
  readonly reorderWindowS: number;
  /** Estimate and remove sensor biases before tracking. */
  readonly register: boolean;
  /** One fusion per releasability audience, or one coalition-wide tracker (frames without audience). */
  readonly fusion: 'audience' | 'single';
}

export interface ChainSinks {
  readonly onFrame: (frame: TrackFrame) => void;
  readonly onEvents?: (events: readonly SkyEvent[]) => void;
  readonly onRegistrationEvents?: (events: readonly RegistrationEvent[]) => void;
  readonly errors?: ErrorCounter;
}

export class Chain {
  readonly decoder: PlotDecoder;
  readonly registration: Registration | null;
  /** Present in 'audience' mode: hand it to Membership. */
  readonly fusion: AudienceFusion | null;
  private readonly loop: TrackingLoop | null;
  plots = 0;

  constructor(readonly config: ChainConfig, private readonly sinks: ChainSinks) {
    const c = config.coalition;
    this.decoder = new PlotDecoder(new SensorDirectory(c), config.startOfDayS, sinks.errors ?? new ErrorCounter());
    // With audiences, each audience registers its own sensors from its own
    // released data (src/coalition/fusion.ts): one registration shared by all
    // would carry one partner's ADS-B into another's picture.
    this.registration = config.register && config.fusion !== 'audience' ? new Registration(c) : null;
    const loopOpts = { periodS: config.periodS, reorderWindowS: config.reorderWindowS };
    if (config.fusion === 'audience') {
      this.fusion = new AudienceFusion(c, loopOpts, ({ audience, frame }) => sinks.onFrame({ ...frame, audience: audience.key }), config.register);
      this.loop = null;
    } else {
      this.fusion = null;
      this.loop = new TrackingLoop(new Tracker(c), loopOpts, sinks.onFrame);
    }
  }

  /** One received data block, as the receiver delivered it. */
  block(b: DataBlock): void {
    const { plots, events } = this.decoder.decode(b);
    if (events.length) this.sinks.onEvents?.(events);
    if (plots.length === 0) return;
    this.plots += plots.length;
    let out = plots;
    if (this.registration) {
      out = this.registration.process(plots);
      const ev = this.registration.events;
      if (ev.length) {
        this.sinks.onRegistrationEvents?.(ev.slice());
        ev.length = 0;
      }
    }
    if (this.fusion) {
      this.fusion.push(out);
      const ev = this.fusion.drainRegistrationEvents();
      if (ev.length) this.sinks.onRegistrationEvents?.(ev);
    } else this.loop!.push(out);
  }

  /** Data time has reached `nowS` with no plot (the live pump's clock). */
  tick(nowS: number): void {
    if (this.fusion) this.fusion.tick(nowS);
    else this.loop!.tick(nowS);
  }

  setPartnerStatus(partnerId: string, status: PartnerStatus): void {
    this.fusion?.setPartnerStatus(partnerId, status);
  }

  /** A partner's release rules changed (a recorded 'policy-change'); single mode has no audiences. */
  setReleases(partnerId: string, releases: readonly ReleaseRule[] | null): void {
    this.fusion?.setReleases(partnerId, releases);
  }

  flush(): void {
    if (this.fusion) this.fusion.flush();
    else this.loop!.flush();
  }
}
