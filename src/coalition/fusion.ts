// One fusion per releasability audience. Every plot is routed to the
// audiences entitled to it (src/coalition/releasability.ts) and each
// audience runs its own registration and tracker on exactly those plots, so
// a partner's picture is a function of released data alone: no track,
// position, identity, accuracy — nor a bias estimate learnt from another
// partner's ADS-B — derived from unreleased data can reach it. Partners with
// equal inputs share one audience and its fusion.
//
// Membership and release-policy changes while running: audiences whose inputs change start a
// fresh fusion from the data released to them from then on, so nothing
// derived from data no longer released survives in their pictures (tracks
// re-form within a few scans); audiences whose inputs are unchanged go on.

import type { Coalition, Partner, PartnerStatus, Plot, ReleaseRule, TrackFrame } from '../core/types.ts';
import { Registration, type RegistrationEvent, type SensorRegistration } from '../register/index.ts';
import { TrackingLoop, type LoopOptions } from '../track/loop.ts';
import { Tracker } from '../track/tracker.ts';
import { audiences, PlotRouter, type Audience } from './releasability.ts';

export interface AudienceFrame {
  readonly audience: Audience;
  readonly frame: TrackFrame;
}

interface Fusion {
  readonly audience: Audience;
  readonly loop: TrackingLoop;
  readonly tracker: Tracker;
  readonly registration: Registration | null;
}

export class AudienceFusion {
  private readonly registrationEvents: (RegistrationEvent & { readonly audience: string })[] = [];
  private coalition: Coalition;
  private router: PlotRouter;
  private fusions = new Map<string, Fusion>();
  private readonly byPartner = new Map<string, string>();

  constructor(
    coalition: Coalition,
    private readonly loopOpts: LoopOptions,
    private readonly onFrame: (f: AudienceFrame) => void,
    /** Estimate and remove sensor biases in each audience (default on). */
    private readonly register = true,
  ) {
    this.coalition = coalition;
    this.router = new PlotRouter(coalition);
    this.rebuild();
  }

  /** Each audience's registration of its sensors (for the sensor panel). */
  registrationOf(audienceKey: string): SensorRegistration[] {
    return this.fusions.get(audienceKey)?.registration?.status() ?? [];
  }

  /** The audiences now running, each with the partners that see it. */
  get audiences(): Audience[] {
    return [...this.fusions.values()].map((f) => f.audience);
  }

  /** The audience whose picture a partner sees, or undefined (withdrawn, unknown). */
  audienceOf(partnerId: string): Audience | undefined {
    const k = this.byPartner.get(partnerId);
    return k === undefined ? undefined : this.fusions.get(k)?.audience;
  }

  push(plots: readonly Plot[]): void {
    for (const f of this.fusions.values()) {
      const mine = this.router.filter(f.audience, plots);
      if (mine.length === 0) continue;
      if (!f.registration) {
        f.loop.push(mine);
        continue;
      }
      f.loop.push(f.registration.process(mine));
      const ev = f.registration.events;
      if (ev.length) {
        for (const e of ev) this.registrationEvents.push({ ...e, audience: f.audience.key });
        ev.length = 0;
      }
    }
  }

  /**
   * Registration events (a realigned antenna's jump) raised since the last
   * call, each with the audience whose registration saw it; the list is
   * emptied. Each audience registers its own sensors, so a jump seen by
   * several audiences is reported once per audience.
   */
  drainRegistrationEvents(): (RegistrationEvent & { readonly audience: string })[] {
    if (this.registrationEvents.length === 0) return [];
    const out = this.registrationEvents.slice();
    this.registrationEvents.length = 0;
    return out;
  }

  tick(nowS: number): void {
    for (const f of this.fusions.values()) f.loop.tick(nowS);
  }

  flush(): void {
    for (const f of this.fusions.values()) f.loop.flush();
  }

  /** A partner joins, is suspended, resumes or withdraws, effective at once. */
  setPartnerStatus(partnerId: string, status: PartnerStatus): void {
    const partners: Partner[] = this.coalition.partners.map((p) => (p.id === partnerId ? { ...p, status } : p));
    if (!partners.some((p) => p.id === partnerId)) throw new RangeError(`no partner "${partnerId}"`);
    this.coalition = { ...this.coalition, partners };
    this.rebuild();
  }

  /**
   * A partner's release rules change (a policy edited live), effective at
   * once, through the same rebuild as a membership change: every audience
   * whose grants change gets a new key and so a fusion started from scratch
   * on data released to it from now on; none of the old fusion's tracks,
   * identities or bias estimates carry over. An audience whose grants are
   * unchanged keeps its fusion (its inputs were, and are, released to it).
   */
  setReleases(partnerId: string, releases: readonly ReleaseRule[] | null): void {
    if (!this.coalition.partners.some((p) => p.id === partnerId)) throw new RangeError(`no partner "${partnerId}"`);
    const partners: Partner[] = this.coalition.partners.map((p) => (p.id === partnerId ? { ...p, releases } : p));
    this.coalition = { ...this.coalition, partners };
    this.rebuild();
  }

  private rebuild(): void {
    const next = new Map<string, Fusion>();
    this.byPartner.clear();
    for (const a of audiences(this.coalition)) {
      const kept = this.fusions.get(a.key);
      const fusion = kept ? { ...kept, audience: a } : this.start(a);
      next.set(a.key, fusion);
      for (const p of a.partners) this.byPartner.set(p, a.key);
    }
    this.fusions = next;
  }

  private start(a: Audience): Fusion {
    const tracker = new Tracker(this.coalition);
    // The frame callback reads the fusion's current audience, which a
    // membership change may update (same inputs, different partners).
    const fusion: Fusion = {
      audience: a,
      tracker,
      registration: this.register ? new Registration(this.coalition) : null,
      loop: new TrackingLoop(tracker, this.loopOpts, (frame) => {
        const cur = this.fusions.get(a.key) ?? fusion;
        this.onFrame({ audience: cur.audience, frame });
      }),
    };
    return fusion;
  }
}
