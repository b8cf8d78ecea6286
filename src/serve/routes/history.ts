// The recording's read side over HTTP: GET /api/history (frames a partner
// saw over a window, for the time bar and for tools), GET /api/history/span
// (the recorded window), GET /api/history/alerts (the alerts the partner
// had in its list over a window, as the live alert journal recorded them
// for the audience it saw then: src/alert/journal.ts) and GET /api/export (the same as a CSV, GeoJSON or
// KML attachment). The partner is always the session's own and the frames
// are those recorded for the audience it saw at each time
// (src/record/history.ts derives it from the recording, not from the
// membership now). Every export is audited before a byte of it is sent;
// if the audit log cannot take the entry the export is refused (503).
// Without a recording (ServeOptions.recording) every route answers 404
// SKY_NO_RECORDING.

import type { FastifyReply } from 'fastify';
import { isSkyError } from '../../core/errors.ts';
import {
  CSV_HEADER, EXPORT_MEDIA, HISTORY_LIMITS, PathCollector, RecordingHistory, checkFormat, checkHistoryQuery, csvLine, parseTime, toGeoJson, toKml,
  type HistoryQuery,
} from '../../record/history.ts';
import type { ListedStretch } from '../../alert/journal.ts';
import { ALL_ROLES, alertSchema, authed, errorSchema, trackSchema } from '../openapi.ts';
import type { WireAlert } from '../wire.ts';
import type { RouteContext, RouteModule } from './context.ts';

const num = { type: 'number' } as const;
const nullableNum = { type: ['number', 'null'] } as const;
const str = { type: 'string' } as const;

/** A REST export carries at most this many track lines; longer ones: the CLI (`skyfuse export`) or a larger step. */
export const EXPORT_MAX_TRACK_ROWS = 200_000;

export const historySchema = {
  type: 'object',
  required: ['partner', 'from', 'to', 'step', 'track', 'frames', 'truncated', 'nextFrom', 'withheld'],
  properties: {
    partner: { ...str, description: 'The partner whose picture this is (the session\'s)' },
    from: num, to: num,
    step: { ...nullableNum, description: 'Seconds between frames asked for; null = every recorded frame' },
    track: { type: ['string', 'null'] },
    frames: {
      type: 'array',
      items: { type: 'object', required: ['t', 'tracks'], properties: { t: { ...num, description: 'Frame time, s since 1970 UTC' }, tracks: { type: 'array', items: trackSchema } } },
    },
    truncated: { type: 'boolean', description: `A cap was reached (${HISTORY_LIMITS.maxFrames} frames or ${HISTORY_LIMITS.maxTrackRows} track lines); ask again from nextFrom` },
    nextFrom: nullableNum,
    withheld: {
      type: 'array',
      description: 'Stretches whose frames are not given because the recording cannot prove which picture the partner saw then',
      items: { type: 'object', required: ['fromS', 'toS', 'code'], properties: { fromS: num, toS: num, code: str } },
    },
  },
} as const;

export const historyAlertsSchema = {
  type: 'object',
  required: ['partner', 'from', 'to', 'alerts', 'truncated', 'withheld'],
  properties: {
    partner: { ...str, description: 'The partner whose alerts these are (the session\'s)' },
    from: num, to: num,
    alerts: {
      type: 'array',
      description: "Every alert of the partner's own picture listed at some time of the window, oldest listing first. At a time x of [listedFrom, listedTo) it was listed; its state then: cleared if clearedS <= x, acknowledged (by this partner) if ackS <= x, else active",
      items: {
        ...alertSchema,
        required: [...alertSchema.required, 'listedFrom', 'listedTo'],
        properties: {
          ...alertSchema.properties,
          state: { ...alertSchema.properties.state, description: 'At the end of its listing in the window' },
          listedFrom: { ...num, description: 'Listed from (inclusive), s since epoch' },
          listedTo: { ...num, description: 'Listed until (exclusive): cleared alerts stay listed 15 min, as live' },
        },
      },
    },
    truncated: { type: 'boolean', description: `More than ${HISTORY_LIMITS.maxAlerts} listings: the latest are left off; ask for a shorter window` },
    withheld: {
      type: 'array',
      description: 'Stretches whose alerts are not given because the recording cannot prove which picture the partner saw then',
      items: { type: 'object', required: ['fromS', 'toS', 'code'], properties: { fromS: num, toS: num, code: str } },
    },
  },
} as const;

/** A recorded listing as the history API gives it: the live wire form plus when it was listed. */
export const toHistoryAlert = (x: ListedStretch): WireAlert & { listedFrom: number; listedTo: number } => {
  const a = x.alert;
  const r5 = (v: number | null) => (v === null ? null : Math.round(v * 1e5) / 1e5);
  return {
    id: a.id, kind: a.kind, severity: a.severity, state: a.clearedS !== null ? 'cleared' : x.ack ? 'acknowledged' : 'active',
    t: a.timeS, trackId: a.trackId, sensorId: a.sensorId, code: a.code, lat: r5(a.latDeg), lon: r5(a.lonDeg), text: a.text,
    clearedS: a.clearedS, clearedWhy: a.clearedWhy, ackBy: x.ack?.by ?? null, ackS: x.ack?.atS ?? null,
    listedFrom: x.listedFrom, listedTo: x.listedTo,
  };
};

export const spanSchema = {
  type: 'object',
  required: ['from', 'to', 'now'],
  properties: {
    from: { ...nullableNum, description: 'Time of the first recorded frame; null when none' },
    to: { ...nullableNum, description: 'Time of the last recorded frame; null when none' },
    now: { ...num, description: 'Server time' },
  },
} as const;

const errorRef = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
const timeParam = (name: string, description: string, required = true) => ({ name, in: 'query', required, description, schema: str });
const noRecording = { description: 'The server keeps no recording (SKY_NO_RECORDING)', content: errorRef };
const badRequest = { description: 'Bad parameters (SKY_HISTORY_RANGE, SKY_HISTORY_STEP, SKY_HISTORY_TRACK, SKY_EXPORT_FORMAT)', content: errorRef };
const window = [
  timeParam('from', 'Start (inclusive): ISO 8601 with a zone, or seconds since the epoch'),
  timeParam('to', `End (exclusive); at most ${HISTORY_LIMITS.maxSpanS} s after from`),
];

export const historyRoutes: RouteModule = {
  paths: {
    '/api/history': {
      get: {
        operationId: 'getHistory',
        summary: "The recorded frames of the partner's own picture over a window (as it saw them then), optionally one track, one frame per step",
        parameters: [
          ...window,
          { name: 'track', in: 'query', required: false, description: 'Only this system track id', schema: str },
          { name: 'step', in: 'query', required: false, description: 'At most one frame per this many seconds', schema: str },
        ],
        ...authed(ALL_ROLES, {
          '200': { description: 'Frames, oldest first', content: { 'application/json': { schema: historySchema } } },
          '400': badRequest, '404': noRecording, '503': { description: 'The recording cannot be read (SKY_RECORD_OPEN)', content: errorRef },
        }),
      },
    },
    '/api/history/alerts': {
      get: {
        operationId: 'getHistoryAlerts',
        summary: "The alerts of the partner's own picture over a window, as recorded live (raised, acknowledged by this partner, cleared), for the time bar",
        parameters: window,
        ...authed(ALL_ROLES, {
          '200': { description: 'Listings, oldest first', content: { 'application/json': { schema: historyAlertsSchema } } },
          '400': badRequest, '404': noRecording, '503': { description: 'The recording cannot be read (SKY_RECORD_OPEN)', content: errorRef },
        }),
      },
    },
    '/api/history/span': {
      get: {
        operationId: 'getHistorySpan',
        summary: 'The window the recording holds (for the time bar)',
        ...authed(ALL_ROLES, {
          '200': { description: 'First and last recorded frame times', content: { 'application/json': { schema: spanSchema } } },
          '404': noRecording, '503': { description: 'The recording cannot be read (SKY_RECORD_OPEN)', content: errorRef },
        }),
      },
    },
    '/api/export': {
      get: {
        operationId: 'exportHistory',
        summary: "The partner's recorded picture over a window as a file: CSV (one line per track per frame), GeoJSON (a LineString per track) or KML; audited",
        parameters: [
          ...window,
          { name: 'format', in: 'query', required: true, schema: { type: 'string', enum: ['csv', 'geojson', 'kml'] } },
          { name: 'track', in: 'query', required: false, description: 'Only this system track id', schema: str },
          { name: 'step', in: 'query', required: false, description: 'At most one frame per this many seconds', schema: str },
        ],
        ...authed(ALL_ROLES, {
          '200': {
            description: 'An attachment (Content-Disposition)',
            content: { 'text/csv': { schema: str }, 'application/geo+json': { schema: str }, 'application/vnd.google-earth.kml+xml': { schema: str } },
          },
          '400': badRequest, '404': noRecording,
          '413': { description: `More than ${EXPORT_MAX_TRACK_ROWS} track lines (SKY_EXPORT_TOO_LARGE): narrow the window, add a step, or use skyfuse export`, content: errorRef },
          '503': { description: 'The audit log could not record the export (SKY_AUDIT_WRITE), or the recording cannot be read', content: errorRef },
        }),
      },
    },
  },

  register(ctx: RouteContext): void {
    const { app } = ctx;
    let history: RecordingHistory | null = null;
    app.addHook('onClose', async () => history?.close());

    /** The recording, opened on first use (the recorder may create the file after the server starts). */
    const open = (reply: FastifyReply): RecordingHistory | null => {
      const rec = ctx.opts.recording;
      if (!rec) {
        reply.code(404).send({ error: 'SKY_NO_RECORDING', message: 'this server keeps no recording: start it with --record FILE (or without --no-record) for history, export and the time bar' });
        return null;
      }
      try {
        history ??= new RecordingHistory(rec.file);
        return history;
      } catch (e) {
        ctx.log(`serve: ${isSkyError(e) ? e.toLine() : String(e)}`);
        reply.code(503).send({ error: isSkyError(e) ? e.code : 'SKY_RECORD_OPEN', message: 'the recording cannot be read now; see the server log' });
        return null;
      }
    };

    const queryOf = (partnerId: string, q: Record<string, string | undefined>): HistoryQuery => {
      const step = q.step === undefined || q.step === '' ? undefined : Number(q.step);
      const out: HistoryQuery = {
        partnerId, fromS: parseTime(q.from, 'from'), toS: parseTime(q.to, 'to'),
        ...(q.track ? { trackId: q.track } : {}), ...(step !== undefined ? { stepS: step } : {}),
      };
      checkHistoryQuery(out);
      return out;
    };

    const badInput = (reply: FastifyReply, e: unknown) => {
      if (!isSkyError(e)) throw e;
      return reply.code(e.code === 'SKY_HISTORY_PARTNER' ? 404 : 400).send({ error: e.code, message: e.message });
    };

    app.get<{ Querystring: Record<string, string | undefined> }>(
      '/api/history',
      { schema: { response: { 200: historySchema, 400: errorSchema, 404: errorSchema, 503: errorSchema, ...ctx.errs } } },
      (req, reply) => {
        const h = open(reply);
        if (!h) return reply;
        const s = ctx.sessionFor(req);
        let q: HistoryQuery;
        try {
          q = queryOf(s.partnerId, req.query);
          const r = h.query(q);
          return { partner: r.partnerId, from: r.fromS, to: r.toS, step: r.stepS, track: r.trackId, frames: r.frames, truncated: r.truncated, nextFrom: r.nextFromS, withheld: r.withheld };
        } catch (e) {
          return badInput(reply, e);
        }
      },
    );

    app.get<{ Querystring: Record<string, string | undefined> }>(
      '/api/history/alerts',
      { schema: { response: { 200: historyAlertsSchema, 400: errorSchema, 404: errorSchema, 503: errorSchema, ...ctx.errs } } },
      (req, reply) => {
        const h = open(reply);
        if (!h) return reply;
        // The session's own partner, always: the audience it saw at each time comes from the recording.
        const s = ctx.sessionFor(req);
        try {
          const r = h.alerts({ partnerId: s.partnerId, fromS: parseTime(req.query.from, 'from'), toS: parseTime(req.query.to, 'to') });
          return { partner: r.partnerId, from: r.fromS, to: r.toS, alerts: r.alerts.map(toHistoryAlert), truncated: r.truncated, withheld: r.withheld };
        } catch (e) {
          return badInput(reply, e);
        }
      },
    );

    app.get('/api/history/span', { schema: { response: { 200: spanSchema, 404: errorSchema, 503: errorSchema, ...ctx.errs } } }, (_req, reply) => {
      const h = open(reply);
      if (!h) return reply;
      const sp = h.span();
      return { from: sp?.fromS ?? null, to: sp?.toS ?? null, now: ctx.now() };
    });

    app.get<{ Querystring: Record<string, string | undefined> }>(
      '/api/export',
      { schema: { response: { 400: errorSchema, 404: errorSchema, 413: errorSchema, 503: errorSchema, ...ctx.errs } } },
      async (req, reply) => {
        const h = open(reply);
        if (!h) return reply;
        const s = ctx.sessionFor(req);
        let body: string;
        let lines = 0;
        let frames = 0;
        let q: HistoryQuery;
        let format;
        try {
          format = checkFormat(req.query.format);
          q = queryOf(s.partnerId, req.query);
          const paths = new PathCollector();
          const csv: string[] = [CSV_HEADER];
          for (const f of h.all(q)) {
            frames++;
            lines += f.tracks.length;
            if (lines > EXPORT_MAX_TRACK_ROWS) {
              return reply.code(413).send({ error: 'SKY_EXPORT_TOO_LARGE', message: `the export would hold more than ${EXPORT_MAX_TRACK_ROWS} track lines: narrow the window, add a step (e.g. step=10), or run skyfuse export on the recording` });
            }
            if (format === 'csv') for (const k of f.tracks) csv.push(csvLine(f.t, k));
            else paths.add(f);
          }
          const meta = { partner: s.partnerId, from: new Date(q.fromS * 1000).toISOString(), to: new Date(q.toS * 1000).toISOString(), step: q.stepS ?? null, track: q.trackId ?? null };
          body = format === 'csv' ? csv.join('\n') + '\n' : format === 'geojson' ? toGeoJson(paths, meta) : toKml(paths, `skyfuse ${s.partnerId} ${meta.from} to ${meta.to}`);
        } catch (e) {
          return badInput(reply, e);
        }
        // Audited before anything is sent: an export the log cannot hold does not happen.
        const details = { partner: s.partnerId, format, fromS: q.fromS, toS: q.toS, stepS: q.stepS ?? null, track: q.trackId ?? null, frames, trackLines: lines, bytes: Buffer.byteLength(body) };
        if (!(await ctx.audited(reply, 'export', { user: s.subject, partner: s.partnerId }, details))) return reply;
        ctx.log(`serve: export ${format} of ${s.partnerId}'s picture (${frames} frames, ${lines} track lines) by ${s.subject}`);
        const name = `skyfuse-${s.partnerId}-${stamp(q.fromS)}-${stamp(q.toS)}.${format}`;
        return reply.type(EXPORT_MEDIA[format]).header('content-disposition', `attachment; filename="${name}"`).send(body);
      },
    );
  },
};

/** 2025-06-01T10:00:00Z -> 20250601T100000Z (a file name without ':'). */
const stamp = (s: number): string => new Date(Math.floor(s) * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
