// The HTTP + WebSocket edge. It keeps the latest TrackFrame from the bus,
// answers the REST API (OpenAPI at /api/openapi.json), pushes each frame and
// the operator-visible events to every WebSocket client, and serves the page.
// A slow client skips frames (newest wins) instead of growing a queue: the
// bus handler never blocks on a socket.

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { Bus } from '../core/bus.ts';
import { trackToJson } from '../core/contract.ts';
import { coalitionToJson } from '../coalition/coalition.ts';
import { ErrorCounter, SkyError } from '../core/errors.ts';
import type { Coalition, SkyEvent, TrackFrame } from '../core/types.ts';
import { TokenCheck, bearerToken, operatorUrl, wsProtocolToken } from './auth.ts';
import { coalitionSchema, errorSchema, openApiDocument, statusSchema, tracksSchema } from './openapi.ts';
import { buildWeb } from './web.ts';
import { WS_PROTOCOL, type WireEvent, type WireMessage, toWireEvent, toWireFrame } from './wire.ts';

export interface ServeOptions {
  host: string;
  /** 0 = ephemeral. */
  port: number;
  /** Subscribed to 'tracks' and 'events'. */
  bus: Bus;
  coalition: Coalition;
  /** The operator credential (16..256 chars of A-Z a-z 0-9 . _ ~ -; see generateToken()). */
  token: string;
  /** Receives one line per notable happening; never the token. */
  log?: (line: string) => void;
  /** Wall clock in seconds since the epoch (injected for tests). */
  now?: () => number;
}

export interface ServerHandle {
  /** Base URL, e.g. http://127.0.0.1:8080/ (no credentials). */
  url: string;
  /** The URL to give the operator: `url#token=...`. Print it to a terminal, never to a log file. */
  operatorUrl: string;
  port: number;
  close(): Promise<void>;
}

/** Frames to a client that has this much unsent data are skipped (newest wins). */
const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // MapLibre's worker is a same-origin module; blob: covers its fallback of
  // wrapping the worker script in a blob URL. No outside host, no inline script.
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
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

function displayUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}/`;
}

export async function startServer(opts: ServeOptions): Promise<ServerHandle> {
  const now = opts.now ?? (() => Date.now() / 1000);
  const log = opts.log ?? (() => {});
  const tokenCheck = new TokenCheck(opts.token);
  const startedS = now();
  const assets = await buildWeb();
  const coalitionBody = coalitionToJson(opts.coalition);
  const openapi = JSON.stringify(openApiDocument(pkgVersion()));
  const refused = new ErrorCounter();

  let latest: TrackFrame | null = null;
  const clients = new Set<WebSocket>();
  let skippedFrames = 0;

  const app = Fastify({ logger: false, bodyLimit: 16 * 1024, return503OnClosing: true });
  await app.register(websocket, {
    options: {
      maxPayload: 4096,
      // Select skyfuse.v1 and never echo the token protocol back.
      handleProtocols: (protocols: Set<string>) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    },
  });

  app.addHook('onSend', async (req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    if (pathOf(req.url).startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(req.url);
    if (!(path === '/api' || path.startsWith('/api/')) || path === '/api/openapi.json') return;
    const isUpgrade = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    const presented =
      bearerToken(req.headers.authorization) ??
      (isUpgrade ? wsProtocolToken(req.headers['sec-websocket-protocol']) : null);
    if (tokenCheck.accepts(presented)) return;
    const message =
      presented === null
        ? 'no credentials: send "Authorization: Bearer <token>" (WebSocket: subprotocols "skyfuse.v1, token.<token>"); the token is in the URL printed by skyfuse serve'
        : 'the token presented is not the operator token; use the URL printed by skyfuse serve';
    const line = `serve: SKY_AUTH_REQUIRED ${req.method} ${path} from ${req.ip} refused (${presented === null ? 'no credentials' : 'wrong token'})`;
    if (refused.count('SKY_AUTH_REQUIRED') === 0) log(line);
    refused.add('SKY_AUTH_REQUIRED', line);
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="skyfuse"')
      .send({ error: 'SKY_AUTH_REQUIRED', message });
  });

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

  const err401 = { 401: errorSchema };
  app.get('/api/tracks', { schema: { response: { 200: tracksSchema, ...err401 } } }, () => ({
    t: latest?.timeS ?? null,
    tracks: latest ? latest.tracks.map(trackToJson) : [],
  }));
  app.get('/api/coalition', { schema: { response: { 200: coalitionSchema, ...err401 } } }, () => coalitionBody);
  app.get('/api/status', { schema: { response: { 200: statusSchema, ...err401 } } }, () => ({
    frameTimeS: latest?.timeS ?? null,
    trackCount: latest?.tracks.length ?? 0,
    uptimeS: Math.max(0, now() - startedS),
    serverTimeS: now(),
    wsClients: clients.size,
  }));

  app.get('/api/ws', { websocket: true }, (socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    // Clients only listen; anything they send is ignored (maxPayload bounds it).
    const hello: WireMessage = { type: 'hello', protocol: WS_PROTOCOL, serverTimeS: now() };
    socket.send(JSON.stringify(hello));
    if (latest) socket.send(JSON.stringify(toWireFrame(latest)));
  });

  const broadcast = (text: string, droppable: boolean) => {
    for (const c of clients) {
      if (c.readyState !== c.OPEN) continue;
      if (droppable && c.bufferedAmount > MAX_BUFFERED_BYTES) {
        if (skippedFrames++ === 0) log('serve: a WebSocket client is too slow; skipping frames for it (newest wins)');
        continue;
      }
      c.send(text);
    }
  };

  const unsubTracks = opts.bus.subscribe('tracks', (frame: TrackFrame) => {
    latest = frame;
    if (clients.size > 0) broadcast(JSON.stringify(toWireFrame(frame)), true);
  });
  const unsubEvents = opts.bus.subscribe('events', (events: readonly SkyEvent[]) => {
    if (clients.size === 0) return;
    const wire: WireEvent[] = [];
    for (const e of events) {
      const w = toWireEvent(e);
      if (w) wire.push(w);
    }
    if (wire.length > 0) broadcast(JSON.stringify({ type: 'events', events: wire } satisfies WireMessage), false);
  });

  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    unsubTracks();
    unsubEvents();
    await app.close();
    const why = err instanceof Error ? err.message : String(err);
    throw new SkyError('SKY_SERVE_LISTEN', `cannot listen on ${opts.host}:${opts.port}: ${why}; choose another --port`);
  }
  const port = (app.server.address() as AddressInfo).port;
  const url = displayUrl(opts.host, port);
  log(`serve: listening on ${url}`);

  let closed: Promise<void> | null = null;
  return {
    url,
    operatorUrl: operatorUrl(url, opts.token),
    port,
    close() {
      closed ??= (async () => {
        unsubTracks();
        unsubEvents();
        for (const c of clients) c.close(1001, 'server closing');
        await app.close();
      })();
      return closed;
    },
  };
}
