// The HTTP + WebSocket edge. It keeps the latest TrackFrame of every
// releasability audience from the bus, answers the REST API (OpenAPI at
// /api/openapi.json), pushes each frame to the WebSocket clients of that
// audience's partners only, and serves the page. A request is tied to a
// session (users.ts), a session to a partner, a partner to the audience it
// sees now (membership.ts): the server never chooses a picture any other way,
// and a frame that names no audience is shown to no one. A slow client skips
// frames (newest wins) instead of growing a queue: the bus handler never
// blocks on a socket.

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import { AlertCenter, AlertJournal, type AlertSink, type AlertView } from '../alert/index.ts';
import type { Bus } from '../core/bus.ts';
import type { AuditDetails, AuditKind, AuditSink } from '../coalition/audit.ts';
import type { SensorFeedStats } from '../ingest/index.ts';
import type { SensorRegistration } from '../register/index.ts';
import { trackToJson } from '../core/contract.ts';
import { coalitionToJson } from '../coalition/coalition.ts';
import { ErrorCounter, SkyError } from '../core/errors.ts';
import type { PartnerStatus, Sensor, SkyEvent, TrackFrame } from '../core/types.ts';
import { bearerToken, checkTokenShape, operatorUrl, wsProtocolToken } from './auth.ts';
import type { Membership } from './membership.ts';
import {
  alertSchema, alertsSchema, coalitionSchema, errorSchema, sensorsSchema, loginRequestSchema, loginResultSchema, meSchema, openApiDocument,
  partnerStatusRequestSchema, partnerStatusResultSchema, statusSchema, tokenRequestSchema, tokenResultSchema,
  tracksSchema, usersSchema,
} from './openapi.ts';
import { API_TOKEN_TTL_S, LOGIN_TTL_S, type Role, type Session, SessionStore, type UserDirectory } from './users.ts';
import { asset, buildWeb, type WebAssets } from './web.ts';
import { ROUTE_MODULES, type RouteContext } from './routes/index.ts';
import type { ReplayControl } from './routes/replay.ts';
import { WS_PROTOCOL, type WireEvent, type WireMessage, toWireAlert, toWireEvent } from './wire.ts';
import { WS_PROTOCOL_V2 } from './wire-v2.ts';
import { type FeedState, FrameFanout, newFeedState } from './fanout.ts';
import { htmlAttr, parseTilesUrl } from './tiles.ts';

/** The only /api/ routes that need no session. */
const PUBLIC_API = new Set(['/api/openapi.json', '/api/login']);

export interface ServeOptions {
  host: string;
  /** 0 = ephemeral. */
  port: number;
  /** Subscribed to 'tracks' (frames addressed to an audience) and 'events'. */
  bus: Bus;
  /** Partners, their status and the audience each one sees. */
  membership: Membership;
  /** Accounts that may log in. */
  users: UserDirectory;
  /** Sessions; a fresh store when absent. */
  sessions?: SessionStore;
  /**
   * A session opened at start whose token goes into `operatorUrl` (the demo
   * and the test harness): an operator of `partnerId`, for the life of the
   * process. Token: 16..256 chars of A-Z a-z 0-9 . _ ~ - (see generateToken()).
   */
  operator?: { readonly token: string; readonly partnerId: string; readonly name?: string };
  /**
   * Serve HTTPS (and the WebSocket over wss) with this certificate and key,
   * PEM; plain HTTP is then not served at all.
   */
  tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Demo accounts are in use: the page shows a warning banner. */
  demo?: boolean;
  /**
   * The audit log: logins (and failures), logouts, API tokens and
   * membership changes are appended, and a request that changes something
   * is answered only once its entry is on disk (503 SKY_AUDIT_WRITE if not).
   */
  audit?: AuditSink | null;
  /** Receives one line per notable happening; never a token or password. */
  log?: (line: string) => void;
  /** Wall clock in seconds since the epoch (injected for tests). */
  now?: () => number;
  /**
   * Alerts per audience; fed here from the bus ('tracks' by audience, and
   * 'events' routed to the audiences granted each sensor). A fresh center
   * over `membership` when absent.
   */
  alerts?: AlertCenter;
  /**
   * Where every change of every audience's alerts is recorded (the live
   * recorder: src/alert/journal.ts), for history and the time bar. Absent
   * (a replay, no recording): alerts are not recorded.
   */
  alertLog?: AlertSink;
  /** Each audience's sensor registration (AudienceFusion.registrationOf), for GET /api/sensors. */
  registrationOf?: (audienceKey: string) => readonly SensorRegistration[];
  /** Ingest counters per sensor (PlotDecoder.feedStats), shown only for sensors a partner is granted. */
  feedStatsOf?: () => Readonly<Record<string, SensorFeedStats>>;
  /**
   * The recording (src/record/) behind GET /api/history, /api/history/span
   * and /api/export (src/serve/routes/history.ts); without it they answer
   * 404 SKY_NO_RECORDING.
   */
  recording?: { readonly file: string };
  /**
   * An operator's tile server, a URL template with {z}, {x} and {y} (checked
   * by parseTilesUrl: SKY_TILES_URL). The page gets it as
   * <body data-tiles="..."> and the CSP allows its origin, and only that one,
   * in connect-src and img-src. Absent: the offline shipped basemap and the
   * self-only CSP.
   */
  tiles?: string;
  /** Counters of the CAT062/CoT feeds to partners (src/app/outputs.ts), for GET /api/outputs. */
  outputsOf?: () => readonly OutputFeedStats[];
  /** The replay this server runs (serve --replay), for /api/replay (src/serve/routes/replay.ts); absent live. */
  replay?: ReplayControl;
}

/** One output feed's counters as GET /api/outputs shows them (src/app/outputs.ts OutputStats). */
export interface OutputFeedStats {
  readonly kind: 'cat062' | 'cot';
  readonly partner: string;
  readonly target: string;
  readonly running: boolean;
  /** Frames sent (CoT: frames written to a connected socket). */
  readonly frames: number;
  /** CAT062: datagrams sent; CoT: events (tracks) sent. */
  readonly messages: number;
  readonly bytes: number;
  /** CAT062: datagrams whose send failed; CoT: connection failures. */
  readonly failed: number;
  /** Frames dropped: the feed was behind, or (CoT) not connected. */
  readonly dropped: number;
  /** CoT: connections made. */
  readonly connects: number;
}

export interface ServerHandle {
  /** Base URL, e.g. http://127.0.0.1:8080/ (no credentials). */
  url: string;
  /** With `operator`: `url#token=...` (print it to a terminal, never to a log file); else `url`. */
  operatorUrl: string;
  port: number;
  sessions: SessionStore;
  /** Every route the server answers, as "METHOD /path" with OpenAPI-style {params}. */
  routes: readonly string[];
  close(): Promise<void>;
}

interface Client {
  readonly socket: WebSocket;
  readonly session: Session;
  /** The audience whose frames this client receives. */
  key: string;
  /** The wire version it negotiated and what it was last sent (fanout.ts). */
  readonly feed: FeedState;
}

/** Failed logins in a row before a username is locked for LOCK_S. */
const MAX_FAILED_LOGINS = 5;
const LOCK_S = 60;
/** Usernames whose failures are remembered (oldest forgotten first), so guessing names cannot grow memory. */
const MAX_TRACKED_LOGINS = 10_000;
/** Password checks running at once: each scrypt holds 32 MiB, so a flood of logins is turned away, not queued. */
const MAX_CONCURRENT_LOGINS = 8;

/** Frames to a client that has this much unsent data are skipped (newest wins). */
const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;

/**
 * MapLibre's worker is a same-origin module; blob: covers its fallback of
 * wrapping the worker script in a blob URL. No inline script, and no outside
 * host but an operator's tile server (--tiles): its origin alone, where the
 * tiles are fetched (connect-src) and drawn from (img-src).
 */
const contentSecurityPolicy = (tilesOrigin?: string): string => {
  const extra = tilesOrigin ? ` ${tilesOrigin}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob:${extra}`,
    "font-src 'self'",
    `connect-src 'self'${extra}`,
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
};

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': contentSecurityPolicy(),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'geolocation=(), camera=(), microphone=(), usb=(), payment=()',
};

const pkgVersion = (): string => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
};


const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

function displayUrl(host: string, port: number, tls = false): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${h}:${port}/`;
}

export async function startServer(opts: ServeOptions): Promise<ServerHandle> {
  const now = opts.now ?? (() => Date.now() / 1000);
  const log = opts.log ?? (() => {});
  const { membership, users } = opts;
  const sessions = opts.sessions ?? new SessionStore(now);
  const startedS = now();
  /** The sensors an audience receives now, read from the partners that see it. */
  const grantedSensors = (key: string): Sensor[] | undefined => {
    for (const p of membership.coalition.partners) {
      const a = membership.audienceOf(p.id);
      if (a?.key === key) return membership.coalition.sensors.filter((x) => a.grants.has(x.id));
    }
    return undefined;
  };
  const alerts = opts.alerts ?? new AlertCenter(grantedSensors);
  const journal = opts.alertLog ? new AlertJournal(alerts, opts.alertLog) : null;
  const tiles = opts.tiles !== undefined ? parseTilesUrl(opts.tiles) : undefined;
  const securityHeaders = tiles ? { ...SECURITY_HEADERS, 'content-security-policy': contentSecurityPolicy(tiles.origin) } : SECURITY_HEADERS;
  const assets = await withPageFlags(await buildWeb(), opts.demo === true, tiles?.template);
  const openapi = JSON.stringify(openApiDocument(pkgVersion(), Object.assign({}, ...ROUTE_MODULES.map((m) => m.paths))));
  const refused = new ErrorCounter();
  const routes: string[] = [];

  if (opts.operator) {
    checkTokenShape(opts.operator.token);
    if (!membership.partner(opts.operator.partnerId)) {
      throw new SkyError('SKY_SERVE_PARTNER_UNKNOWN', `the operator session names partner "${opts.operator.partnerId}", which is not in the coalition`);
    }
    sessions.issue(
      { kind: 'demo', subject: opts.operator.name ?? 'demo', partnerId: opts.operator.partnerId, role: 'operator', ttlS: Infinity },
      opts.operator.token,
    );
  }

  /** Latest frame of each audience, by Audience.key. */
  const latest = new Map<string, TrackFrame>();
  /** Each audience's latest frame encoded once per wire version, for its WebSocket clients. */
  const fanout = new FrameFanout();
  const clients = new Set<Client>();
  const sessionOf = new WeakMap<FastifyRequest, Session>();
  const failedLogins = new Map<string, { fails: number; lockedUntilS: number }>();
  let skippedFrames = 0;
  let unaddressed = 0;
  let loginsInFlight = 0;

  // With TLS the one listener speaks HTTPS only (the WebSocket upgrade rides on it: wss).
  const app = (opts.tls
    ? Fastify({ logger: false, bodyLimit: 16 * 1024, return503OnClosing: true, https: { cert: opts.tls.cert, key: opts.tls.key } })
    : Fastify({ logger: false, bodyLimit: 16 * 1024, return503OnClosing: true })) as unknown as FastifyInstance;
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) if (m !== 'HEAD') routes.push(`${m} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`);
  });
  await app.register(websocket, {
    options: {
      maxPayload: 4096,
      // Select skyfuse.v2 (compact frames) when offered, else skyfuse.v1; never
      // echo the token protocol back. A v2 client offers v1 too, so the token
      // check (auth.ts) and older servers accept it unchanged.
      handleProtocols: (protocols: Set<string>) =>
        protocols.has(WS_PROTOCOL_V2) && protocols.has(WS_PROTOCOL) ? WS_PROTOCOL_V2 : protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false,
    },
  });

  app.addHook('onSend', async (req, reply, payload) => {
    for (const [k, v] of Object.entries(securityHeaders)) reply.header(k, v);
    if (pathOf(req.url).startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  const refuse = (req: FastifyRequest, reply: FastifyReply, status: 401 | 403, code: string, message: string, why: string) => {
    const line = `serve: ${code} ${req.method} ${pathOf(req.url)} from ${req.ip} refused (${why})`;
    if (refused.count(code) === 0) log(line);
    refused.add(code, line);
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="skyfuse"');
    return reply.code(status).send({ error: code, message });
  };

  /** Is the session's partner still entitled to a picture? (A withdrawn partner is not.) */
  const partnerActive = (s: Session): boolean => {
    const p = membership.partner(s.partnerId);
    return p !== undefined && p.status !== 'withdrawn' && membership.audienceOf(s.partnerId) !== undefined;
  };

  // Every /api/ route but the document and the login needs a live session of a partner still in the coalition.
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(req.url);
    if (!(path === '/api' || path.startsWith('/api/')) || PUBLIC_API.has(path)) return;
    const isUpgrade = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    const presented =
      bearerToken(req.headers.authorization) ??
      (isUpgrade ? wsProtocolToken(req.headers['sec-websocket-protocol']) : null);
    const found = sessions.lookup(presented);
    if (!found.ok) {
      if (found.reason === 'revoked' && found.code === 'SKY_PARTNER_WITHDRAWN') {
        return refuse(req, reply, 403, 'SKY_PARTNER_WITHDRAWN', 'your partner has withdrawn from the coalition; its sessions have ended', 'partner withdrawn');
      }
      const message =
        presented === null
          ? 'no credentials: log in (POST /api/login) and send "Authorization: Bearer <token>" (WebSocket: subprotocols "skyfuse.v1, token.<token>")'
          : found.reason === 'unknown'
            ? 'the token presented is not a valid session; log in again (POST /api/login)'
            : `the session has ${found.reason === 'expired' ? 'expired' : 'ended'}; log in again (POST /api/login)`;
      return refuse(req, reply, 401, 'SKY_AUTH_REQUIRED', message, presented === null ? 'no credentials' : `${found.reason} token`);
    }
    if (!partnerActive(found.session)) {
      return refuse(req, reply, 403, 'SKY_PARTNER_WITHDRAWN', 'your partner has withdrawn from the coalition; its sessions have ended', 'partner withdrawn');
    }
    sessionOf.set(req, found.session);
  });

  const sessionFor = (req: FastifyRequest): Session => {
    const s = sessionOf.get(req);
    if (!s) throw new Error('route reached without a session');
    return s;
  };

  const allow = (...roles: Role[]) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const s = sessionFor(req);
      if (roles.includes(s.role)) return;
      const line = `serve: SKY_FORBIDDEN ${req.method} ${pathOf(req.url)} by role ${s.role}`;
      if (refused.count('SKY_FORBIDDEN') === 0) log(line);
      refused.add('SKY_FORBIDDEN', line);
      return reply.code(403).send({ error: 'SKY_FORBIDDEN', message: `role ${s.role} may not ${req.method} ${pathOf(req.url)}; allowed: ${roles.join(', ')}` });
    };

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: 'SKY_NOT_FOUND', message: `no route ${req.method} ${pathOf(req.url)}; the API is described at /api/openapi.json` });
  });

  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) log(`serve: SKY_SERVE_INTERNAL ${err.message ?? String(err)}`);
    reply.code(status).send({
      error: status >= 500 ? 'SKY_SERVE_INTERNAL' : 'SKY_BAD_REQUEST',
      message: status >= 500 ? 'internal error; see the server log' : (err.message ?? 'bad request'),
    });
  });

  const sendAsset = (path: string, req: FastifyRequest, reply: FastifyReply) => {
    const a = assets.get(path);
    if (!a) return reply.code(404).send({ error: 'SKY_NOT_FOUND', message: `no asset /${path}` });
    reply.header('etag', a.etag).header('cache-control', 'no-cache').header('vary', 'accept-encoding').type(a.contentType);
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(a.gzip);
    return reply.send(a.body);
  };

  app.get('/', (req, reply) => sendAsset('', req, reply));
  app.get<{ Params: { file: string } }>('/assets/:file', (req, reply) => sendAsset(`assets/${req.params.file}`, req, reply));
  app.get('/favicon.ico', (_req, reply) => reply.code(204).send());

  app.get('/api/openapi.json', (_req, reply) => reply.type('application/json; charset=utf-8').send(openapi));

  const errs = { 401: errorSchema, 403: errorSchema };
  const noContent = { type: 'null', description: 'No content' } as const;
  const partnerName = (id: string) => membership.partner(id)?.name ?? id;
  const finite = (t: number): number | null => (Number.isFinite(t) ? t : null);

  /**
   * Append to the audit log (when there is one). False, with a 503 already
   * sent, when the entry could not be made durable: nothing audited may
   * happen unrecorded.
   */
  const audited = async (reply: FastifyReply, kind: AuditKind, actor: { user: string; partner: string } | null, details: AuditDetails): Promise<boolean> => {
    if (!opts.audit) return true;
    try {
      await opts.audit.append(kind, actor, details);
      return true;
    } catch (e) {
      log(`serve: SKY_AUDIT_WRITE ${(e as Error).message}`);
      void reply.code(503).send({ error: 'SKY_AUDIT_WRITE', message: 'the audit log cannot be written; the request was not carried out' });
      return false;
    }
  };

  app.post<{ Body: { username: string; password: string } }>(
    '/api/login',
    { schema: { body: loginRequestSchema, response: { 200: loginResultSchema, 401: errorSchema, 403: errorSchema, 429: errorSchema, 503: errorSchema } } },
    async (req, reply) => {
      const { username, password } = req.body;
      const nowS = now();
      const f = failedLogins.get(username);
      if (f && f.lockedUntilS > nowS) {
        const wait = Math.ceil(f.lockedUntilS - nowS);
        if (!(await audited(reply, 'login-failed', null, { username, from: req.ip, code: 'SKY_LOGIN_THROTTLED' }))) return reply;
        return reply.code(429).header('retry-after', String(wait)).send({
          error: 'SKY_LOGIN_THROTTLED',
          message: `too many failed logins for this user; try again in ${wait} s`,
        });
      }
      if (loginsInFlight >= MAX_CONCURRENT_LOGINS) {
        return reply.code(503).header('retry-after', '1').send({ error: 'SKY_LOGIN_BUSY', message: 'too many logins at once; try again in a second' });
      }
      loginsInFlight++;
      let user;
      try {
        user = await users.verify(username, password);
      } finally {
        loginsInFlight--;
      }
      if (!user) {
        const fails = (f?.fails ?? 0) + 1;
        if (!f && failedLogins.size >= MAX_TRACKED_LOGINS) failedLogins.delete(failedLogins.keys().next().value!);
        failedLogins.set(username, { fails: fails >= MAX_FAILED_LOGINS ? 0 : fails, lockedUntilS: fails >= MAX_FAILED_LOGINS ? nowS + LOCK_S : 0 });
        const line = `serve: SKY_LOGIN_FAILED from ${req.ip}`;
        if (refused.count('SKY_LOGIN_FAILED') === 0) log(line);
        refused.add('SKY_LOGIN_FAILED', line);
        if (!(await audited(reply, 'login-failed', null, { username, from: req.ip, code: 'SKY_LOGIN_FAILED' }))) return reply;
        return reply.code(401).send({ error: 'SKY_LOGIN_FAILED', message: 'wrong username or password' });
      }
      failedLogins.delete(username);
      const partner = membership.partner(user.partnerId);
      if (!partner || partner.status === 'withdrawn') {
        return reply.code(403).send({ error: 'SKY_PARTNER_WITHDRAWN', message: `partner ${user.partnerId} is not in the coalition; its users cannot log in` });
      }
      const { token, session } = sessions.issue({ kind: 'login', subject: user.username, partnerId: user.partnerId, role: user.role, ttlS: LOGIN_TTL_S });
      if (!(await audited(reply, 'login', { user: user.username, partner: user.partnerId }, { from: req.ip, session: session.id, role: user.role }))) {
        sessions.revokeToken(token, 'SKY_AUDIT_WRITE');
        return reply;
      }
      log(`serve: login ${user.username} (${user.partnerId}, ${user.role}) session ${session.id}`);
      return { token, expiresS: session.expiresS, user: user.username, partner: user.partnerId, partnerName: partner.name, role: user.role };
    },
  );

  app.post('/api/logout', { schema: { response: { 204: noContent, ...errs } } }, async (req, reply) => {
    const s = sessionFor(req);
    const token = bearerToken(req.headers.authorization);
    if (token) sessions.revokeToken(token, 'SKY_LOGGED_OUT');
    if (!(await audited(reply, 'logout', { user: s.subject, partner: s.partnerId }, { session: s.id }))) return reply;
    for (const c of clients) if (c.session === s) dropClient(c, 4401, 'logged out');
    log(`serve: logout ${s.subject} session ${s.id}`);
    return reply.code(204).send();
  });

  app.get('/api/me', { schema: { response: { 200: meSchema, ...errs } } }, (req) => {
    const s = sessionFor(req);
    return {
      subject: s.subject, kind: s.kind, partner: s.partnerId, partnerName: partnerName(s.partnerId),
      partnerStatus: membership.partner(s.partnerId)?.status ?? 'withdrawn', role: s.role, expiresS: finite(s.expiresS), demo: opts.demo === true,
      replay: opts.replay !== undefined,
    };
  });

  const frameOf = (s: Session): TrackFrame | undefined => {
    const a = membership.audienceOf(s.partnerId);
    return a ? latest.get(a.key) : undefined;
  };

  app.get('/api/tracks', { schema: { response: { 200: tracksSchema, ...errs } } }, (req) => {
    const f = frameOf(sessionFor(req));
    return { t: f?.timeS ?? null, tracks: f ? f.tracks.map(trackToJson) : [] };
  });

  app.get('/api/coalition', { schema: { response: { 200: coalitionSchema, ...errs } } }, (req) => {
    const s = sessionFor(req);
    const a = membership.audienceOf(s.partnerId);
    const c = membership.coalition;
    // Partners are listed (names and status are coalition facts); sensors only when granted to this partner, or its own.
    const sensors = c.sensors.filter((x) => x.partnerId === s.partnerId || (a?.grants.has(x.id) ?? false));
    return coalitionToJson({ partners: c.partners, sensors });
  });

  app.get('/api/status', { schema: { response: { 200: statusSchema, ...errs } } }, (req) => {
    const s = sessionFor(req);
    const f = frameOf(s);
    let mine = 0;
    for (const c of clients) if (c.session.partnerId === s.partnerId) mine++;
    return {
      partner: s.partnerId,
      frameTimeS: f?.timeS ?? null,
      trackCount: f?.tracks.length ?? 0,
      uptimeS: Math.max(0, now() - startedS),
      serverTimeS: now(),
      wsClients: mine,
    };
  });

  const alertsOf = (s: Session): AlertView[] => {
    const a = membership.audienceOf(s.partnerId);
    return a ? (alerts.of(a.key)?.list(s.partnerId) ?? []) : [];
  };

  app.get('/api/alerts', { schema: { response: { 200: alertsSchema, ...errs } } }, (req) => ({
    alerts: alertsOf(sessionFor(req)).map(toWireAlert),
  }));

  app.post<{ Params: { id: string } }>(
    '/api/alerts/:id/ack',
    { schema: { response: { 200: alertSchema, 404: errorSchema, ...errs } }, preHandler: allow('operator', 'partner-admin') },
    (req, reply) => {
      const s = sessionFor(req);
      const a = membership.audienceOf(s.partnerId);
      const v = a ? alerts.of(a.key)?.ack(req.params.id, s.partnerId, s.subject, now()) : undefined;
      if (!v) return reply.code(404).send({ error: 'SKY_NOT_FOUND', message: `no alert ${req.params.id} in your partner's picture; GET /api/alerts lists them` });
      log(`serve: alert ${v.id} (${v.kind}) acknowledged by ${s.subject} (${s.partnerId})`);
      pushAlerts((c) => c.session.partnerId === s.partnerId);
      return toWireAlert(v);
    },
  );

  app.get('/api/sensors', { schema: { response: { 200: sensorsSchema, ...errs } } }, (req) => {
    const s = sessionFor(req);
    const a = membership.audienceOf(s.partnerId);
    if (!a) return { sensors: [] };
    const granted = grantedSensors(a.key) ?? [];
    const health = new Map((alerts.of(a.key)?.sensorHealth() ?? []).map((h) => [h.sensorId, h]));
    // Registration of this audience only, and only of sensors it is granted.
    const reg = new Map((opts.registrationOf?.(a.key) ?? []).filter((r) => a.grants.has(r.sensorId)).map((r) => [r.sensorId, r]));
    const DEG = 180 / Math.PI;
    const feeds = opts.feedStatsOf?.() ?? {};
    return {
      sensors: granted.map((x) => {
        const h = health.get(x.id);
        const r = reg.get(x.id);
        const f = feeds[x.id];
        return {
          id: x.id, partner: x.partnerId, partnerName: partnerName(x.partnerId), kind: x.kind,
          lat: x.latRad * DEG, lon: x.lonRad * DEG, maxRangeM: x.maxRangeM, psrMaxRangeM: x.psrMaxRangeM, rotationS: x.rotationS,
          content: a.grants.get(x.id)?.content ?? 'full',
          status: h?.status ?? 'unknown', lastSeenS: h?.lastSeenS ?? null,
          feed: f ? { records: f.records, plots: f.plots, lastDataS: f.lastDataS, lastArrivalS: f.lastArrivalS } : null,
          registration: r
            ? {
                state: r.state, observations: r.observations, jumps: r.jumps,
                rangeOffsetM: r.estimate.rangeOffsetM, rangeGainPpm: r.estimate.rangeGain * 1e6,
                azimuthOffsetDeg: r.estimate.azimuthOffsetRad * DEG, timeOffsetS: r.estimate.timeOffsetS,
                sigmaRangeOffsetM: r.sigma.rangeOffsetM, sigmaRangeGainPpm: r.sigma.rangeGain * 1e6,
                sigmaAzimuthOffsetDeg: r.sigma.azimuthOffsetRad * DEG, sigmaTimeOffsetS: r.sigma.timeOffsetS,
                applied: r.applied.rangeOffsetM !== 0 || r.applied.rangeGain !== 0 || r.applied.azimuthOffsetRad !== 0 || r.applied.timeOffsetS !== 0,
              }
            : null,
        };
      }),
    };
  });

  app.get('/api/users', { schema: { response: { 200: usersSchema, ...errs } }, preHandler: allow('partner-admin', 'coalition-admin') }, (req) => {
    const s = sessionFor(req);
    const list = users.list().filter((u) => s.role === 'coalition-admin' || u.partnerId === s.partnerId);
    return { users: list.map((u) => ({ username: u.username, partner: u.partnerId, role: u.role })) };
  });

  app.post<{ Body: { label: string; ttlS?: number } }>(
    '/api/tokens',
    { schema: { body: tokenRequestSchema, response: { 201: tokenResultSchema, ...errs } }, preHandler: allow('partner-admin', 'coalition-admin') },
    async (req, reply) => {
      const s = sessionFor(req);
      const { token, session } = sessions.issue({ kind: 'api', subject: req.body.label, partnerId: s.partnerId, role: 'operator', ttlS: req.body.ttlS ?? API_TOKEN_TTL_S });
      if (!(await audited(reply, 'token-issued', { user: s.subject, partner: s.partnerId }, { tokenId: session.id, label: session.subject, expiresS: session.expiresS }))) {
        sessions.revokeId(session.id, 'SKY_AUDIT_WRITE');
        return reply;
      }
      log(`serve: API token ${session.id} "${session.subject}" for ${s.partnerId} created by ${s.subject}`);
      return reply.code(201).send({ token, id: session.id, label: session.subject, partner: session.partnerId, role: session.role, expiresS: session.expiresS });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/tokens/:id',
    { schema: { response: { 204: noContent, 404: errorSchema, ...errs } }, preHandler: allow('partner-admin', 'coalition-admin') },
    async (req, reply) => {
      const s = sessionFor(req);
      const target = sessions.list().find((x) => x.id === req.params.id && x.kind === 'api');
      if (!target || (s.role !== 'coalition-admin' && target.partnerId !== s.partnerId)) {
        return reply.code(404).send({ error: 'SKY_NOT_FOUND', message: `no API token ${req.params.id} of your partner` });
      }
      sessions.revokeId(target.id, 'SKY_TOKEN_REVOKED');
      for (const c of clients) if (c.session === target) dropClient(c, 4401, 'token revoked');
      if (!(await audited(reply, 'token-revoked', { user: s.subject, partner: s.partnerId }, { tokenId: target.id }))) return reply;
      log(`serve: API token ${target.id} revoked by ${s.subject}`);
      return reply.code(204).send();
    },
  );

  app.put<{ Params: { id: string }; Body: { status: PartnerStatus } }>(
    '/api/partners/:id/status',
    { schema: { body: partnerStatusRequestSchema, response: { 200: partnerStatusResultSchema, 404: errorSchema, ...errs } }, preHandler: allow('coalition-admin') },
    async (req, reply) => {
      const s = sessionFor(req);
      if (!membership.partner(req.params.id)) {
        return reply.code(404).send({ error: 'SKY_NOT_FOUND', message: `no partner ${req.params.id}; GET /api/coalition lists them` });
      }
      const before = sessions.list().filter((x) => x.partnerId === req.params.id).length;
      const ch = membership.setPartnerStatus(req.params.id, req.body.status);
      const after = sessions.list().filter((x) => x.partnerId === req.params.id).length;
      if (!(await audited(reply, 'membership-change', { user: s.subject, partner: s.partnerId }, { partner: ch.partnerId, from: ch.from, to: ch.to }))) return reply;
      log(`serve: partner ${ch.partnerId} ${ch.from} -> ${ch.to} by ${s.subject} (${s.partnerId})`);
      return { partner: ch.partnerId, from: ch.from, to: ch.to, sessionsEnded: before - after };
    },
  );

  const ctx: RouteContext = { app, opts, membership, alerts, sessionFor, allow, audited, frameOf, errs, log, now };
  for (const m of ROUTE_MODULES) await m.register(ctx);

  app.get('/api/ws', { websocket: true }, (socket, req) => {
    const session = sessionFor(req);
    const a = membership.audienceOf(session.partnerId);
    if (!a) {
      socket.close(4403, 'partner withdrawn');
      return;
    }
    const version = socket.protocol === WS_PROTOCOL_V2 ? 'v2' : 'v1';
    const client: Client = { socket, session, key: a.key, feed: newFeedState(version) };
    clients.add(client);
    socket.on('close', () => clients.delete(client));
    // Clients only listen; anything they send is ignored (maxPayload bounds it).
    const hello: WireMessage = { type: 'hello', protocol: version === 'v2' ? WS_PROTOCOL_V2 : WS_PROTOCOL, serverTimeS: now() };
    socket.send(JSON.stringify(hello));
    // The latest frame (v2: a keyframe), then frames as they come.
    const m = fanout.message(client.feed, a.key);
    if (m !== null) socket.send(m);
    socket.send(alertsMessage(client));
  });

  /** The alerts of a client's audience, as its partner sees them (its own acknowledgements). */
  function alertsMessage(c: Client): string {
    const list = alerts.of(c.key)?.list(c.session.partnerId) ?? [];
    return JSON.stringify({ type: 'alerts', alerts: list.map(toWireAlert) } satisfies WireMessage);
  }

  function pushAlerts(which: (c: Client) => boolean): void {
    for (const c of clients) if (which(c) && stillEntitled(c)) send(c, alertsMessage(c), false);
  }

  function dropClient(c: Client, code: number, reason: string): void {
    clients.delete(c);
    c.socket.close(code, reason);
  }

  /** A client whose session ended or whose partner withdrew is closed before anything more is sent to it. */
  const stillEntitled = (c: Client): boolean => {
    if (!partnerActive(c.session)) {
      dropClient(c, 4403, 'partner withdrawn');
      return false;
    }
    if (!sessions.isLive(c.session)) {
      dropClient(c, 4401, 'session ended');
      return false;
    }
    return true;
  };

  const send = (c: Client, text: string | Uint8Array, droppable: boolean) => {
    if (c.socket.readyState !== c.socket.OPEN) return;
    if (droppable && c.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      if (skippedFrames++ === 0) log('serve: a WebSocket client is too slow; skipping frames for it (newest wins)');
      return;
    }
    c.socket.send(text);
  };

  /**
   * The audience's latest frame to a client, or nothing while its socket is
   * congested: the frame is skipped, not queued, and (v2) the client's next
   * frame is a keyframe because it no longer holds the base of a delta.
   */
  const sendFrame = (c: Client) => {
    if (c.socket.readyState !== c.socket.OPEN) return;
    if (c.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      if (skippedFrames++ === 0) log('serve: a WebSocket client is too slow; skipping frames for it (newest wins)');
      return;
    }
    const m = fanout.message(c.feed, c.key);
    if (m !== null) c.socket.send(m);
  };

  const unsubTracks = opts.bus.subscribe('tracks', (frame: TrackFrame) => {
    // A frame that names no audience has no one entitled to it: fail closed.
    if (frame.audience === undefined) {
      if (unaddressed++ === 0) log('serve: SKY_SERVE_FRAME_UNADDRESSED a track frame names no audience; shown to no one');
      return;
    }
    latest.set(frame.audience, frame);
    fanout.publish(frame.audience, frame);
    // The ingest counters feed the stale-feed rule (only the audience's granted sensors are read).
    const alertsChanged = alerts.onFrame(frame, opts.feedStatsOf?.());
    journal?.frame(frame.audience, frame.timeS);
    for (const c of clients) {
      if (c.key !== frame.audience || !stillEntitled(c)) continue;
      sendFrame(c);
    }
    if (alertsChanged) pushAlerts((c) => c.key === frame.audience);
  });

  const unsubEvents = opts.bus.subscribe('events', (events: readonly SkyEvent[]) => {
    // Each audience's alerts hear only the north markers of sensors it is granted.
    const alertKeys = alerts.onEvents(events);
    if (alertKeys.size > 0) pushAlerts((c) => alertKeys.has(c.key));
    if (clients.size === 0) return;
    const wire: { e: WireEvent; sensorId: string | null }[] = [];
    for (const e of events) {
      const w = toWireEvent(e);
      if (w) wire.push({ e: w, sensorId: e.kind === 'north-marker' ? e.sensorId : null });
    }
    if (wire.length === 0) return;
    // A sensor's health goes only to partners granted that sensor.
    const byKey = new Map<string, string | null>();
    for (const c of clients) {
      if (!stillEntitled(c)) continue;
      let text = byKey.get(c.key);
      if (text === undefined) {
        const a = membership.audienceOf(c.session.partnerId);
        const mine = wire.filter((w) => w.sensorId === null || (a?.grants.has(w.sensorId) ?? false)).map((w) => w.e);
        text = mine.length > 0 ? JSON.stringify({ type: 'events', events: mine } satisfies WireMessage) : null;
        byKey.set(c.key, text);
      }
      if (text !== null) send(c, text, false);
    }
  });

  const unsubMembership = membership.onChange((ch) => {
    if (ch.to === 'withdrawn') {
      const n = sessions.revokePartner(ch.partnerId, 'SKY_PARTNER_WITHDRAWN');
      log(`serve: partner ${ch.partnerId} withdrew: ${n} session(s) ended`);
    }
    const keys = membership.audienceKeys();
    for (const k of [...latest.keys()]) if (!keys.has(k)) latest.delete(k);
    fanout.retain(keys);
    alerts.retain(keys);
    for (const c of [...clients]) {
      if (!stillEntitled(c)) continue;
      const a = membership.audienceOf(c.session.partnerId);
      if (!a) continue;
      send(c, JSON.stringify({ type: 'coalition' } satisfies WireMessage), false);
      if (a.key !== c.key) {
        // The partner now sees another audience: replace its picture at once,
        // with that audience's latest frame or, until it has one, an empty one.
        const old = latest.get(c.key);
        c.key = a.key;
        send(c, fanout.message(c.feed, a.key) ?? fanout.empty(c.feed, old?.timeS ?? now()), false);
        send(c, alertsMessage(c), false);
      }
    }
  });

  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    unsubTracks();
    unsubEvents();
    unsubMembership();
    await app.close();
    const why = err instanceof Error ? err.message : String(err);
    throw new SkyError('SKY_SERVE_LISTEN', `cannot listen on ${opts.host}:${opts.port}: ${why}; choose another --port`);
  }
  const port = (app.server.address() as AddressInfo).port;
  const url = displayUrl(opts.host, port, opts.tls !== undefined);
  log(`serve: listening on ${url}`);

  let closed: Promise<void> | null = null;
  return {
    url,
    operatorUrl: opts.operator ? operatorUrl(url, opts.operator.token) : url,
    port,
    sessions,
    routes,
    close() {
      closed ??= (async () => {
        unsubTracks();
        unsubEvents();
        unsubMembership();
        for (const c of clients) c.socket.close(1001, 'server closing');
        await app.close();
      })();
      return closed;
    },
  };
}

/**
 * The page, told by body attributes that demo accounts are in use (it shows
 * a banner) and which tile server to draw (web/src/map.ts basemapTiles).
 */
async function withPageFlags(assets: WebAssets, demo: boolean, tiles: string | undefined): Promise<WebAssets> {
  const attrs = `${demo ? ' data-demo="1"' : ''}${tiles !== undefined ? ` data-tiles="${htmlAttr(tiles)}"` : ''}`;
  if (attrs === '') return assets;
  const page = assets.get('');
  if (!page) return assets;
  const out = new Map(assets);
  out.set('', asset(page.body.toString('utf8').replace('<body>', `<body${attrs}>`), page.contentType));
  return out;
}
