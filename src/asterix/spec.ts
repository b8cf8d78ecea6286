// The shape of a generated ASTERIX item table, and the small constructors the
// generated files (src/asterix/generated/*.ts) are written with. The shapes
// mirror zoranbosnjak/asterix-specs (element, group, extended, repetitive,
// explicit, compound) minus the documentation and table texts, which the
// engine does not need; tables decode to their numeric code.

/** How an element's bits are read as a value. */
export type Content =
  | { readonly k: 'raw' }
  | { readonly k: 'table' }
  | { readonly k: 'int'; readonly signed: boolean }
  /** value = raw * num / den in `unit` (num/den kept apart so 1/10 stays exact: 13/10 = 1.3, 13*0.1 != 1.3). */
  | { readonly k: 'q'; readonly signed: boolean; readonly num: number; readonly den: number; readonly unit: string }
  | { readonly k: 'str'; readonly enc: 'ascii' | 'icao' | 'octal' }
  /** A Mode S Comm-B register, kept as hex. */
  | { readonly k: 'bds' }
  /** The content depends on a sibling element of the same group (I021/150 AS on IM). */
  | { readonly k: 'dep'; readonly on: string; readonly def: Content; readonly cases: readonly (readonly [number, Content])[] };

/** A named sub-item, or a number of spare bits. */
export type Part = readonly [string, Variation] | number;

export type Variation =
  | { readonly t: 'el'; readonly bits: number; readonly c: Content }
  | { readonly t: 'grp'; readonly bits: number; readonly parts: readonly Part[] }
  /** Extended: each segment holds 8n-1 bits of parts, then an FX bit. */
  | { readonly t: 'ext'; readonly segs: readonly (readonly Part[])[] }
  /** Repetitive: countBytes = 0 means each repetition ends with an FX bit. */
  | { readonly t: 'rep'; readonly countBytes: number; readonly v: Variation }
  /** Explicit: first octet is the length, counting itself. */
  | { readonly t: 'exp'; readonly kind: 're' | 'sp' | null }
  /** Compound: its own FSPEC, 7 presence bits per octet with FX; null = spare slot. */
  | { readonly t: 'cmp'; readonly subs: readonly (readonly [string, Variation] | null)[] };

/** A Reserved Expansion Field definition (a REF): a compound with a fixed-size FSPEC and no FX. */
export interface ExpansionDef {
  readonly edition: string;
  readonly fspecBytes: number;
  readonly subs: readonly (readonly [string, Variation] | null)[];
}

export interface CategoryDef {
  readonly cat: number;
  readonly edition: string;
  /** FSPEC slot order; null = spare slot (must be 0). */
  readonly uap: readonly (string | null)[];
  readonly items: Readonly<Record<string, Variation>>;
  /** Decodes the RE item's contents when present. */
  readonly ref: ExpansionDef | null;
}

export const raw: Content = { k: 'raw' };
export const table: Content = { k: 'table' };
export const uint: Content = { k: 'int', signed: false };
export const sint: Content = { k: 'int', signed: true };
export const ascii: Content = { k: 'str', enc: 'ascii' };
export const icao: Content = { k: 'str', enc: 'icao' };
export const octal: Content = { k: 'str', enc: 'octal' };
export const bds: Content = { k: 'bds' };

/** Unsigned quantity with LSB num/den. */
export function uq(num: number, den: number, unit: string): Content {
  return { k: 'q', signed: false, num, den, unit };
}

/** Signed (two's complement) quantity with LSB num/den. */
export function sq(num: number, den: number, unit: string): Content {
  return { k: 'q', signed: true, num, den, unit };
}

export function dep(on: string, def: Content, cases: readonly (readonly [number, Content])[]): Content {
  return { k: 'dep', on, def, cases };
}

export function el(bits: number, c: Content): Variation {
  return { t: 'el', bits, c };
}

export function grp(...parts: Part[]): Variation {
  return { t: 'grp', bits: partsBits(parts), parts };
}

export function ext(...segs: Part[][]): Variation {
  return { t: 'ext', segs };
}

export function rep(countBytes: number, v: Variation): Variation {
  return { t: 'rep', countBytes, v };
}

export function expl(kind: 're' | 'sp' | null): Variation {
  return { t: 'exp', kind };
}

export function cmp(...subs: (readonly [string, Variation] | null)[]): Variation {
  return { t: 'cmp', subs };
}

export function partsBits(parts: readonly Part[]): number {
  let n = 0;
  for (const p of parts) n += typeof p === 'number' ? p : fixedBits(p[1]);
  return n;
}

/** Bit size of an element or group; other shapes have no fixed size inside a group. */
export function fixedBits(v: Variation): number {
  if (v.t === 'el' || v.t === 'grp') return v.bits;
  throw new Error(`variation ${v.t} has no fixed bit size`);
}
