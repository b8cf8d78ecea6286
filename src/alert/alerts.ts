// Alerts of one releasability audience, computed from its frames and the
// north markers of its granted radars only; AlertCenter keeps one per
// audience and routes each input to the audiences entitled to it.
//
// The rules (each a constant below, so a reader can check them):
// - emergency: a track (any status) whose Mode 3/A is 7500 (unlawful
//   interference), 7600 (radio failure) or 7700 (emergency). Cleared when
//   the code changes away or the track ends (a lost emergency track raises
//   its own track-lost alert, with emergency severity).
// - unknown-aircraft: a confirmed track with neither Mode 3/A nor Mode S
//   address, once per track. Cleared when it gains an identity or ends. A
//   partner released another's radar in "position" content sees those tracks
//   without identity, hence unknown: that is what its own data says.
// - track-lost: a track that was confirmed ends while NOT near the edge of
//   coverage: its last position lies within LOST_COVERAGE_FRACTION of the
//   range of a granted radar that is not itself in outage and could see it
//   (a primary-only track: a radar with a primary channel, to its primary
//   range; a transponding one: any radar), and its last level is known and
//   at or above LOST_MIN_ALT_M (below that, landings and the radar horizon
//   end tracks routinely). Cleared when a new track with the same Mode S
//   address (else the same Mode 3/A) appears.
// - sensor-outage: a granted radar sent no north marker for more than
//   OUTAGE_ROTATIONS antenna rotations (counted from the first data this
//   audience saw); its next north marker clears it. Time is the audience's
//   data time (frame time), so replays and tests are deterministic.
// - sensor-outage, stale feed: a granted sensor's feed (ADS-B or radar
//   records, from the ingest counters) whose latest data time lags the
//   newest of the audience's other granted feeds by more than
//   STALE_FEED_S (a radar: at least OUTAGE_ROTATIONS rotations): its data
//   stopped while others continue. A feed never heard is not judged (the
//   north-marker rule covers radars); a radar already in north-marker
//   outage gets no second alert. Cleared when its data catches up.

import type { Sensor, SkyEvent, SystemTrack, TrackFrame } from '../core/types.ts';

export type AlertKind = 'emergency' | 'unknown-aircraft' | 'track-lost' | 'sensor-outage';
export type AlertSeverity = 'emergency' | 'warning';
export type AlertState = 'active' | 'acknowledged' | 'cleared';

export const EMERGENCY_CODES: Readonly<Record<string, string>> = {
  '7500': 'unlawful interference',
  '7600': 'radio failure',
  '7700': 'emergency',
};
/** A radar silent for more than this many rotations is in outage. */
export const OUTAGE_ROTATIONS = 2.5;
/** A feed whose data lags the audience's other feeds by more than this is stale (s of data time). */
export const STALE_FEED_S = 10;
/** Inside this fraction of a radar's range a track is "well inside coverage". */
export const LOST_COVERAGE_FRACTION = 0.8;
/** Tracks ending below this height (about FL040) are not alerted as lost. */
export const LOST_MIN_ALT_M = 1200;
/** Cleared alerts stay listed this long, then are forgotten. */
const RETAIN_CLEARED_S = 900;
/** Bound on alerts kept per audience (oldest cleared first, then oldest). */
const MAX_ALERTS = 500;
const R_EARTH_M = 6371008.8;
const DEG = Math.PI / 180;

export interface Alert {
  readonly id: string;
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  /** When it was raised: data time, s since epoch (UTC). */
  readonly timeS: number;
  readonly trackId: string | null;
  readonly sensorId: string | null;
  /** The Mode 3/A of an emergency (or of the lost track), else null. */
  readonly code: string | null;
  /** Where: the track's (last) position or the sensor's site, degrees. */
  readonly latDeg: number | null;
  readonly lonDeg: number | null;
  readonly text: string;
  readonly clearedS: number | null;
  readonly clearedWhy: string | null;
}

/** An alert as one partner sees it: its own acknowledgement, nobody else's. */
export interface AlertView extends Alert {
  readonly state: AlertState;
  readonly ackBy: string | null;
  readonly ackS: number | null;
}

export interface SensorHealth {
  readonly sensorId: string;
  /** Last north marker (radars) or last track update naming it (any sensor), s since epoch; null: never. */
  readonly lastSeenS: number | null;
  readonly status: 'ok' | 'outage' | 'unknown';
}

/** A sensor's ingest counters as the alerts need them (PlotDecoder.feedStats). */
export interface FeedCounters {
  readonly records: number;
  /** Data time of the sensor's latest report (epoch s), or null. */
  readonly lastDataS: number | null;
}

interface TrackMemo {
  last: SystemTrack;
  confirmedEver: boolean;
  unknownRaised: boolean;
  emergency: MutableAlert | null;
  unknown: MutableAlert | null;
}

type MutableAlert = { -readonly [K in keyof Alert]: Alert[K] };

/** One partner's acknowledgement of an alert. */
export interface AlertAck {
  readonly partnerId: string;
  readonly by: string;
  readonly atS: number;
}

/** A listed alert with every partner's acknowledgement (the journal's snapshot; never sent to a partner as is). */
export interface ListedAlert extends Alert {
  readonly acks: readonly AlertAck[];
}

/**
 * A change of an audience's alert list, for the journal (src/alert/journal.ts):
 * raised, cleared (the alert as it is then), acknowledged by one partner,
 * or ended (no longer listed: forgotten after RETAIN_CLEARED_S, or dropped
 * over MAX_ALERTS). `timeS`: data time, but an acknowledgement's is the
 * wall time it was made.
 */
export type AlertChange =
  | { readonly change: 'raised' | 'cleared'; readonly timeS: number; readonly alert: Alert }
  | { readonly change: 'acknowledged'; readonly timeS: number; readonly id: string; readonly partnerId: string; readonly by: string }
  | { readonly change: 'ended'; readonly timeS: number; readonly id: string; readonly why: string };

function distanceM(lat1Deg: number, lon1Deg: number, lat2Rad: number, lon2Rad: number): number {
  const lat1 = lat1Deg * DEG;
  const dLat = lat2Rad - lat1;
  const dLon = lon2Rad - lon1Deg * DEG;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2Rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R_EARTH_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

const identityOf = (t: SystemTrack): string | null => (t.icao24 !== null ? `S${t.icao24}` : t.mode3a !== null ? `A${t.mode3a}` : null);
const nameOf = (t: SystemTrack): string => t.callsign ?? (t.mode3a !== null ? `A${t.mode3a}` : t.icao24 !== null ? t.icao24 : 'no identity');

/** The alerts of one audience. Feed it only that audience's frames and its granted sensors' events. */
export class AudienceAlerts {
  private readonly alerts = new Map<string, MutableAlert>();
  private readonly acks = new Map<string, Map<string, { by: string; atS: number }>>();
  private readonly tracks = new Map<string, TrackMemo>();
  private readonly lostByIdentity = new Map<string, MutableAlert>();
  private readonly radars: readonly Sensor[];
  private readonly granted: ReadonlyMap<string, Sensor>;
  private readonly lastNorthS = new Map<string, number>();
  private readonly lastUsedS = new Map<string, number>();
  private readonly outage = new Map<string, MutableAlert>();
  private readonly stale = new Map<string, MutableAlert>();
  private startS: number | null = null;
  private nowS = -Infinity;
  private seq = 0;
  private changed = false;
  /** Told of every change of the list (AlertCenter.onChange). */
  listener: ((c: AlertChange) => void) | null = null;

  /** `sensors`: exactly the sensors this audience is granted. */
  constructor(sensors: readonly Sensor[]) {
    this.granted = new Map(sensors.map((s) => [s.id, s]));
    this.radars = sensors.filter((s) => s.rotationS !== null && s.rotationS > 0);
  }

  /**
   * Returns true when an alert was raised or cleared. `feeds`: the ingest
   * counters by sensor id (any sensor; only granted ones are read).
   */
  onFrame(f: TrackFrame, feeds?: Readonly<Record<string, FeedCounters>>): boolean {
    this.changed = false;
    this.advance(f.timeS);
    const seen = new Set<string>();
    for (const t of f.tracks) {
      seen.add(t.id);
      for (const s of t.sensors) if (this.granted.has(s)) this.lastUsedS.set(s, f.timeS);
      let m = this.tracks.get(t.id);
      if (!m) {
        m = { last: t, confirmedEver: false, unknownRaised: false, emergency: null, unknown: null };
        this.tracks.set(t.id, m);
        const key = identityOf(t);
        const lost = key === null ? undefined : this.lostByIdentity.get(key);
        if (lost && key !== null) {
          this.clear(lost, f.timeS, `re-acquired as ${t.id}`);
          this.lostByIdentity.delete(key);
        }
      }
      m.last = t;
      if (t.status === 'confirmed') m.confirmedEver = true;
      this.checkEmergency(m, t, f.timeS);
      this.checkUnknown(m, t, f.timeS);
    }
    for (const [id, m] of this.tracks) {
      if (seen.has(id)) continue;
      this.tracks.delete(id);
      this.trackEnded(m, f.timeS);
    }
    this.checkOutages(f.timeS);
    if (feeds) this.checkFeeds(feeds, f.timeS);
    this.prune(f.timeS);
    return this.changed;
  }

  /** A north marker of a granted radar (others are ignored). Returns true when an alert cleared. */
  onNorthMarker(sensorId: string, timeS: number): boolean {
    if (!this.granted.has(sensorId)) return false;
    this.changed = false;
    this.advance(timeS);
    this.lastNorthS.set(sensorId, Math.max(timeS, this.lastNorthS.get(sensorId) ?? -Infinity));
    const a = this.outage.get(sensorId);
    if (a) {
      this.outage.delete(sensorId);
      this.clear(a, timeS, 'north marker received again');
    }
    return this.changed;
  }

  /** Marks an alert acknowledged for one partner. Undefined when no such alert. */
  ack(alertId: string, partnerId: string, by: string, atS: number): AlertView | undefined {
    const a = this.alerts.get(alertId);
    if (!a) return undefined;
    let m = this.acks.get(alertId);
    if (!m) this.acks.set(alertId, (m = new Map()));
    if (!m.has(partnerId)) {
      m.set(partnerId, { by, atS });
      this.listener?.({ change: 'acknowledged', timeS: atS, id: alertId, partnerId, by });
    }
    return this.view(a, partnerId);
  }

  /** Every listed alert as `partnerId` sees it, newest first. */
  list(partnerId: string): AlertView[] {
    return [...this.alerts.values()].reverse().map((a) => this.view(a, partnerId));
  }

  /** Every listed alert with all partners' acknowledgements, oldest first (the journal's snapshot). */
  snapshot(): ListedAlert[] {
    return [...this.alerts.values()].map((a) => ({ ...a, acks: [...(this.acks.get(a.id) ?? [])].map(([partnerId, k]) => ({ partnerId, by: k.by, atS: k.atS })) }));
  }

  sensorHealth(): SensorHealth[] {
    return [...this.granted.values()].map((s) => {
      const north = this.lastNorthS.get(s.id);
      const used = this.lastUsedS.get(s.id);
      const last = north === undefined ? used : used === undefined ? north : Math.max(north, used);
      const radar = s.rotationS !== null && s.rotationS > 0;
      const status = this.outage.has(s.id) || this.stale.has(s.id) ? 'outage' : (radar ? north !== undefined : last !== undefined) ? 'ok' : 'unknown';
      return { sensorId: s.id, lastSeenS: last ?? null, status };
    });
  }

  private view(a: Alert, partnerId: string): AlertView {
    const ack = this.acks.get(a.id)?.get(partnerId);
    const state: AlertState = a.clearedS !== null ? 'cleared' : ack ? 'acknowledged' : 'active';
    return { ...a, state, ackBy: ack?.by ?? null, ackS: ack?.atS ?? null };
  }

  private advance(timeS: number): void {
    this.startS ??= timeS;
    if (timeS > this.nowS) this.nowS = timeS;
  }

  private raise(a: Omit<Alert, 'id' | 'clearedS' | 'clearedWhy'>): MutableAlert {
    const alert: MutableAlert = { ...a, id: `A${++this.seq}`, clearedS: null, clearedWhy: null };
    this.alerts.set(alert.id, alert);
    this.changed = true;
    this.listener?.({ change: 'raised', timeS: alert.timeS, alert: { ...alert } });
    return alert;
  }

  private clear(a: MutableAlert, timeS: number, why: string): void {
    if (a.clearedS !== null) return;
    a.clearedS = timeS;
    a.clearedWhy = why;
    this.changed = true;
    this.listener?.({ change: 'cleared', timeS, alert: { ...a } });
  }

  private checkEmergency(m: TrackMemo, t: SystemTrack, timeS: number): void {
    const code = t.mode3a !== null && t.mode3a in EMERGENCY_CODES ? t.mode3a : null;
    if (m.emergency && m.emergency.code !== code) {
      this.clear(m.emergency, timeS, code === null ? `squawk changed to ${t.mode3a ?? 'none'}` : `squawk changed to ${code}`);
      m.emergency = null;
    }
    if (code !== null && !m.emergency) {
      m.emergency = this.raise({
        kind: 'emergency', severity: 'emergency', timeS, trackId: t.id, sensorId: null, code,
        latDeg: t.latDeg, lonDeg: t.lonDeg, text: `${nameOf(t)} squawks ${code} (${EMERGENCY_CODES[code]})`,
      });
    }
  }

  private checkUnknown(m: TrackMemo, t: SystemTrack, timeS: number): void {
    const anonymous = t.mode3a === null && t.icao24 === null;
    if (m.unknown && !anonymous) {
      this.clear(m.unknown, timeS, 'identity received');
      m.unknown = null;
    }
    if (anonymous && t.status === 'confirmed' && !m.unknownRaised) {
      m.unknownRaised = true;
      m.unknown = this.raise({
        kind: 'unknown-aircraft', severity: 'warning', timeS, trackId: t.id, sensorId: null, code: null,
        latDeg: t.latDeg, lonDeg: t.lonDeg, text: `new unknown aircraft ${t.id}: no Mode 3/A, no Mode S`,
      });
    }
  }

  private trackEnded(m: TrackMemo, timeS: number): void {
    const t = m.last;
    if (m.unknown) this.clear(m.unknown, timeS, 'track ended');
    const wasEmergency = m.emergency;
    if (m.emergency) this.clear(m.emergency, timeS, 'track ended');
    if (!m.confirmedEver || !this.wellInsideCoverage(t)) return;
    const lost = this.raise({
      kind: 'track-lost', severity: wasEmergency ? 'emergency' : 'warning', timeS, trackId: t.id, sensorId: null,
      code: t.mode3a, latDeg: t.latDeg, lonDeg: t.lonDeg,
      text: `track ${t.id} (${nameOf(t)}) lost inside coverage${wasEmergency ? ` while squawking ${wasEmergency.code}` : ''}`,
    });
    const key = identityOf(t);
    if (key !== null) this.lostByIdentity.set(key, lost);
  }

  /** The track-lost rule's geometry: see the header. */
  private wellInsideCoverage(t: SystemTrack): boolean {
    if (t.altM === null || t.altM < LOST_MIN_ALT_M) return false;
    const transponding = t.mode3a !== null || t.icao24 !== null;
    for (const s of this.radars) {
      if (this.outage.has(s.id) || this.stale.has(s.id)) continue;
      const primary = s.kind === 'psr' || s.kind === 'psr+ssr';
      if (!transponding && !primary) continue;
      const rangeM = transponding ? s.maxRangeM : (s.psrMaxRangeM ?? s.maxRangeM);
      if (distanceM(t.latDeg, t.lonDeg, s.latRad, s.lonRad) <= LOST_COVERAGE_FRACTION * rangeM) return true;
    }
    return false;
  }

  private checkOutages(nowS: number): void {
    for (const s of this.radars) {
      if (this.outage.has(s.id)) continue;
      const since = this.lastNorthS.get(s.id) ?? this.startS ?? nowS;
      const limitS = OUTAGE_ROTATIONS * s.rotationS!;
      if (nowS - since <= limitS) continue;
      const heard = this.lastNorthS.has(s.id);
      this.outage.set(s.id, this.raise({
        kind: 'sensor-outage', severity: 'warning', timeS: nowS, trackId: null, sensorId: s.id, code: null,
        latDeg: s.latRad / DEG, lonDeg: s.lonRad / DEG,
        text: `${s.id} (${s.kind}) silent: no north marker for ${Math.round(nowS - since)} s (${heard ? '' : 'never heard; '}> ${OUTAGE_ROTATIONS} rotations of ${s.rotationS} s)`,
      }));
    }
  }

  /** The stale-feed rule: see the header. */
  private checkFeeds(feeds: Readonly<Record<string, FeedCounters>>, nowS: number): void {
    const last: [Sensor, number][] = [];
    for (const s of this.granted.values()) {
      const f = feeds[s.id];
      if (f && f.records > 0 && f.lastDataS !== null) last.push([s, f.lastDataS]);
    }
    // The newest and second newest data times: each feed is judged against the newest of the others.
    let first = -Infinity;
    let second = -Infinity;
    for (const [, t] of last) {
      if (t > first) [first, second] = [t, first];
      else if (t > second) second = t;
    }
    for (const [s, t] of last) {
      const othersS = t === first ? second : first;
      const radar = s.rotationS !== null && s.rotationS > 0;
      const limitS = radar ? Math.max(STALE_FEED_S, OUTAGE_ROTATIONS * s.rotationS!) : STALE_FEED_S;
      const lagS = othersS - t;
      const a = this.stale.get(s.id);
      if (a && lagS <= limitS) {
        this.stale.delete(s.id);
        this.clear(a, nowS, 'data flowing again');
      } else if (!a && lagS > limitS && !this.outage.has(s.id)) {
        this.stale.set(s.id, this.raise({
          kind: 'sensor-outage', severity: 'warning', timeS: nowS, trackId: null, sensorId: s.id, code: null,
          latDeg: s.latRad / DEG, lonDeg: s.lonRad / DEG,
          text: `${s.id} (${s.kind}) stale feed: no data for ${Math.round(lagS)} s while other feeds continue (> ${limitS} s)`,
        }));
      }
    }
  }

  private prune(nowS: number): void {
    for (const [id, a] of this.alerts) {
      if (a.clearedS !== null && nowS - a.clearedS > RETAIN_CLEARED_S) {
        this.alerts.delete(id);
        this.acks.delete(id);
        this.listener?.({ change: 'ended', timeS: nowS, id, why: `cleared more than ${RETAIN_CLEARED_S} s ago` });
      }
    }
    if (this.alerts.size <= MAX_ALERTS) return;
    const drop = [...this.alerts.values()].sort((a, b) => Number(a.clearedS === null) - Number(b.clearedS === null) || a.timeS - b.timeS);
    for (const a of drop.slice(0, this.alerts.size - MAX_ALERTS)) {
      this.alerts.delete(a.id);
      this.acks.delete(a.id);
      for (const [k, v] of this.lostByIdentity) if (v === a) this.lostByIdentity.delete(k);
      this.listener?.({ change: 'ended', timeS: nowS, id: a.id, why: `more than ${MAX_ALERTS} alerts listed` });
    }
    this.changed = true;
  }
}

/**
 * One AudienceAlerts per audience key. `grantedSensors(key)` names the
 * sensors that audience receives (undefined: no such audience now); an
 * event reaches only the audiences granted its sensor.
 */
export class AlertCenter {
  private readonly byKey = new Map<string, AudienceAlerts>();
  private listener: ((audienceKey: string, c: AlertChange) => void) | null = null;

  constructor(private readonly grantedSensors: (audienceKey: string) => readonly Sensor[] | undefined) {}

  /** The audience's alerts, started on first use; undefined for an audience that does not exist now. */
  of(audienceKey: string): AudienceAlerts | undefined {
    let a = this.byKey.get(audienceKey);
    if (a) return a;
    const sensors = this.grantedSensors(audienceKey);
    if (!sensors) return undefined;
    a = new AudienceAlerts(sensors);
    this.listen(audienceKey, a);
    this.byKey.set(audienceKey, a);
    return a;
  }

  /** The audience's alerts if they have started; never starts them. */
  peek(audienceKey: string): AudienceAlerts | undefined {
    return this.byKey.get(audienceKey);
  }

  /** Every change of every audience's list, with its audience key (one listener: the journal). */
  onChange(listener: (audienceKey: string, c: AlertChange) => void): void {
    this.listener = listener;
    for (const [k, a] of this.byKey) this.listen(k, a);
  }

  private listen(key: string, a: AudienceAlerts): void {
    a.listener = this.listener ? (c) => this.listener!(key, c) : null;
  }

  /** Returns true when the frame's audience has a new or cleared alert. `feeds`: ingest counters by sensor, when known. */
  onFrame(f: TrackFrame, feeds?: Readonly<Record<string, FeedCounters>>): boolean {
    if (f.audience === undefined) return false;
    return this.of(f.audience)?.onFrame(f, feeds) ?? false;
  }

  /** Returns the keys of audiences whose alerts changed. */
  onEvents(events: readonly SkyEvent[]): Set<string> {
    const changed = new Set<string>();
    for (const e of events) {
      if (e.kind !== 'north-marker') continue;
      for (const [k, a] of this.byKey) if (a.onNorthMarker(e.sensorId, e.timeS)) changed.add(k);
    }
    return changed;
  }

  /** Forget audiences no longer running (membership changed). */
  retain(keys: ReadonlySet<string>): void {
    for (const k of [...this.byKey.keys()]) if (!keys.has(k)) this.byKey.delete(k);
  }
}
