// An operator's own tile server (`skyfuse serve --tiles URL_TEMPLATE`). The
// page draws it under the offline outlines (web/src/map.ts basemapTiles), and
// the server's CSP lets the browser reach that one origin and no other: the
// template is checked here, once, before anything starts, so a typo is a
// usage error at the terminal and not a blank map behind a CSP refusal.

import { SkyError } from '../core/errors.ts';

export interface TileServer {
  /** The template as given, e.g. https://tiles.example.org/{z}/{x}/{y}.png. */
  readonly template: string;
  /** Its origin, the only outside source the CSP then allows (connect-src, img-src). */
  readonly origin: string;
}

const bad = (raw: string, why: string) =>
  new SkyError('SKY_TILES_URL', `--tiles "${raw}": ${why}; give an http(s) URL template such as https://tiles.example.org/{z}/{x}/{y}.png`);

/**
 * Checks a tile URL template: http or https, no credentials, {z}, {x} and {y}
 * in the path or query (not in the host: the CSP names one origin), and no
 * character that could leave the page's attribute or the CSP header
 * (whitespace, quotes, angle brackets, backslash). Throws SKY_TILES_URL.
 */
export function parseTilesUrl(raw: string): TileServer {
  if (raw.length === 0 || raw.length > 2048) throw bad(raw, 'must be 1..2048 characters');
  if (/[\s"'<>\\`\x00-\x1f\x7f]/.test(raw)) throw bad(raw, 'contains whitespace, a quote, an angle bracket or a backslash');
  for (const p of ['{z}', '{x}', '{y}']) if (!raw.includes(p)) throw bad(raw, `has no ${p}`);
  let u: URL;
  try {
    u = new URL(raw.replace(/\{[xyz]\}/g, '0'));
  } catch {
    throw bad(raw, 'is not a URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw bad(raw, `scheme ${u.protocol} is not http or https`);
  if (u.username !== '' || u.password !== '') throw bad(raw, 'carries credentials (user:password@); the page would show them to every operator');
  // The template must begin with exactly its origin, so that no placeholder
  // (or anything else) makes the browser fetch from another host than the
  // one the CSP allows.
  if (!raw.toLowerCase().startsWith(u.origin.toLowerCase() + '/')) throw bad(raw, `the host must be written out in full (origin ${u.origin}), placeholders only after it`);
  return { template: raw, origin: u.origin };
}

/** The template as a double-quoted HTML attribute value. */
export const htmlAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
