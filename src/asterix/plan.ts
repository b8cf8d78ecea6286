// Record walking without allocation, for the typed decoders' hot path. A
// category's generated table is compiled once into a plan: per UAP slot, the
// byte length of a fixed item, or a small numeric description of how to skip
// an extended, repetitive, explicit or compound one. The walk reads the FSPEC
// bits straight from the buffer and fills the item start positions. It never
// throws and builds no error: on anything unexpected it returns -1 and the
// caller asks the engine's scanRecord for the exact error, so errors (code,
// offset, message) stay those of the one table-driven engine.

import type { CategoryDef, Variation } from './spec.ts';
import { partsBits } from './spec.ts';

const FIXED = 0;
const EXT = 1;
const REP_FX = 2;
const REP_COUNT = 3;
const EXPLICIT = 4;
const COMPOUND = 5;

/** How to skip one byte-aligned variation. One shape for every kind, so the walk stays monomorphic. */
interface Skip {
  readonly kind: number;
  /** FIXED: bytes; REP_FX / REP_COUNT: bytes per repetition. */
  readonly n: number;
  /** REP_COUNT: bytes of the count. */
  readonly countBytes: number;
  /** EXT: byte length of each FX-chained segment. */
  readonly segs: Int32Array;
  /** COMPOUND: sub-items by presence bit; null = spare slot. */
  readonly subs: readonly (Skip | null)[];
}

const NO_SEGS = new Int32Array(0);

function compile(v: Variation): Skip {
  const base = { n: 0, countBytes: 0, segs: NO_SEGS, subs: [] as (Skip | null)[] };
  switch (v.t) {
    case 'el':
    case 'grp':
      return { ...base, kind: FIXED, n: v.bits >>> 3 };
    case 'ext':
      return { ...base, kind: EXT, segs: Int32Array.from(v.segs, (s) => (partsBits(s) + 1) >>> 3) };
    case 'rep': {
      const bits = v.v.t === 'el' || v.v.t === 'grp' ? v.v.bits : 0;
      return v.countBytes > 0 ? { ...base, kind: REP_COUNT, n: bits >>> 3, countBytes: v.countBytes } : { ...base, kind: REP_FX, n: (bits + 1) >>> 3 };
    }
    case 'exp':
      return { ...base, kind: EXPLICIT };
    case 'cmp':
      return { ...base, kind: COMPOUND, subs: v.subs.map((s) => (s === null ? null : compile(s[1]))) };
  }
}

export interface RecordPlan {
  readonly slots: number;
  /** Per UAP slot: byte length of a fixed item; 0 for a slot with another shape (see skips); -1 for a spare slot. */
  readonly fixed: Int32Array;
  readonly skips: readonly (Skip | null)[];
}

export function compilePlan(def: CategoryDef): RecordPlan {
  const fixed = new Int32Array(def.uap.length);
  const skips: (Skip | null)[] = [];
  def.uap.forEach((name, i) => {
    const v = name === null ? undefined : def.items[name];
    if (v === undefined) {
      fixed[i] = -1;
      skips.push(null);
      return;
    }
    const s = compile(v);
    fixed[i] = s.kind === FIXED ? s.n : 0;
    skips.push(s);
  });
  return { slots: def.uap.length, fixed, skips };
}

/** Position after the variation at pos, or -1 when it is malformed or runs past end. */
function skip(buf: Uint8Array, pos: number, end: number, s: Skip): number {
  let p = pos;
  switch (s.kind) {
    case FIXED:
      p += s.n;
      return p <= end ? p : -1;
    case EXT: {
      const segs = s.segs;
      for (let i = 0; i < segs.length; i++) {
        p += segs[i]!;
        if (p > end) return -1;
        if ((buf[p - 1]! & 1) === 0) return p;
      }
      return -1; // FX set in the last defined octet
    }
    case REP_FX:
      for (;;) {
        p += s.n;
        if (p > end) return -1;
        if ((buf[p - 1]! & 1) === 0) return p;
      }
    case REP_COUNT: {
      if (p + s.countBytes > end) return -1;
      let count = 0;
      for (let i = 0; i < s.countBytes; i++) count = count * 256 + buf[p + i]!;
      p += s.countBytes + count * s.n;
      return p <= end ? p : -1;
    }
    case EXPLICIT: {
      if (p >= end) return -1;
      const len = buf[p]!;
      p += len;
      return len > 0 && p <= end ? p : -1;
    }
    default: {
      // COMPOUND: its own FX-chained FSPEC, then the present sub-items in order.
      const subs = s.subs;
      let fs = p;
      for (;;) {
        if (fs >= end) return -1;
        if ((buf[fs++]! & 1) === 0) break;
        if ((fs - p) * 7 >= subs.length) return -1;
      }
      let q = fs;
      let bit = 0;
      for (let o = p; o < fs; o++) {
        const b = buf[o]!;
        for (let j = 7; j >= 1; j--, bit++) {
          if (((b >>> j) & 1) === 0) continue;
          const sub = subs[bit];
          if (sub === undefined || sub === null) return -1;
          q = skip(buf, q, end, sub);
          if (q < 0) return -1;
        }
      }
      return q;
    }
  }
}

/**
 * Walks the record at pos: starts[slot] = byte position of each present
 * item, -1 for absent ones. Returns the position after the record, or -1
 * when the record is malformed (the engine's scanRecord then says how).
 */
export function walkRecord(plan: RecordPlan, buf: Uint8Array, pos: number, end: number, starts: Int32Array): number {
  starts.fill(-1);
  const { slots, fixed, skips } = plan;
  let fs = pos;
  for (;;) {
    if (fs >= end) return -1;
    if ((buf[fs++]! & 1) === 0) break;
    if ((fs - pos) * 7 >= slots) return -1;
  }
  let q = fs;
  let slot = 0;
  let any = false;
  for (let o = pos; o < fs; o++) {
    const b = buf[o]!;
    if ((b & 0xfe) === 0) {
      slot += 7;
      continue;
    }
    for (let j = 7; j >= 1; j--, slot++) {
      if (((b >>> j) & 1) === 0) continue;
      if (slot >= slots) return -1;
      const n = fixed[slot]!;
      starts[slot] = q;
      any = true;
      if (n > 0) {
        q += n;
        if (q > end) return -1;
      } else if (n < 0) return -1;
      else {
        q = skip(buf, q, end, skips[slot]!);
        if (q < 0) return -1;
      }
    }
  }
  return any ? q : -1;
}
