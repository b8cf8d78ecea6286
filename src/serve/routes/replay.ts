// The replay's time control (`serve --replay FILE`; src/app/replay.ts): where
// the replay is, and pause, resume, speed and seek while it runs. A seek
// re-runs the recording from a checkpoint in slices (Replayer.seekAsync), so
// it answers 202 at once and GET /api/replay shows `seeking: true` until the
// picture of that time has gone out; the frames are the ones a replay that
// ran straight there gives, exactly.
//
// The control changes only time. What each partner receives is still the
// frames of its own audience (the server routes frames by audience as live),
// so a seek never shows a partner anything it was not released then.
//
// On a live server these routes answer 404 SKY_NO_REPLAY: there is no
// replay to control (the live time bar scrubs the recording through
// GET /api/history instead, which needs no server state).
//
// Who may control: the replay is one for the whole server. Every partner's
// operators connected to it watch the same replayed time, so a pause or a
// seek changes what all of them see. Only a coalition administrator, whose
// authority spans every partner (as for membership), may do that; a partner
// administrator may not move other nations' operators through time, and an
// operator reads the state only. Each control call is audited
// ('replay-control', with the time it was at) before it takes effect.

import { authed, ALL_ROLES } from '../openapi.ts';
import type { Role } from '../users.ts';
import type { RouteContext, RouteModule } from './context.ts';

/** What the replay is doing now (src/app/replay.ts builds it over the Replayer). */
export interface ReplayNow {
  /** Recording time the replay is at (while seeking: the time sought), s since epoch. */
  readonly atS: number;
  readonly speed: number | 'max';
  /** Plays, or will once the seek under way is done. */
  readonly playing: boolean;
  /** A seek's re-run is under way; its picture has not gone out yet. */
  readonly seeking: boolean;
  /** The replay fed the last input of the recording (a seek back plays again). */
  readonly ended: boolean;
}

/** The handle of a running replay, for these routes (ServeOptions.replay). */
export interface ReplayControl {
  /** The recording's span: arrival times of its first and last block, s since epoch. */
  readonly fromS: number;
  readonly toS: number;
  now(): ReplayNow;
  /** Starts a seek (in slices); the replay keeps playing or paused as it was. */
  seek(timeS: number): void;
  setSpeed(speed: number | 'max'): void;
  pause(): void;
  resume(): void;
}

/** The speeds the API takes: 1 to 60 times real time, or "max". */
export const MAX_REPLAY_SPEED = 60;

/** May control the replay (see the head of this file for why only these). */
export const REPLAY_CONTROL_ROLES: readonly Role[] = ['coalition-admin'];

const num = { type: 'number' } as const;

export const replayStateSchema = {
  type: 'object',
  required: ['fromS', 'toS', 'atS', 'speed', 'paused', 'seeking', 'ended', 'control'],
  properties: {
    fromS: { ...num, description: 'Start of the recording (first block received), s since epoch (UTC)' },
    toS: { ...num, description: 'End of the recording (last block received), s since epoch (UTC)' },
    atS: { ...num, description: 'Recording (data) time the replay is at; while seeking, the time sought' },
    speed: { type: ['number', 'string'], description: '1 to 60 times real time, or "max"' },
    paused: { type: 'boolean', description: 'Paused (false while a seek runs if the replay plays on after it)' },
    seeking: { type: 'boolean', description: 'A seek is re-running the recording up to its time; its picture follows' },
    ended: { type: 'boolean', description: 'The replay reached the end of the recording (seek back to play again)' },
    control: { type: 'boolean', description: "This session's role may control the replay (coalition-admin)" },
  },
} as const;

const replayErrorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });
const noReplay = json(replayErrorSchema, 'This server runs live, not a replay (SKY_NO_REPLAY)');
const control = (operationId: string, summary: string, extra: Record<string, unknown> = {}, responses: Record<string, unknown> = {}) => ({
  post: {
    operationId,
    summary,
    ...extra,
    ...authed([...REPLAY_CONTROL_ROLES], { '200': json(replayStateSchema, 'The replay, as it is now'), ...responses, '404': noReplay }),
  },
});

type ReplayRoute = '/api/replay/seek' | '/api/replay/speed' | '/api/replay/pause' | '/api/replay/resume';

export const replayRoutes: RouteModule = {
  paths: {
    '/api/replay': {
      get: {
        operationId: 'getReplay',
        summary: 'Where the replay is: the recording span, its time, speed, paused or seeking, and whether this session may control it',
        ...authed(ALL_ROLES, { '200': json(replayStateSchema, 'The replay'), '404': noReplay }),
      },
    },
    '/api/replay/seek': {
      post: {
        operationId: 'seekReplay',
        summary: 'Jump to a recording time; the picture of that time follows once the re-run is done (GET /api/replay: seeking)',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['timeS'], properties: { timeS: { ...num, description: 'Recording time, s since epoch, within fromS..toS' } } } } } },
        ...authed([...REPLAY_CONTROL_ROLES], {
          '202': json(replayStateSchema, 'Seeking: the state shows seeking: true until the picture is out'),
          '400': json(replayErrorSchema, 'timeS missing or outside the recording (SKY_REPLAY_TIME)'),
          '404': noReplay,
        }),
      },
    },
    '/api/replay/speed': control('setReplaySpeed', 'Replay at 1 to 60 times real time, or as fast as possible ("max")', {
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['speed'], properties: { speed: { type: ['number', 'string'], description: '1..60 or "max"' } } } } } },
    }, { '400': json(replayErrorSchema, 'speed missing or not 1..60 or "max" (SKY_REPLAY_SPEED)') }),
    '/api/replay/pause': control('pauseReplay', 'Pause the replay (everyone connected to this server sees it pause)'),
    '/api/replay/resume': control('resumeReplay', 'Play on from where the replay is (at the end: stays ended; seek back first)'),
  },

  register(ctx: RouteContext) {
    const { app } = ctx;
    const rp = (): ReplayControl | undefined => ctx.opts.replay;
    const stateFor = (r: ReplayControl, role: Role) => {
      const n = r.now();
      return {
        fromS: r.fromS, toS: r.toS,
        atS: Math.min(Math.max(n.atS, r.fromS), r.toS),
        speed: n.speed, paused: !n.playing, seeking: n.seeking, ended: n.ended,
        control: REPLAY_CONTROL_ROLES.includes(role),
      };
    };
    const missing = { error: 'SKY_NO_REPLAY', message: 'this server runs live, not a replay: start it with skyfuse serve --replay FILE (the live time bar scrubs the recording instead)' };
    const response = { 200: replayStateSchema, 202: replayStateSchema, 400: replayErrorSchema, 404: replayErrorSchema, ...ctx.errs };

    app.get('/api/replay', { schema: { response } }, async (req, reply) => {
      const r = rp();
      if (!r) return reply.code(404).send(missing);
      return stateFor(r, ctx.sessionFor(req).role);
    });

    /** A control call: checked (400 with a stable code), audited, then carried out. */
    const post = (path: ReplayRoute, act: (r: ReplayControl, body: Record<string, unknown>) => { bad: { error: string; message: string } } | { details: Record<string, string | number>; run: () => void; status?: number }) => {
      app.post<{ Body: unknown }>(path, { schema: { response }, preHandler: ctx.allow(...REPLAY_CONTROL_ROLES) }, async (req, reply) => {
        const r = rp();
        if (!r) return reply.code(404).send(missing);
        const s = ctx.sessionFor(req);
        const body = req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
        const a = act(r, body);
        if ('bad' in a) {
          ctx.log(`serve: ${a.bad.error} POST ${path} by ${s.subject}`);
          return reply.code(400).send(a.bad);
        }
        const details = { action: path.slice('/api/replay/'.length), atS: r.now().atS, ...a.details };
        if (!(await ctx.audited(reply, 'replay-control', { user: s.subject, partner: s.partnerId }, details))) return reply;
        a.run();
        ctx.log(`serve: replay ${details.action} by ${s.subject} (${JSON.stringify(a.details)})`);
        return reply.code(a.status ?? 200).send(stateFor(r, s.role));
      });
    };

    post('/api/replay/seek', (r, b) => {
      const t = b.timeS;
      if (typeof t !== 'number' || !Number.isFinite(t) || t < r.fromS || t > r.toS) {
        return { bad: { error: 'SKY_REPLAY_TIME', message: `timeS must be a recording time within ${r.fromS} to ${r.toS} (s since epoch), got ${JSON.stringify(t ?? null)}` } };
      }
      return { details: { timeS: t }, run: () => r.seek(t), status: 202 };
    });
    post('/api/replay/speed', (r, b) => {
      const v = b.speed;
      if (!(v === 'max' || (typeof v === 'number' && v >= 1 && v <= MAX_REPLAY_SPEED))) {
        return { bad: { error: 'SKY_REPLAY_SPEED', message: `speed must be 1 to ${MAX_REPLAY_SPEED} (times real time) or "max", got ${JSON.stringify(v ?? null)}` } };
      }
      return { details: { speed: v, was: r.now().speed }, run: () => r.setSpeed(v) };
    });
    post('/api/replay/pause', (r) => ({ details: {}, run: () => r.pause() }));
    post('/api/replay/resume', (r) => ({ details: {}, run: () => r.resume() }));
  },
};
