// Where credentials travel: a bearer token in the Authorization header, or
// (browsers cannot set headers on a WebSocket) as the subprotocol
// `token.<token>`, and in the URL fragment of the printed demo address. What a
// token is worth is decided by the session registry (users.ts), which keeps
// only digests. A token never appears in a log line.

import { randomBytes } from 'node:crypto';
import { SkyError } from '../core/errors.ts';
import { WS_PROTOCOL, WS_TOKEN_PREFIX } from './wire.ts';

/**
 * Characters allowed in a token: base64url plus '.', '~'. They are valid in
 * an HTTP Authorization header, in a WebSocket subprotocol name (RFC 6455
 * token) and in a URL fragment without escaping.
 */
const TOKEN_RE = /^[A-Za-z0-9._~-]{16,256}$/;

/** A fresh token for the printed demo session: 192 random bits, base64url. */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Throws SKY_SERVE_TOKEN_WEAK for a token that is too short or has unusable characters. */
export function checkTokenShape(token: string): void {
  if (!TOKEN_RE.test(token)) {
    throw new SkyError(
      'SKY_SERVE_TOKEN_WEAK',
      'the demo session token must be 16..256 characters of A-Z a-z 0-9 . _ ~ - (generate one with generateToken())',
    );
  }
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? null;
}

/**
 * The token offered as the subprotocol `token.<token>` next to `skyfuse.v1`
 * in `Sec-WebSocket-Protocol`, or null. Browsers cannot set an Authorization
 * header on a WebSocket, so the subprotocol list carries it.
 */
export function wsProtocolToken(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const list = (Array.isArray(header) ? header.join(',') : header).split(',').map((s) => s.trim());
  if (!list.includes(WS_PROTOCOL)) return null;
  const t = list.find((p) => p.startsWith(WS_TOKEN_PREFIX));
  return t === undefined ? null : t.slice(WS_TOKEN_PREFIX.length);
}

/** The address to give an operator: the token rides in the fragment, which browsers never send. */
export function operatorUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/?$/, '/')}#token=${encodeURIComponent(token)}`;
}
