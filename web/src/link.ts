// The connection to the server: login and logout, REST calls with the
// session token and the WebSocket stream, which carries the token as a
// subprotocol because a browser cannot set headers on a WebSocket.
// Reconnects with backoff; a refused session (ended, expired, partner
// withdrawn) stops the retries (retrying cannot fix it). The token lives in
// sessionStorage (this tab only) and travels only in headers, never in a
// cookie, so another site cannot make the browser use it.

import type { WireMessage } from '../../src/serve/wire.ts';
import { FrameDecoder, type FramePatch, type LiveTrack, TrackMirror } from '../../src/serve/wire-v2.ts';
import type { FromDecoder, ToDecoder } from './decoder-worker.ts';
import type { LinkState } from './panel.ts';

const PROTOCOL = 'skyfuse.v1';
const PROTOCOL_V2 = 'skyfuse.v2';

/**
 * The page asks for compact binary frames (skyfuse.v2, offered with v1, which
 * the server's token check and older servers need); `?wire=v1` in the address
 * keeps to JSON frames (the bench's baseline, and a fallback).
 */
export function wantedWire(): 'v1' | 'v2' {
  return new URLSearchParams(location.search).get('wire') === 'v1' ? 'v1' : 'v2';
}
const TOKEN_KEY = 'skyfuse.token';

/**
 * The session token: from the URL fragment (#token=...) on first load, then
 * from sessionStorage. The fragment is removed from the address bar at once so
 * it does not linger on screen, in screenshots or in bookmarks.
 */
export function takeToken(): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m?.[1]) {
    const token = decodeURIComponent(m[1]);
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Is this error a refused session (401) or a partner no longer entitled (403)? */
export const isRefusal = (err: unknown): err is ApiError => err instanceof ApiError && (err.status === 401 || err.status === 403);

export interface LoginResult {
  readonly token: string;
  readonly expiresS: number;
  readonly user: string;
  readonly partner: string;
  readonly partnerName: string;
  readonly role: string;
}

export interface Me {
  readonly subject: string;
  readonly kind: 'login' | 'api' | 'demo';
  readonly partner: string;
  readonly partnerName: string;
  readonly role: string;
  readonly expiresS: number | null;
  readonly demo: boolean;
  /** The server replays a recording (GET /api/replay describes it). */
  readonly replay?: boolean;
}

export function login(username: string, password: string): Promise<LoginResult> {
  return request<LoginResult>('POST', '/api/login', null, { username, password });
}

/** Ends the session on the server; the caller forgets the token whatever the answer. */
export async function logout(token: string): Promise<void> {
  await request<null>('POST', '/api/logout', token, null).catch(() => {});
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function getJson<T>(path: string, token: string): Promise<T> {
  return request<T>('GET', path, token, null);
}

export function postJson<T>(path: string, token: string): Promise<T> {
  return request<T>('POST', path, token, null);
}

async function request<T>(method: 'GET' | 'POST', path: string, token: string | null, body: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== null) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, cache: 'no-store', ...(body !== null ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) {
    let code = `HTTP_${res.status}`;
    let message = res.statusText;
    try {
      const body = (await res.json()) as { error?: string; message?: string };
      code = body.error ?? code;
      message = body.message ?? message;
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, code, message);
  }
  if (res.status === 204) return null as T;
  return (await res.json()) as T;
}

export interface LinkHandlers {
  /**
   * `parseMs`: main-thread time spent on the message before this call (JSON parsing; for a binary frame, handing it
   * to the decoder worker, receiving the patch it returned (the browser deserialises it on this thread) and applying
   * it); `workerMs`: the worker's time decoding it.
   */
  message(msg: WireMessage, parseMs: number, workerMs: number): void;
  state(state: LinkState, detail?: string): void;
}

export class Link {
  private ws: WebSocket | null = null;
  private retryMs = 1000;
  private stopped = false;
  /**
   * Binary frames are decoded in a Web Worker (decoder-worker.ts) and come back as patches, which the mirror applies
   * in place: each track keeps one object, rewritten by the deltas (LiveTrack.rev says it changed), so a frame of
   * 10,000 tracks allocates no new objects and the main thread does not decode. Where no worker can be started,
   * `local` decodes on the main thread instead, into the same patches.
   */
  private readonly mirror = new TrackMirror();
  private worker: Worker | null = null;
  private local: FrameDecoder | null = null;
  /** The connection the worker's patches must belong to (bumped by every open). */
  private gen = 0;
  /** Main-thread time handing binary messages to the worker since the last frame was delivered. */
  private postMs = 0;
  /** Frames delivered from the worker's patches, and from decoding here (no worker). */
  readonly decoded = { worker: 0, main: 0 };
  /** The subprotocol the server chose for the open socket. */
  protocol = '';

  constructor(
    private readonly token: string,
    private readonly handlers: LinkHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.startDecoder();
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
    this.worker?.terminate();
    this.worker = null;
  }

  private startDecoder(): void {
    if (this.worker || this.local) return;
    try {
      const w = new Worker(new URL('assets/decoder.js', location.href), { type: 'module' });
      // Timed from before `ev.data` is read: the browser deserialises the patch then, on this thread.
      w.onmessage = (ev: MessageEvent<FromDecoder>) => this.fromWorker(performance.now(), ev.data);
      // The script did not load or crashed: decode here from now on, starting over from a keyframe.
      w.onerror = (ev) => {
        console.warn('skyfuse: decoder worker failed, decoding on the main thread', ev.message);
        w.terminate();
        this.worker = null;
        this.local = new FrameDecoder();
        this.ws?.close(4000, 'decoder restarted');
      };
      this.worker = w;
    } catch (err) {
      console.warn('skyfuse: no decoder worker, decoding on the main thread', err);
      this.local = new FrameDecoder();
    }
  }

  private fromWorker(t0: number, m: FromDecoder): void {
    // A patch of a connection since replaced: its base is gone with it.
    if (m.gen !== this.gen) return;
    if ('error' in m) {
      // A frame this page cannot apply (SKY_WIRE_*): start again from a keyframe.
      console.warn('skyfuse: bad frame, reconnecting', m.error, m.message);
      this.ws?.close(4000, 'bad frame');
      return;
    }
    this.decoded.worker++;
    this.deliver(t0, m.patch, m.decodeMs);
  }

  private deliver(t0: number, patch: FramePatch, workerMs: number): void {
    let tracks: readonly LiveTrack[];
    try {
      tracks = this.mirror.apply(patch);
    } catch (err) {
      // A patch that does not fit the tracks held (it cannot, after the decoder's checks): start again from a keyframe.
      console.warn('skyfuse: patch does not apply, reconnecting', err);
      this.ws?.close(4000, 'bad patch');
      return;
    }
    const ms = performance.now() - t0 + this.postMs;
    this.postMs = 0;
    try {
      this.handlers.message({ type: 'frame', t: patch.t, tracks }, ms, workerMs);
    } catch (err) {
      console.error('skyfuse: bad message', err);
    }
  }

  private open(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`;
    this.handlers.state('connecting');
    let opened = false;
    const offer = wantedWire() === 'v2' ? [PROTOCOL_V2, PROTOCOL] : [PROTOCOL];
    const ws = new WebSocket(url, [...offer, `token.${this.token}`]);
    ws.binaryType = 'arraybuffer';
    // Every connection starts from a keyframe: nothing of the last one is a base.
    const gen = ++this.gen;
    this.mirror.reset();
    this.local?.reset();
    this.worker?.postMessage({ gen, reset: true } satisfies ToDecoder);
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      this.retryMs = 1000;
      this.protocol = ws.protocol;
      this.handlers.state('live');
    };
    ws.onmessage = (ev: MessageEvent) => {
      const t0 = performance.now();
      if (ev.data instanceof ArrayBuffer) {
        if (this.worker) {
          // Transferred, not copied: the worker owns the bytes from here.
          this.worker.postMessage({ gen, bytes: ev.data } satisfies ToDecoder, [ev.data]);
          this.postMs += performance.now() - t0;
          return;
        }
        let patch: FramePatch;
        try {
          patch = (this.local ??= new FrameDecoder()).patch(new Uint8Array(ev.data));
        } catch (err) {
          console.warn('skyfuse: bad frame, reconnecting', err);
          ws.close(4000, 'bad frame');
          return;
        }
        this.decoded.main++;
        this.deliver(t0, patch, 0);
        return;
      }
      let msg: WireMessage;
      try {
        msg = JSON.parse(ev.data as string) as WireMessage;
      } catch (err) {
        console.warn('skyfuse: bad message, reconnecting', err);
        ws.close(4000, 'bad message');
        return;
      }
      try {
        this.handlers.message(msg, performance.now() - t0, 0);
      } catch (err) {
        console.error('skyfuse: bad message', err);
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      this.ws = null;
      if (this.stopped) return;
      // 4401: the session ended (logout, expiry); 4403: the partner withdrew.
      if (ev.code === 4401 || ev.code === 4403) {
        this.handlers.state('unauthorized', ev.code === 4403 ? 'SKY_PARTNER_WITHDRAWN' : 'SKY_AUTH_REQUIRED');
        return;
      }
      // A refused upgrade looks like any other failure to the browser; ask
      // the REST API whether the token is the reason before retrying.
      const retry = () => {
        const wait = this.retryMs;
        this.retryMs = Math.min(this.retryMs * 2, 15000);
        this.handlers.state('reconnecting', `in ${Math.round(wait / 1000)} s`);
        setTimeout(() => this.open(), wait);
      };
      if (opened) return retry();
      getJson('/api/status', this.token).then(retry, (err: unknown) => {
        if (isRefusal(err)) this.handlers.state('unauthorized', err.code);
        else retry();
      });
    };
  }
}
