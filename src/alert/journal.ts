// The alert journal: every change of every audience's alert list (raised,
// acknowledged and by whom, cleared, ended) goes to the recording as an
// event of kind 'alert', tagged with the audience key it belongs to, so
// that history (src/record/history.ts) can give a partner the alerts of
// the audience it saw at each time and nothing else. Alerts are derived
// output, not input: 'alert' is not in INPUT_EVENT_KINDS (a replay never
// feeds them back; it recomputes alerts from the replayed frames) and
// retention prunes them by time like other output events.
//
// Besides the changes, the journal writes a snapshot of an audience's whole
// list (with every partner's acknowledgements) when it first records that
// audience's list in a recording session (a new recorder session, or a new
// list after the audience was retired and came back) and then every
// ALERT_SNAPSHOT_S of data time. So the list at any time t is the latest
// snapshot at or before t plus the changes after it, read from a bounded
// window before t (ALERT_LOOKBACK_S) through the events' time index, even
// when retention has removed the record of an alert's raising.
//
// foldAlertRecords is the read side of this format (used by history.ts).

import type { Alert, AlertAck, AlertCenter, AlertChange, AudienceAlerts, ListedAlert } from './alerts.ts';

export const ALERT_EVENT_KIND = 'alert';
/** An audience's whole list is recorded at least this often (data time, s). */
export const ALERT_SNAPSHOT_S = 300;
/** How far before a time a reader looks for the snapshot that starts the fold. */
export const ALERT_LOOKBACK_S = 3 * ALERT_SNAPSHOT_S;

/** What the recording holds: an event of kind 'alert' (RecordableEvent). */
export type AlertRecord = { readonly kind: 'alert'; readonly audience: string } & (
  | AlertChange
  | { readonly change: 'snapshot'; readonly timeS: number; readonly alerts: readonly ListedAlert[] }
);

/** Where the journal writes: the recorder (live.ts), told which recording session it is in. */
export interface AlertSink {
  record(e: AlertRecord): void;
  /** The recording session now (Recorder.session); a change makes every audience's next record a snapshot. Null: not recording. */
  session(): number | null;
}

export class AlertJournal {
  /** Per list (an audience's AudienceAlerts): when it was last snapshotted, in which session. */
  private readonly snapped = new WeakMap<AudienceAlerts, { atS: number; session: number | null }>();
  recorded = 0;

  constructor(private readonly center: AlertCenter, private readonly sink: AlertSink) {
    center.onChange((key, c) => {
      this.ensure(key, c.timeS);
      this.write({ kind: 'alert', audience: key, ...c });
    });
  }

  /** A frame of the audience went through its alerts: snapshot its list when one is due. */
  frame(audienceKey: string, timeS: number): void {
    this.ensure(audienceKey, timeS);
  }

  private ensure(key: string, timeS: number): void {
    const list = this.center.peek(key);
    if (!list) return;
    const session = this.sink.session();
    if (session === null) return;
    const s = this.snapped.get(list);
    // Also when time went back (a clock step): the snapshot must be found before the changes that follow it.
    if (s && s.session === session && timeS - s.atS < ALERT_SNAPSHOT_S && timeS >= s.atS) return;
    this.snapped.set(list, { atS: timeS, session });
    this.write({ kind: 'alert', audience: key, change: 'snapshot', timeS, alerts: list.snapshot() });
  }

  private write(e: AlertRecord): void {
    if (this.sink.session() === null) return;
    this.recorded++;
    this.sink.record(e);
  }
}

/** An alert as one partner saw it over a stretch of time: listed from listedFrom (inclusive) to listedTo (exclusive). */
export interface ListedStretch {
  readonly alert: Alert;
  /** This partner's acknowledgement (never another partner's), or null. */
  readonly ack: { readonly by: string; readonly atS: number } | null;
  readonly listedFrom: number;
  readonly listedTo: number;
}

interface Open {
  alert: Alert;
  acks: AlertAck[];
  from: number;
}

/**
 * Replays recorded records of ONE audience list (one session, in recording
 * order, starting with a snapshot) into the stretches during which each
 * alert was listed within [fromS, toS), as `partnerId` saw them. Records
 * before fromS only build the state at fromS. A later snapshot replaces the
 * state (an alert missing from it ends there: a change lost with a dropped
 * batch cannot list an alert forever).
 */
export function foldAlertRecords(records: Iterable<{ readonly timeS: number; readonly rec: AlertRecord }>, partnerId: string, fromS: number, toS: number): ListedStretch[] {
  const open = new Map<string, Open>();
  const out: ListedStretch[] = [];
  const close = (o: Open, t: number) => {
    const to = Math.min(t, toS);
    if (to <= o.from) return;
    const k = o.acks.find((x) => x.partnerId === partnerId);
    out.push({ alert: o.alert, ack: k ? { by: k.by, atS: k.atS } : null, listedFrom: o.from, listedTo: to });
  };
  for (const { timeS, rec } of records) {
    if (timeS >= toS) continue;
    const at = Math.max(timeS, fromS);
    switch (rec.change) {
      case 'snapshot': {
        const ids = new Set(rec.alerts.map((a) => a.id));
        for (const [id, o] of open) {
          if (!ids.has(id)) {
            close(o, at);
            open.delete(id);
          }
        }
        for (const a of rec.alerts) {
          const { acks, ...alert } = a;
          const o = open.get(a.id);
          if (o) {
            o.alert = alert;
            o.acks = [...acks];
          } else open.set(a.id, { alert, acks: [...acks], from: at });
        }
        break;
      }
      case 'raised':
      case 'cleared': {
        const o = open.get(rec.alert.id);
        if (o) o.alert = rec.alert;
        else open.set(rec.alert.id, { alert: rec.alert, acks: [], from: at });
        break;
      }
      case 'acknowledged': {
        const o = open.get(rec.id);
        if (o && !o.acks.some((x) => x.partnerId === rec.partnerId)) o.acks.push({ partnerId: rec.partnerId, by: rec.by, atS: rec.timeS });
        break;
      }
      case 'ended': {
        const o = open.get(rec.id);
        if (o) {
          close(o, at);
          open.delete(rec.id);
        }
        break;
      }
    }
  }
  for (const o of open.values()) close(o, toS);
  return out;
}
