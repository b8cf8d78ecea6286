// Who may see which picture, as the server reads it. The picture a partner
// sees is its releasability audience's (src/coalition/fusion.ts); the
// server asks this object for a session's audience on every request and
// frame, and is told at once when membership changes so it can cut a
// withdrawn partner's sessions and move the others to their new audience.
// With a fusion attached the fusion is the authority (same audiences());
// without one (tests that publish frames by hand) the audiences are
// computed here from the same rules.

import { audiences, type Audience } from '../coalition/releasability.ts';
import { SkyError } from '../core/errors.ts';
import type { Coalition, Partner, PartnerStatus, ReleaseRule } from '../core/types.ts';

/** What the server needs of the fusion. AudienceFusion has both methods. */
export interface AudienceSource {
  audienceOf(partnerId: string): Audience | undefined;
  setPartnerStatus(partnerId: string, status: PartnerStatus): void;
  /** A partner's release rules change (AudienceFusion has it; a source without it cannot take policy edits). */
  setReleases?(partnerId: string, releases: readonly ReleaseRule[] | null): void;
}

export interface MembershipChange {
  readonly partnerId: string;
  readonly from: PartnerStatus;
  readonly to: PartnerStatus;
  /**
   * Present when the change is to the partner's release rules, not its
   * status (from = to then): the rules before and after. Listeners move
   * sessions to their new audiences the same way for both.
   */
  readonly releases?: { readonly before: readonly ReleaseRule[] | null; readonly after: readonly ReleaseRule[] | null };
}

export class Membership {
  private current: Coalition;
  private byPartner = new Map<string, Audience>();
  private readonly listeners = new Set<(c: MembershipChange) => void>();

  constructor(
    coalition: Coalition,
    private readonly fusion: AudienceSource | null = null,
  ) {
    this.current = coalition;
    this.recompute();
  }

  get coalition(): Coalition {
    return this.current;
  }

  partner(id: string): Partner | undefined {
    return this.current.partners.find((p) => p.id === id);
  }

  /** The audience whose picture this partner sees; undefined when it may see none. */
  audienceOf(partnerId: string): Audience | undefined {
    return this.fusion ? this.fusion.audienceOf(partnerId) : this.byPartner.get(partnerId);
  }

  /** Keys of the audiences some partner sees now. */
  audienceKeys(): Set<string> {
    const keys = new Set<string>();
    for (const p of this.current.partners) {
      const a = this.audienceOf(p.id);
      if (a) keys.add(a.key);
    }
    return keys;
  }

  /** A partner joins, is suspended, resumes or withdraws: the fusion first, then every listener. */
  setPartnerStatus(partnerId: string, status: PartnerStatus): MembershipChange {
    const before = this.partner(partnerId);
    if (!before) throw new RangeError(`no partner "${partnerId}"`);
    this.fusion?.setPartnerStatus(partnerId, status);
    this.current = { ...this.current, partners: this.current.partners.map((p) => (p.id === partnerId ? { ...p, status } : p)) };
    this.recompute();
    const change: MembershipChange = { partnerId, from: before.status, to: status };
    for (const l of this.listeners) l(change);
    return change;
  }

  /** Whether release rules can change here (false over a fusion that does not take them, e.g. a replay). */
  get releasesEditable(): boolean {
    return !this.fusion || typeof this.fusion.setReleases === 'function';
  }

  /**
   * A partner's release rules change, effective at once: the fusion first
   * (audiences whose grants change restart from scratch), then every
   * listener, as for a membership change.
   */
  setReleases(partnerId: string, releases: readonly ReleaseRule[] | null): MembershipChange {
    const before = this.partner(partnerId);
    if (!before) throw new RangeError(`no partner "${partnerId}"`);
    if (this.fusion) {
      if (!this.fusion.setReleases) throw new SkyError('SKY_POLICY_READONLY', 'this picture is not fused live (a replay?): release rules cannot change here');
      this.fusion.setReleases(partnerId, releases);
    }
    this.current = { ...this.current, partners: this.current.partners.map((p) => (p.id === partnerId ? { ...p, releases } : p)) };
    this.recompute();
    const change: MembershipChange = { partnerId, from: before.status, to: before.status, releases: { before: before.releases, after: releases } };
    for (const l of this.listeners) l(change);
    return change;
  }

  onChange(listener: (c: MembershipChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private recompute(): void {
    if (this.fusion) return;
    this.byPartner = new Map();
    for (const a of audiences(this.current)) for (const p of a.partners) this.byPartner.set(p, a);
  }
}
