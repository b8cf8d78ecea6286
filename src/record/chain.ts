// The decode -> register -> track chain as one object, built from a plain
// JSON-able config that a recording stores per session. The live pipeline
// and the replayer build it the same way, so a replay that feeds the same
// blocks, ticks and membership changes in the same order gets the same
// frames, bit for bit (nothing in the chain reads a clock or a random source).

import { SensorDirectory } from '../coalition/coalition.ts';
import type { AudienceFrame } from '../coalition/fusion.ts';
import { AudienceFusion } from '../coalition/fusion.ts';
import { ErrorCounter } from '../core/errors.ts';
import type { Coalition, Partner, PartnerStatus, ReleaseRule, SkyEvent, TrackFrame } from '../core/types.ts';
import { PlotDecoder, type DataBlock } from '../ingest/index.ts';
import { Registration, type RegistrationEvent } from '../register/index.ts';
import { TrackingLoop } from '../track/loop.ts';
import { Tracker } from '../track/tracker.ts';
import { cloneGraph, Uncloneable } from './checkpoint.ts';

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

/** A chain's state at one point of its inputs (Chain.checkpoint()); opaque. */
export interface ChainCheckpoint {
  readonly state: Chain;
}

const audienceSink = (sinks: ChainSinks) => ({ audience, frame }: AudienceFrame): void => sinks.onFrame({ ...frame, audience: audience.key });

export class Chain {
  readonly decoder: PlotDecoder;
  readonly registration: Registration | null;
  /** Present in 'audience' mode: hand it to Membership. */
  readonly fusion: AudienceFusion | null;
  private readonly loop: TrackingLoop | null;
  plots = 0;
  private partnersNow: readonly Partner[];

  constructor(readonly config: ChainConfig, private readonly sinks: ChainSinks) {
    this.partnersNow = config.coalition.partners;
    const c = config.coalition;
    this.decoder = new PlotDecoder(new SensorDirectory(c), config.startOfDayS, sinks.errors ?? new ErrorCounter());
    // With audiences, each audience registers its own sensors from its own
    // released data (src/coalition/fusion.ts): one registration shared by all
    // would carry one partner's ADS-B into another's picture.
    this.registration = config.register && config.fusion !== 'audience' ? new Registration(c) : null;
    const loopOpts = { periodS: config.periodS, reorderWindowS: config.reorderWindowS };
    if (config.fusion === 'audience') {
      this.fusion = new AudienceFusion(c, loopOpts, audienceSink(sinks), config.register);
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
    this.partnersNow = this.partnersNow.map((p) => (p.id === partnerId ? { ...p, status } : p));
  }

  /** A partner's release rules changed (a recorded 'policy-change'); single mode has no audiences. */
  setReleases(partnerId: string, releases: readonly ReleaseRule[] | null): void {
    this.fusion?.setReleases(partnerId, releases);
    this.partnersNow = this.partnersNow.map((p) => (p.id === partnerId ? { ...p, releases } : p));
  }

  /** The partners with the statuses and release rules the chain runs with now (the config's, then every change fed). */
  get partners(): readonly Partner[] {
    return this.partnersNow;
  }

  /**
   * A copy of the chain's whole state (decoder, registration, every
   * audience's tracker and loop), detached from it: the chain goes on, the
   * copy does not change. restore() makes a working chain of it, as many
   * times as wanted. Throws Uncloneable (src/record/checkpoint.ts) if the
   * state holds something it cannot copy.
   */
  checkpoint(): ChainCheckpoint {
    // The callbacks are not state: restore() binds new ones to the new sinks.
    const state = cloneGraph<Chain>(this, (owner, key, fn) => {
      if ((owner instanceof AudienceFusion || owner instanceof TrackingLoop) && key === 'onFrame') return null;
      if (owner === this.sinks) return null;
      throw new Uncloneable(`the function ${fn.name || '(anonymous)'} at ${owner.constructor?.name ?? 'object'}.${String(key)}`);
    });
    return { state };
  }

  /**
   * A chain in the state of `cp`, sending to `sinks`: fed the same inputs
   * afterwards it produces exactly what the checkpointed chain produced (its
   * class, e.g. a subclass's overrides, is kept).
   */
  static restore(cp: ChainCheckpoint, sinks: ChainSinks): Chain {
    const c = cloneGraph(cp.state);
    const w = c as unknown as { sinks: ChainSinks; decoder: { errors: ErrorCounter }; loop: TrackingLoop | null };
    w.sinks = sinks;
    if (sinks.errors) w.decoder.errors = sinks.errors;
    const onFrame = (loop: TrackingLoop, f: (frame: TrackFrame) => void) => ((loop as unknown as { onFrame: typeof f }).onFrame = f);
    if (c.fusion) {
      // What AudienceFusion's constructor and start() bind (src/coalition/fusion.ts): the
      // fusion's sink, and each audience loop's frame callback, which reads the
      // audience's current record (a membership change may replace it).
      const af = c.fusion as unknown as { onFrame: (f: AudienceFrame) => void; fusions: Map<string, { audience: AudienceFrame['audience']; loop: TrackingLoop }> };
      af.onFrame = audienceSink(sinks);
      for (const [key, rec] of af.fusions) {
        onFrame(rec.loop, (frame) => {
          const cur = af.fusions.get(key) ?? rec;
          af.onFrame({ audience: cur.audience, frame });
        });
      }
    } else onFrame(w.loop!, sinks.onFrame);
    return c;
  }

  flush(): void {
    if (this.fusion) this.fusion.flush();
    else this.loop!.flush();
  }
}
