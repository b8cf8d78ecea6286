// The recording's read side for people: "what did partner P see between t1
// and t2" (optionally one track, optionally one frame per step), and the
// same as CSV, GeoJSON or KML. Sovereignty: a partner gets only frames that
// were recorded for the audience it saw at that time. That audience is
// derived from the recording itself — the session's chain config (its
// coalition) plus the recorded partner-status inputs, through the same
// audiences() the live fusion (AudienceFusion, hence Replayer.audienceOf)
// uses — never from the server's membership now. Where the recording cannot
// prove what P saw (retention or a failed commit removed inputs of a
// session), that stretch is withheld and reported, not guessed.
//
// Cost: frames are found through the frames_time index and only the rows of
// P's audience, one per step, have their tracks read and parsed; a query
// never loads the whole recording, and answers are capped (HISTORY_LIMITS),
// with `truncated` and `nextFromS` to page on.
//
// Codes raised here: SKY_HISTORY_RANGE, SKY_HISTORY_STEP, SKY_HISTORY_TRACK,
// SKY_HISTORY_PARTNER, SKY_EXPORT_FORMAT (and SKY_RECORD_OPEN / _SCHEMA from opening).

import { ALERT_EVENT_KIND, ALERT_LOOKBACK_S, foldAlertRecords, type AlertRecord, type ListedStretch } from '../alert/journal.ts';
import { audiences } from '../coalition/releasability.ts';
import type { TrackJson } from '../core/contract.ts';
import { SkyError } from '../core/errors.ts';
import type { Coalition, PartnerStatus, ReleaseRule } from '../core/types.ts';
import { INPUT_KINDS_SQL, inputCountKey } from './recorder.ts';
import { RecordingReader, type SessionInfo } from './replay.ts';
import { openRecording, type Db } from './schema.ts';

export const HISTORY_LIMITS = {
  /** Longest window one query may ask for, s (page through longer ones). */
  maxSpanS: 24 * 3600,
  /** Frames one answer carries at most. */
  maxFrames: 3600,
  /** Track lines one answer carries at most (about 200 bytes each as JSON). */
  maxTrackRows: 250_000,
  /** Alert stretches one answer carries at most. */
  maxAlerts: 5000,
} as const;

export interface HistoryQuery {
  readonly partnerId: string;
  /** Data time window, seconds since the epoch: fromS <= t < toS. */
  readonly fromS: number;
  readonly toS: number;
  /** Only this system track id. */
  readonly trackId?: string;
  /** At most one frame per `stepS` seconds (the first of each step). Default: every recorded frame. */
  readonly stepS?: number;
  /** Lower caps than HISTORY_LIMITS (never higher). */
  readonly maxFrames?: number;
  readonly maxTrackRows?: number;
}

export interface HistoryFrame {
  readonly t: number;
  readonly tracks: readonly TrackJson[];
}

/** A stretch of the window whose frames are not given, and why. */
export interface Withheld {
  readonly fromS: number;
  readonly toS: number;
  /** SKY_HISTORY_MEMBERSHIP_UNKNOWN: the recorded inputs of that session are incomplete (retention, failed commit). */
  readonly code: string;
}

export interface HistoryResult {
  readonly partnerId: string;
  readonly fromS: number;
  readonly toS: number;
  readonly stepS: number | null;
  readonly trackId: string | null;
  readonly frames: HistoryFrame[];
  /** A cap was reached: more frames exist from `nextFromS` on. */
  readonly truncated: boolean;
  readonly nextFromS: number | null;
  readonly withheld: readonly Withheld[];
}

/** The alerts a partner saw over a window (RecordingHistory.alerts). */
export interface AlertHistoryResult {
  readonly partnerId: string;
  readonly fromS: number;
  readonly toS: number;
  /** Each alert of P's own audience listed at some time of the window, with the stretch it was listed, oldest first. */
  readonly alerts: ListedStretch[];
  /** More stretches than HISTORY_LIMITS.maxAlerts: the newest are left off; ask again for a shorter window. */
  readonly truncated: boolean;
  readonly withheld: readonly Withheld[];
}

/** What partner P saw during one stretch of one session: an audience key, or nothing (null). */
interface Segment {
  readonly session: number;
  readonly fromS: number;
  readonly toS: number;
  /** Audience key P saw; null = no picture (withdrawn, unknown partner, or membership not provable). */
  readonly key: string | null;
  readonly unknown: boolean;
}

const TRACK_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function checkHistoryQuery(q: HistoryQuery): void {
  if (!Number.isFinite(q.fromS) || !Number.isFinite(q.toS)) {
    throw new SkyError('SKY_HISTORY_RANGE', `from and to must be times (ISO 8601 or seconds since the epoch), got ${q.fromS} and ${q.toS}`);
  }
  if (!(q.toS > q.fromS)) throw new SkyError('SKY_HISTORY_RANGE', `to (${q.toS}) must be after from (${q.fromS})`);
  if (q.toS - q.fromS > HISTORY_LIMITS.maxSpanS) {
    throw new SkyError('SKY_HISTORY_RANGE', `the window is ${Math.round(q.toS - q.fromS)} s; at most ${HISTORY_LIMITS.maxSpanS} s per query: ask for shorter windows one after another`);
  }
  if (q.stepS !== undefined && !(Number.isFinite(q.stepS) && q.stepS > 0 && q.stepS <= HISTORY_LIMITS.maxSpanS)) {
    throw new SkyError('SKY_HISTORY_STEP', `step must be a number of seconds > 0 and <= ${HISTORY_LIMITS.maxSpanS}, got ${q.stepS}`);
  }
  if (q.trackId !== undefined && !TRACK_ID.test(q.trackId)) {
    throw new SkyError('SKY_HISTORY_TRACK', `track must be a system track id (1-64 of A-Z a-z 0-9 . _ : -), got "${q.trackId.slice(0, 80)}"`);
  }
}

/**
 * Parses a time given as ISO 8601 (with a zone, e.g. 2025-06-01T10:00:00Z)
 * or as seconds since the epoch. `what` names the argument in the error.
 */
export function parseTime(v: string | undefined, what: string): number {
  if (v === undefined || v.trim() === '') throw new SkyError('SKY_HISTORY_RANGE', `${what} is missing: give an ISO 8601 time (2025-06-01T10:00:00Z) or seconds since the epoch`);
  const s = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  // A time without a zone would be read as local time: refuse rather than guess.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) {
    throw new SkyError('SKY_HISTORY_RANGE', `${what} "${s.slice(0, 40)}" is not an ISO 8601 time with a zone (2025-06-01T10:00:00Z) nor seconds since the epoch`);
  }
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) throw new SkyError('SKY_HISTORY_RANGE', `${what} "${s}" is not a valid time`);
  return ms / 1000;
}

/**
 * Queries over one recording file. Opens its own read-only connection;
 * every query is a few indexed statements, so it can run against a file
 * the recorder is writing (WAL) without holding back its checkpoints.
 */
export class RecordingHistory {
  private readonly db: Db;
  private readonly reader: RecordingReader;

  constructor(readonly file: string) {
    this.db = openRecording(file, { readonly: true });
    this.reader = new RecordingReader(this.db);
  }

  /** Data times of the first and last recorded frame, or null when there is none. */
  span(): { fromS: number; toS: number } | null {
    const r = this.db.prepare('SELECT min(time_s) AS a, max(time_s) AS b FROM frames').get() as { a: number | null; b: number | null };
    return r.a === null || r.b === null ? null : { fromS: r.a, toS: r.b };
  }

  /** Partners named by any session of the recording. */
  partners(): Set<string> {
    const out = new Set<string>();
    for (const s of this.reader.sessions()) for (const p of s.config.coalition.partners) out.add(p.id);
    return out;
  }

  /**
   * What `partnerId` saw over [fromS, toS), session by session: the audience
   * key of each stretch between recorded membership changes.
   */
  segments(partnerId: string, fromS: number, toS: number): Segment[] {
    const sessions = this.reader.sessions();
    const out: Segment[] = [];
    for (let i = 0; i < sessions.length; i++) {
      const s = sessions[i]!;
      const next = sessions[i + 1];
      // A session runs until the next one starts; its frames carry its id, so the bounds matter only for overlap.
      const endS = next ? next.startedS : Infinity;
      if (endS <= fromS || s.startedS >= toS) continue;
      out.push(...this.sessionSegments(s, next?.firstSeq ?? Number.MAX_SAFE_INTEGER, partnerId));
    }
    return out;
  }

  private sessionSegments(s: SessionInfo, endSeq: number, partnerId: string): Segment[] {
    if (s.config.fusion !== 'audience') {
      // One coalition-wide picture, not filtered by releasability: no partner may have it.
      return [{ session: s.id, fromS: -Infinity, toS: Infinity, key: null, unknown: false }];
    }
    if (!this.inputsComplete(s, endSeq)) return [{ session: s.id, fromS: -Infinity, toS: Infinity, key: null, unknown: true }];
    let coalition: Coalition = s.config.coalition;
    // Every recorded input that changes the audiences (INPUT_EVENT_KINDS: membership, release policy).
    const changes = this.db.prepare(`SELECT time_s, kind, json FROM events WHERE seq >= ? AND seq < ? AND kind IN (${INPUT_KINDS_SQL}) ORDER BY seq`)
      .all(s.firstSeq, endSeq) as { time_s: number; kind: string; json: string }[];
    const out: Segment[] = [];
    let fromS = -Infinity;
    let key = keyOf(coalition, partnerId);
    for (const c of changes) {
      const e = JSON.parse(c.json) as { partnerId: string; status?: PartnerStatus; releases?: readonly ReleaseRule[] | null };
      // As AudienceFusion.setPartnerStatus / setReleases: the partner changes, the audiences are recomputed.
      if (c.kind === 'partner-status' && e.status !== undefined) {
        coalition = { ...coalition, partners: coalition.partners.map((p) => (p.id === e.partnerId ? { ...p, status: e.status! } : p)) };
      } else if (c.kind === 'policy-change' && e.releases !== undefined) {
        coalition = { ...coalition, partners: coalition.partners.map((p) => (p.id === e.partnerId ? { ...p, releases: e.releases! } : p)) };
      } else {
        // An input this code cannot apply: from here on what P saw is not provable.
        out.push({ session: s.id, fromS, toS: c.time_s, key, unknown: false });
        out.push({ session: s.id, fromS: c.time_s, toS: Infinity, key: null, unknown: true });
        return out;
      }
      const k = keyOf(coalition, partnerId);
      if (k === key) continue;
      out.push({ session: s.id, fromS, toS: c.time_s, key, unknown: false });
      fromS = c.time_s;
      key = k;
    }
    out.push({ session: s.id, fromS, toS: Infinity, key, unknown: false });
    return out;
  }

  /**
   * Are the session's membership inputs all still in the file? Retention
   * deletes the oldest rows of every table by time, and a failed commit
   * drops a batch: either leaves a gap in the session's shared sequence
   * (blocks, ticks and events take consecutive seqs). Two ways to prove
   * nothing of the kind touched the session's inputs:
   * - its first tick is still there: the live pump ticks every 100 ms from
   *   the start, retention deletes ticks oldest first along with events, so
   *   a session whose first ticks survive lost no event to it (a purge of a
   *   withdrawn partner's blocks leaves gaps too, but only in blocks);
   * - or the sequence from its first seq up to its first remaining event is
   *   whole: events after that one are newer than any deleted event
   *   (deletion is oldest first), so none was lost.
   * Residual risk, accepted: retention's per-round row limit letting an
   * earlier session's ticks shield this session's first tick while its
   * (sparser) events were cut further ahead.
   * A session recorded by a recorder that keeps inputs through retention
   * carries the count of inputs it was handed (meta `inputs:<session>`):
   * then the proof is that count, and nothing else — a dropped batch or an
   * older skyfuse's retention leaves fewer input events than counted.
   */
  private inputsComplete(s: SessionInfo, endSeq: number): boolean {
    const counted = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(inputCountKey(s.id)) as { value: string } | undefined;
    if (counted !== undefined) {
      const n = this.db.prepare(`SELECT count(*) AS n FROM events WHERE seq >= ? AND seq < ? AND kind IN (${INPUT_KINDS_SQL})`).get(s.firstSeq, endSeq) as { n: number };
      return n.n === Number(counted.value);
    }
    const firstTick = this.db.prepare('SELECT seq FROM ticks WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT 1').get(s.firstSeq, endSeq) as { seq: number } | undefined;
    if (firstTick && firstTick.seq - s.firstSeq <= 100) {
      const before = this.db.prepare('SELECT (SELECT count(*) FROM blocks WHERE seq >= ? AND seq < ?) + (SELECT count(*) FROM events WHERE seq >= ? AND seq < ?) AS n')
        .get(s.firstSeq, firstTick.seq, s.firstSeq, firstTick.seq) as { n: number };
      // Only blocks and events come before the first tick: all of them must still be there.
      if (before.n === firstTick.seq - s.firstSeq) return true;
    }
    const firstEvent = (this.db.prepare('SELECT min(seq) AS q FROM events WHERE seq >= ? AND seq < ?').get(s.firstSeq, endSeq) as { q: number | null }).q;
    let upTo = firstEvent;
    if (upTo === null) {
      // No event left: the whole session must be there.
      const last = this.db.prepare(`SELECT max(q) AS q FROM (
        SELECT (SELECT max(seq) FROM blocks WHERE seq >= ? AND seq < ?) AS q UNION ALL SELECT (SELECT max(seq) FROM ticks WHERE seq >= ? AND seq < ?))`)
        .get(s.firstSeq, endSeq, s.firstSeq, endSeq) as { q: number | null };
      if (last.q === null) return true; // nothing recorded in it: no frame can match either
      upTo = last.q + 1;
    }
    const n = this.db.prepare(`SELECT (SELECT count(*) FROM blocks WHERE seq >= ? AND seq < ?) + (SELECT count(*) FROM ticks WHERE seq >= ? AND seq < ?) AS n`)
      .get(s.firstSeq, upTo, s.firstSeq, upTo) as { n: number };
    return n.n === upTo - s.firstSeq;
  }

  /** The frames `q.partnerId` saw over the window (see HistoryQuery), capped. */
  query(q: HistoryQuery): HistoryResult {
    checkHistoryQuery(q);
    if (!this.partners().has(q.partnerId)) {
      throw new SkyError('SKY_HISTORY_PARTNER', `partner "${q.partnerId}" is in no session of this recording; the coalition files of the recording name its partners`);
    }
    const maxFrames = Math.min(q.maxFrames ?? HISTORY_LIMITS.maxFrames, HISTORY_LIMITS.maxFrames);
    const maxRows = Math.min(q.maxTrackRows ?? HISTORY_LIMITS.maxTrackRows, HISTORY_LIMITS.maxTrackRows);
    const segs = this.segments(q.partnerId, q.fromS, q.toS);
    const withheld: Withheld[] = [];
    const frames: HistoryFrame[] = [];
    let rows = 0;
    let truncated = false;
    let nextFromS: number | null = null;
    let lastBucket = -Infinity;
    const trackSt = this.db.prepare('SELECT tracks FROM frames WHERE id = ?');
    // audience sits before tracks in the row: scanning it never reads a frame's (overflow) track pages.
    const scan = this.db.prepare('SELECT id, session, time_s, audience, n_tracks FROM frames WHERE time_s >= ? AND time_s < ? ORDER BY time_s, id');
    const bySession = new Map<number, Segment[]>();
    for (const s of segs) {
      const l = bySession.get(s.session);
      if (l) l.push(s);
      else bySession.set(s.session, [s]);
    }
    const noteWithheld = (t: number) => {
      const w = withheld[withheld.length - 1];
      if (w && t - w.toS < 5) (w as { toS: number }).toS = t;
      else withheld.push({ fromS: t, toS: t, code: 'SKY_HISTORY_MEMBERSHIP_UNKNOWN' });
    };
    for (const r of scan.iterate(q.fromS, q.toS) as Iterable<{ id: number; session: number; time_s: number; audience: string | null; n_tracks: number }>) {
      const seg = bySession.get(r.session)?.find((x) => r.time_s >= x.fromS && r.time_s < x.toS);
      if (!seg) {
        // A session whose row was pruned: its config (coalition) is gone, so is any proof of what P saw.
        noteWithheld(r.time_s);
        continue;
      }
      if (seg.unknown) {
        noteWithheld(r.time_s);
        continue;
      }
      if (seg.key === null || r.audience !== seg.key) continue;
      if (q.stepS !== undefined) {
        const bucket = Math.floor((r.time_s - q.fromS) / q.stepS);
        if (bucket === lastBucket) continue;
        lastBucket = bucket;
      }
      if (frames.length >= maxFrames || (frames.length > 0 && rows + r.n_tracks > maxRows)) {
        truncated = true;
        nextFromS = r.time_s;
        break;
      }
      const all = JSON.parse((trackSt.get(r.id) as { tracks: string }).tracks) as TrackJson[];
      const tracks = q.trackId === undefined ? all : all.filter((t) => t.id === q.trackId);
      if (q.trackId !== undefined && tracks.length === 0) continue;
      rows += tracks.length;
      frames.push({ t: r.time_s, tracks });
    }
    return {
      partnerId: q.partnerId, fromS: q.fromS, toS: q.toS, stepS: q.stepS ?? null, trackId: q.trackId ?? null,
      frames, truncated, nextFromS, withheld,
    };
  }

  /**
   * The alerts `partnerId` had in its list over [fromS, toS): those the
   * journal (src/alert/journal.ts) recorded for the audience it saw at each
   * time, as the recording proves it (the same segments as frames). An
   * alert is listed only while the partner saw its audience, and only in
   * its own session (a session ends where the next begins). Acknowledgements
   * are the partner's own only.
   */
  alerts(q: { readonly partnerId: string; readonly fromS: number; readonly toS: number }): AlertHistoryResult {
    checkHistoryQuery(q);
    if (!this.partners().has(q.partnerId)) {
      throw new SkyError('SKY_HISTORY_PARTNER', `partner "${q.partnerId}" is in no session of this recording; the coalition files of the recording name its partners`);
    }
    const sessions = this.reader.sessions();
    const next = new Map(sessions.map((s, i) => [s.id, sessions[i + 1]]));
    const withheld: Withheld[] = [];
    const out: ListedStretch[] = [];
    // The latest snapshot of one list at or before a time (else the first after it), within the session; then everything after it.
    const snapBefore = this.db.prepare(`SELECT seq, time_s FROM events WHERE time_s <= ? AND time_s >= ? AND seq >= ? AND seq < ? AND kind = '${ALERT_EVENT_KIND}'
      AND json_extract(json, '$.change') = 'snapshot' AND json_extract(json, '$.audience') = ? ORDER BY time_s DESC, seq DESC LIMIT 1`);
    const snapAfter = this.db.prepare(`SELECT seq, time_s FROM events WHERE time_s > ? AND time_s < ? AND seq >= ? AND seq < ? AND kind = '${ALERT_EVENT_KIND}'
      AND json_extract(json, '$.change') = 'snapshot' AND json_extract(json, '$.audience') = ? ORDER BY time_s, seq LIMIT 1`);
    const after = this.db.prepare(`SELECT time_s, json FROM events WHERE time_s >= ? AND time_s < ? AND seq >= ? AND seq < ? AND kind = '${ALERT_EVENT_KIND}'
      AND json_extract(json, '$.audience') = ? ORDER BY seq`);
    for (const seg of this.segments(q.partnerId, q.fromS, q.toS)) {
      const s = this.reader.session(seg.session)!;
      const nx = next.get(s.id);
      const a = Math.max(seg.fromS, q.fromS);
      const b = Math.min(seg.toS, q.toS, nx ? nx.startedS : Infinity);
      if (!(b > a)) continue;
      if (seg.unknown) {
        withheld.push({ fromS: a, toS: b, code: 'SKY_HISTORY_MEMBERSHIP_UNKNOWN' });
        continue;
      }
      if (seg.key === null) continue;
      const endSeq = nx ? nx.firstSeq : Number.MAX_SAFE_INTEGER;
      const start = (snapBefore.get(a, a - ALERT_LOOKBACK_S, s.firstSeq, endSeq, seg.key) ?? snapAfter.get(a, b, s.firstSeq, endSeq, seg.key)) as { seq: number; time_s: number } | undefined;
      // No snapshot: the journal recorded nothing of this list then (no recorder, or retention took it): nothing to give.
      if (!start) continue;
      const rows = after.iterate(start.time_s - ALERT_LOOKBACK_S, b, start.seq, endSeq, seg.key) as Iterable<{ time_s: number; json: string }>;
      const records = (function* () {
        for (const r of rows) yield { timeS: r.time_s, rec: JSON.parse(r.json) as AlertRecord };
      })();
      out.push(...foldAlertRecords(records, q.partnerId, a, b));
    }
    out.sort((x, y) => x.listedFrom - y.listedFrom || x.alert.timeS - y.alert.timeS);
    const truncated = out.length > HISTORY_LIMITS.maxAlerts;
    return { partnerId: q.partnerId, fromS: q.fromS, toS: q.toS, alerts: truncated ? out.slice(0, HISTORY_LIMITS.maxAlerts) : out, truncated, withheld };
  }

  /** Every frame of the window, page after page (no cap): for exports. */
  *all(q: Omit<HistoryQuery, 'maxFrames' | 'maxTrackRows'>): Generator<HistoryFrame, { withheld: Withheld[] }> {
    const withheld: Withheld[] = [];
    let fromS = q.fromS;
    for (;;) {
      const r = this.query({ ...q, fromS });
      withheld.push(...r.withheld);
      yield* r.frames;
      if (!r.truncated || r.nextFromS === null) return { withheld };
      fromS = r.nextFromS;
    }
  }

  close(): void {
    this.db.close();
  }
}

function keyOf(coalition: Coalition, partnerId: string): string | null {
  for (const a of audiences(coalition)) if (a.partners.includes(partnerId)) return a.key;
  return null;
}

// ---------------------------------------------------------------------------
// Export formats. Positions in WGS-84 degrees, heights in metres above the
// ellipsoid (contract section 4), times in seconds since the epoch and ISO 8601.

export type ExportFormat = 'csv' | 'geojson' | 'kml';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'geojson', 'kml'];

export function checkFormat(v: string | undefined): ExportFormat {
  if (v === undefined || !(EXPORT_FORMATS as readonly string[]).includes(v)) {
    throw new SkyError('SKY_EXPORT_FORMAT', `format must be one of ${EXPORT_FORMATS.join(', ')}, got "${String(v).slice(0, 20)}"`);
  }
  return v as ExportFormat;
}

export const EXPORT_MEDIA: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  geojson: 'application/geo+json',
  kml: 'application/vnd.google-earth.kml+xml',
};

/**
 * The CSV header: one line per track per frame, the contract's track line
 * (section 4) flattened. `utc` is `t` in ISO 8601; `sensors` and `partners`
 * are ';'-separated; empty = null.
 */
export const CSV_HEADER = 't,utc,id,status,lat,lon,altM,vE,vN,sigmaM,icao24,mode3a,callsign,sensors,partners';

const csvField = (v: string | number | null): string => {
  if (v === null) return '';
  const s = String(v);
  // RFC 4180 quoting; a leading = + - @ is prefixed so a spreadsheet never runs it as a formula.
  const safe = /^[=+@]/.test(s) || (/^-/.test(s) && typeof v !== 'number') ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function csvLine(frameT: number, k: TrackJson): string {
  return [
    frameT, new Date(frameT * 1000).toISOString(), k.id, k.status, k.lat, k.lon, k.altM, k.vE, k.vN, k.sigmaM,
    k.icao24, k.mode3a, k.callsign, k.sensors.join(';'), k.partners.join(';'),
  ].map(csvField).join(',');
}

/** One track's path through the frames of an export. */
interface Path {
  readonly id: string;
  readonly coords: number[][];
  readonly times: number[];
  status: string;
  icao24: string | null;
  mode3a: string | null;
  callsign: string | null;
  readonly sensors: Set<string>;
}

/** Collects tracks into paths (for GeoJSON and KML), in order of first appearance. */
export class PathCollector {
  readonly paths = new Map<string, Path>();
  frames = 0;
  add(f: HistoryFrame): void {
    this.frames++;
    for (const k of f.tracks) {
      let p = this.paths.get(k.id);
      if (!p) {
        p = { id: k.id, coords: [], times: [], status: k.status, icao24: null, mode3a: null, callsign: null, sensors: new Set() };
        this.paths.set(k.id, p);
      }
      p.coords.push(k.altM === null ? [k.lon, k.lat] : [k.lon, k.lat, k.altM]);
      p.times.push(f.t);
      p.status = k.status;
      p.icao24 = k.icao24 ?? p.icao24;
      p.mode3a = k.mode3a ?? p.mode3a;
      p.callsign = k.callsign ?? p.callsign;
      for (const s of k.sensors) p.sensors.add(s);
    }
  }
}

/**
 * A FeatureCollection: one Feature per track, a LineString through its
 * positions (a Point when it was seen in one frame only: a LineString needs
 * two), properties id, identities (last known), first/last time, the
 * sensors that updated it, and `times` (s), one per coordinate.
 */
export function toGeoJson(c: PathCollector, meta: Record<string, unknown>): string {
  const features = [...c.paths.values()].map((p) => ({
    type: 'Feature',
    id: p.id,
    geometry: p.coords.length >= 2 ? { type: 'LineString', coordinates: p.coords } : { type: 'Point', coordinates: p.coords[0] },
    properties: {
      id: p.id, status: p.status, callsign: p.callsign, icao24: p.icao24, mode3a: p.mode3a,
      firstS: p.times[0], lastS: p.times[p.times.length - 1],
      firstUtc: new Date(p.times[0]! * 1000).toISOString(), lastUtc: new Date(p.times[p.times.length - 1]! * 1000).toISOString(),
      points: p.coords.length, sensors: [...p.sensors].sort(), times: p.times,
    },
  }));
  return JSON.stringify({ type: 'FeatureCollection', properties: meta, features });
}

const xml = (s: string): string => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** KML 2.2: a Document with one Placemark per track (LineString, absolute heights, its TimeSpan). */
export function toKml(c: PathCollector, title: string): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<kml xmlns="http://www.opengis.net/kml/2.2">',
    '<Document>',
    `<name>${xml(title)}</name>`,
  ];
  for (const p of c.paths.values()) {
    const label = p.callsign ?? p.mode3a ?? p.icao24 ?? '';
    const coords = p.coords.map((x) => `${x[0]},${x[1]},${x[2] ?? 0}`).join(' ');
    const geom = p.coords.length >= 2
      ? `<LineString><altitudeMode>${p.coords.some((x) => x[2] !== undefined) ? 'absolute' : 'clampToGround'}</altitudeMode><coordinates>${coords}</coordinates></LineString>`
      : `<Point><altitudeMode>${p.coords[0]![2] !== undefined ? 'absolute' : 'clampToGround'}</altitudeMode><coordinates>${coords}</coordinates></Point>`;
    out.push(
      '<Placemark>',
      `<name>${xml(label ? `${p.id} ${label}` : p.id)}</name>`,
      `<description>${xml(`track ${p.id}, ${p.status}; icao24 ${p.icao24 ?? '-'}, mode 3/A ${p.mode3a ?? '-'}, callsign ${p.callsign ?? '-'}; sensors ${[...p.sensors].sort().join(' ')}; ${p.coords.length} points`)}</description>`,
      `<TimeSpan><begin>${new Date(p.times[0]! * 1000).toISOString()}</begin><end>${new Date(p.times[p.times.length - 1]! * 1000).toISOString()}</end></TimeSpan>`,
      geom,
      '</Placemark>',
    );
  }
  out.push('</Document>', '</kml>', '');
  return out.join('\n');
}
