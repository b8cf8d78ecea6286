// Standard identity (APP-6 / MIL-STD-2525 affiliation) of a track, from what
// the partner's own picture knows of it. skyfuse has no IFF Mode 1/2/4/5 and
// no flight plans, so the rule uses transponder identity only:
//
// - pending: a tentative track (not yet confirmed: identity not evaluated);
// - unknown: no transponder at all (no Mode 3/A, no Mode S address);
// - friend: a Mode S address allocated (ICAO Annex 10, Vol. III) to a state
//   that is a member of the coalition: an aircraft registered in a partner
//   state;
// - neutral: any other transponding aircraft (Mode 3/A and/or a Mode S
//   address of another state): co-operative civil traffic.
//
// An emergency squawk does not change the affiliation; it is drawn as a red
// flashing halo. Nothing here is "hostile" or "suspect": that is an
// operator's judgement, not something a transponder can tell.

import type { WireTrack } from '../../src/serve/wire.ts';

export type Affiliation = 'friend' | 'neutral' | 'unknown' | 'pending';
export const AFFILIATIONS: readonly Affiliation[] = ['friend', 'neutral', 'unknown', 'pending'];

/**
 * 24-bit address blocks of states (partner ids are ISO 3166 alpha-3), from
 * the ICAO allocation table: [first, last] inclusive. Only states of the
 * region the demo flies over; a partner whose state is absent has no friends
 * by address (its aircraft show neutral), which errs on the safe side.
 */
export const ICAO_BLOCKS: Readonly<Record<string, readonly [number, number]>> = {
  EGY: [0x010000, 0x017fff],
  SAU: [0x710000, 0x717fff],
  ISR: [0x738000, 0x73ffff],
  JOR: [0x740000, 0x747fff],
  LBN: [0x748000, 0x74ffff],
  CYP: [0x4c8000, 0x4c83ff],
  GRC: [0x468000, 0x46ffff],
  TUR: [0x4b8000, 0x4bffff],
  ARE: [0x896000, 0x896fff],
  OMN: [0x70c000, 0x70c3ff],
};

/** The blocks of the given member partners, for affiliationOf. */
export function friendlyBlocks(memberIds: Iterable<string>): (readonly [number, number])[] {
  const out: (readonly [number, number])[] = [];
  for (const id of memberIds) {
    const b = ICAO_BLOCKS[id];
    if (b) out.push(b);
  }
  return out;
}

/**
 * parseInt(s, 16), read by hand when `s` is all hex digits (a Mode S address always is): the page asks every track's
 * affiliation every frame, and parseInt was most of it. Anything else (empty, signs, spaces, "0x") goes to parseInt.
 */
export function hexValue(s: string): number {
  let a = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return parseInt(s, 16);
    a = a * 16 + d;
  }
  return s.length > 0 ? a : NaN;
}

export function affiliationOf(t: WireTrack, friendly: readonly (readonly [number, number])[]): Affiliation {
  if (t.st === 'T') return 'pending';
  if (t.icao === null && t.m3a === null) return 'unknown';
  if (t.icao !== null) {
    const a = hexValue(t.icao);
    for (let k = 0; k < friendly.length; k++) {
      const b = friendly[k]!;
      if (a >= b[0] && a <= b[1]) return 'friend';
    }
  }
  return 'neutral';
}

export const EMERGENCY_CODES: ReadonlySet<string> = new Set(['7500', '7600', '7700']);
export const isEmergency = (t: WireTrack): boolean => t.m3a !== null && EMERGENCY_CODES.has(t.m3a);
