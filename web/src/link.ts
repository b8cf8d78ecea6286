// The connection to the server: REST calls with the bearer token and the
// WebSocket stream, which carries the token as a subprotocol because a
// browser cannot set headers on a WebSocket. Reconnects with backoff; a
// refused token stops the retries (retrying cannot fix it).

import type { WireMessage } from '../../src/serve/wire.ts';
import type { LinkState } from './panel.ts';

const PROTOCOL = 'skyfuse.v1';
const TOKEN_KEY = 'skyfuse.token';

/**
 * The operator token: from the URL fragment (#token=...) on first load, then
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

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, token: string): Promise<T> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
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
  return (await res.json()) as T;
}

export interface LinkHandlers {
  message(msg: WireMessage): void;
  state(state: LinkState, detail?: string): void;
}

export class Link {
  private ws: WebSocket | null = null;
  private retryMs = 1000;
  private stopped = false;

  constructor(
    private readonly token: string,
    private readonly handlers: LinkHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }

  private open(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`;
    this.handlers.state('connecting');
    let opened = false;
    const ws = new WebSocket(url, [PROTOCOL, `token.${this.token}`]);
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      this.retryMs = 1000;
      this.handlers.state('live');
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      try {
        this.handlers.message(JSON.parse(ev.data) as WireMessage);
      } catch (err) {
        console.error('skyfuse: bad message', err);
      }
    };
    ws.onclose = () => {
      this.ws = null;
      if (this.stopped) return;
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
        if (err instanceof ApiError && err.status === 401) this.handlers.state('unauthorized', err.code);
        else retry();
      });
    };
  }
}
