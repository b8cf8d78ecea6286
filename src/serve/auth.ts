// Operator credentials. One bearer token for now (a later issue brings
// per-partner users). Tokens are compared as SHA-256 digests with
// timingSafeEqual, so neither the content nor the length of the expected
// token leaks through response timing. The token never appears in a log line.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SkyError } from '../core/errors.ts';
import { WS_PROTOCOL, WS_TOKEN_PREFIX } from './wire.ts';

/**
 * Characters allowed in a token: base64url plus '.', '~'. They are valid in
 * an HTTP Authorization header, in a WebSocket subprotocol name (RFC 6455
 * token) and in a URL fragment without escaping.
 */
const TOKEN_RE = /^[A-Za-z0-9._~-]{16,256}$/;

/** A fresh operator token: 192 random bits, base64url. */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Throws SKY_SERVE_TOKEN_WEAK for a token that is too short or has unusable characters. */
export function checkTokenShape(token: string): void {
  if (!TOKEN_RE.test(token)) {
    throw new SkyError(
      'SKY_SERVE_TOKEN_WEAK',
      'the operator token must be 16..256 characters of A-Z a-z 0-9 . _ ~ - (generate one with generateToken())',
    );
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class TokenCheck {
  private readonly expected: Buffer;

  constructor(token: string) {
    checkTokenShape(token);
    this.expected = digest(token);
  }

  /** Constant-time comparison of a presented token with the operator token. */
  accepts(presented: string | null): boolean {
    if (presented === null) return false;
    return timingSafeEqual(digest(presented), this.expected);
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
