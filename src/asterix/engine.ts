// The small engine that reads and writes any ASTERIX record shape the
// generated tables describe: the record FSPEC over the UAP, elements,
// groups, extended (FX) items, repetitive (REP count or FX) items, explicit
// (LEN) items, compounds with their own FSPEC, spare bits, and the RE field
// through its REF. Values come out in the spec's units, keyed by spec names.
//
// Value forms: element -> number (quantities scaled by their LSB, signed ones
// two's complement; tables as their code), or string (ICAO 6-bit and ASCII
// text, octal digits; raw elements wider than 52 bits and Comm-B registers as
// upper-case hex); group, extended, compound, REF -> object; repetitive ->
// array; RE -> object through the REF, else hex; SP -> hex.
//
// Decoding throws SkyError at the first structural problem (framing.ts and
// decode.ts turn that into onError); every decoded form encodes back to the
// same bytes: spare bits that are not 0 are kept under "(spare)", an FSPEC
// longer than needed under "(fspec)", an extended item keeps exactly the
// octets that were present, and an RE field the REF cannot account for stays hex.

import { SkyError } from '../core/errors.ts';
import { dataError } from './errors.ts';
import type { CategoryDef, Content, ExpansionDef, Part, Variation } from './spec.ts';
import { partsBits } from './spec.ts';

/** A record's items, keyed "I048/010", in UAP order. */
export type Items = Record<string, unknown>;

const SPARE_KEY = '(spare)';
/** FSPEC octets, kept only when a sender wrote more than needed (trailing empty octets), so re-encoding gives the same bytes. */
const FSPEC_KEY = '(fspec)';

/**
 * Errors raised because data ran past the end of the bytes available. In a
 * block already reported as truncated they are the same problem, so the
 * framing reports them once.
 */
const pastEndErrors = new WeakSet<SkyError>();

export function isPastEnd(e: SkyError): boolean {
  return pastEndErrors.has(e);
}

function pastEnd(e: SkyError): SkyError {
  pastEndErrors.add(e);
  return e;
}

// ---------------------------------------------------------------------------
// Bits

/** n <= 53 bits, big-endian, from bit position bitPos (bit 0 = MSB of buf[0]). */
export function readBits(buf: Uint8Array, bitPos: number, n: number): number {
  let v = 0;
  let p = bitPos;
  let left = n;
  while (left > 0) {
    const off = p & 7;
    const avail = 8 - off;
    const take = avail < left ? avail : left;
    const byte = buf[p >>> 3]!;
    v = v * (1 << take) + ((byte >>> (avail - take)) & ((1 << take) - 1));
    p += take;
    left -= take;
  }
  return v;
}

/** Writes the n low bits of v (a non-negative integer, n <= 53) at bitPos; the target bits must be 0. */
export function writeBits(buf: Uint8Array, bitPos: number, v: number, n: number): void {
  if ((bitPos & 7) === 0 && n <= 32 && (n & 7) === 0) {
    // Whole octets (most items): big-endian bytes, no bit arithmetic.
    const at = bitPos >>> 3;
    for (let i = (n >>> 3) - 1, x = v; i >= 0; i--, x = Math.floor(x / 256)) buf[at + i]! |= x & 0xff;
    return;
  }
  let p = bitPos + n;
  let left = n;
  let rest = v;
  while (left > 0) {
    const shift = (8 - (p & 7)) & 7;
    const take = 8 - shift < left ? 8 - shift : left;
    const unit = 2 ** take;
    const chunk = rest % unit;
    buf[(p - 1) >>> 3]! |= chunk << shift;
    rest = (rest - chunk) / unit;
    p -= take;
    left -= take;
  }
}

const HEX = '0123456789ABCDEF';

function readHex(buf: Uint8Array, bitPos: number, n: number): string {
  let s = '';
  let p = bitPos;
  const head = n % 4;
  if (head > 0) {
    s += HEX[readBits(buf, p, head)];
    p += head;
  }
  for (; p < bitPos + n; p += 4) s += HEX[readBits(buf, p, 4)];
  return s;
}

function writeHex(buf: Uint8Array, bitPos: number, hex: string, n: number, where: string): void {
  const digits = Math.ceil(n / 4);
  if (hex.length !== digits || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw bad(`${where} needs ${digits} hex digits, got ${JSON.stringify(hex)}`);
  }
  const head = n % 4;
  let p = bitPos;
  for (let i = 0; i < digits; i++) {
    const d = parseInt(hex[i]!, 16);
    const w = i === 0 && head > 0 ? head : 4;
    if (d >= 2 ** w) throw bad(`${where} hex ${hex} does not fit ${n} bits`);
    writeBits(buf, p, d, w);
    p += w;
  }
}

export function bytesToHex(buf: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += HEX[buf[i]! >>> 4]! + HEX[buf[i]! & 15]!;
  return s;
}

function hexToBytes(hex: string, where: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw bad(`${where}: ${JSON.stringify(hex)} is not whole octets of hex`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bad(msg: string): SkyError {
  return new SkyError('SKY_ASTERIX_BAD_VALUE', msg);
}

// ---------------------------------------------------------------------------
// Strings. ICAO 6-bit characters are the low six bits of IA-5 (Annex 10
// vol. IV 3.1.2.9.1.2): 1-26 A-Z, 32 space, 48-57 digits. The other codes are
// mapped the same way (code < 32 -> code + 64) so every bit pattern decodes
// and encodes back unchanged.

function icaoChar(code: number): string {
  return String.fromCharCode(code < 32 ? code + 64 : code);
}

function icaoCode(ch: number): number {
  if (ch >= 64 && ch < 96) return ch - 64;
  if (ch >= 32 && ch < 64) return ch;
  return -1;
}

const STR_BITS = { ascii: 8, icao: 6, octal: 3 } as const;

// ---------------------------------------------------------------------------
// Decoding

/** Where a decode is reading: a buffer, the end it must not pass, and the file offset of buf[0]. */
export interface Cursor {
  buf: Uint8Array;
  pos: number;
  end: number;
  base: number;
}

function need(cur: Cursor, n: number, what: string): void {
  if (cur.pos + n > cur.end) {
    throw pastEnd(dataError(
      'SKY_ASTERIX_TRUNCATED',
      `${what} at byte ${cur.base + cur.pos} needs ${n} bytes, ${cur.end - cur.pos} remain in the data block`,
      { offset: cur.base + cur.pos },
    ));
  }
}

/** The LEN octet of an explicit item (it counts itself, so at least 1), checked against what remains. */
function explicitLength(buf: Uint8Array, cur: Cursor, name: string): number {
  need(cur, 1, name);
  const len = buf[cur.pos]!;
  if (len === 0) {
    throw dataError('SKY_ASTERIX_BAD_LENGTH', `${name} at byte ${cur.base + cur.pos} declares length 0 (it counts its own length octet, so at least 1)`, {
      offset: cur.base + cur.pos,
    });
  }
  need(cur, len, name);
  return len;
}

function toSigned(v: number, bits: number): number {
  return v >= 2 ** (bits - 1) ? v - 2 ** bits : v;
}

function decodeElement(buf: Uint8Array, bitPos: number, bits: number, c: Content, siblings: Record<string, unknown>): unknown {
  switch (c.k) {
    case 'raw':
      return bits > 52 ? readHex(buf, bitPos, bits) : readBits(buf, bitPos, bits);
    case 'table':
      return readBits(buf, bitPos, bits);
    case 'int': {
      const v = readBits(buf, bitPos, bits);
      return c.signed ? toSigned(v, bits) : v;
    }
    case 'q': {
      const v = readBits(buf, bitPos, bits);
      return ((c.signed ? toSigned(v, bits) : v) * c.num) / c.den;
    }
    case 'str': {
      const w = STR_BITS[c.enc];
      let s = '';
      for (let p = bitPos; p + w <= bitPos + bits; p += w) {
        const code = readBits(buf, p, w);
        s += c.enc === 'icao' ? icaoChar(code) : c.enc === 'octal' ? String(code) : String.fromCharCode(code);
      }
      return s;
    }
    case 'bds':
      return readHex(buf, bitPos, bits);
    case 'dep':
      return decodeElement(buf, bitPos, bits, depContent(c, siblings), siblings);
  }
}

function depContent(c: Extract<Content, { k: 'dep' }>, siblings: Record<string, unknown>): Content {
  const on = siblings[c.on];
  for (const [v, content] of c.cases) if (v === on) return content;
  return c.def;
}

function spareCount(parts: readonly Part[]): number {
  let n = 0;
  for (const p of parts) if (typeof p === 'number') n++;
  return n;
}

/** Decodes parts starting at bitPos into obj; returns the spare values met. */
function decodeParts(buf: Uint8Array, bitPos: number, parts: readonly Part[], obj: Record<string, unknown>, spares: number[]): number {
  let p = bitPos;
  for (const part of parts) {
    if (typeof part === 'number') {
      spares.push(readBits(buf, p, part));
      p += part;
    } else {
      const v = part[1];
      obj[part[0]] = decodeFixed(buf, p, v, obj);
      p += v.t === 'el' || v.t === 'grp' ? v.bits : 0;
    }
  }
  return p;
}

function putSpares(obj: Record<string, unknown>, spares: number[], total: number): void {
  if (spares.some((s) => s !== 0)) {
    while (spares.length < total) spares.push(0);
    obj[SPARE_KEY] = total === 1 ? spares[0] : spares;
  }
}

function decodeFixed(buf: Uint8Array, bitPos: number, v: Variation, siblings: Record<string, unknown>): unknown {
  if (v.t === 'el') return decodeElement(buf, bitPos, v.bits, v.c, siblings);
  if (v.t !== 'grp') throw new Error(`engine: ${v.t} inside a group`);
  const obj: Record<string, unknown> = {};
  const spares: number[] = [];
  decodeParts(buf, bitPos, v.parts, obj, spares);
  putSpares(obj, spares, spareCount(v.parts));
  return obj;
}

/** Decodes one byte-aligned variation at cur.pos and advances past it. */
export function decodeVariation(cur: Cursor, v: Variation, name: string, ref: ExpansionDef | null): unknown {
  const { buf } = cur;
  switch (v.t) {
    case 'el':
    case 'grp': {
      const n = v.bits >>> 3;
      need(cur, n, name);
      const out = decodeFixed(buf, cur.pos * 8, v, {});
      cur.pos += n;
      return out;
    }
    case 'ext': {
      const obj: Record<string, unknown> = {};
      const spares: number[] = [];
      let total = 0;
      for (let i = 0; ; i++) {
        const seg = v.segs[i];
        if (seg === undefined) {
          throw dataError('SKY_ASTERIX_BAD_VALUE', `${name} at byte ${cur.base + cur.pos - 1} sets FX in its last defined octet`, {
            offset: cur.base + cur.pos - 1,
          });
        }
        const bits = partsBits(seg) + 1;
        const n = bits >>> 3;
        need(cur, n, name);
        decodeParts(buf, cur.pos * 8, seg, obj, spares);
        total += spareCount(seg);
        const fx = buf[cur.pos + n - 1]! & 1;
        cur.pos += n;
        if (fx === 0) break;
      }
      putSpares(obj, spares, total);
      return obj;
    }
    case 'rep': {
      const out: unknown[] = [];
      const bits = v.v.t === 'el' || v.v.t === 'grp' ? v.v.bits : 0;
      if (v.countBytes > 0) {
        need(cur, v.countBytes, name);
        const count = readBits(buf, cur.pos * 8, v.countBytes * 8);
        cur.pos += v.countBytes;
        const n = bits >>> 3;
        need(cur, count * n, name);
        for (let i = 0; i < count; i++) {
          out.push(decodeFixed(buf, cur.pos * 8, v.v, {}));
          cur.pos += n;
        }
      } else {
        const n = (bits + 1) >>> 3;
        for (;;) {
          need(cur, n, name);
          out.push(decodeFixed(buf, cur.pos * 8, v.v, {}));
          const fx = buf[cur.pos + n - 1]! & 1;
          cur.pos += n;
          if (fx === 0) break;
        }
      }
      return out;
    }
    case 'exp': {
      const len = explicitLength(buf, cur, name);
      const from = cur.pos + 1;
      const to = cur.pos + len;
      cur.pos = to;
      if (v.kind === 're' && ref !== null && to > from) {
        const sub: Cursor = { buf, pos: from, end: to, base: cur.base };
        try {
          const out = decodeExpansion(sub, ref, name);
          if (sub.pos === to) return out;
        } catch (e) {
          if (!(e instanceof SkyError)) throw e;
        }
        // Not this REF edition's layout: keep the octets so nothing is lost.
      }
      return bytesToHex(buf, from, to);
    }
    case 'cmp': {
      const fspecAt = cur.pos;
      const present = readFspec(cur, name, v.subs.length);
      const obj: Record<string, unknown> = {};
      noteLongFspec(obj, present, cur.pos - fspecAt);
      for (const i of present) {
        const sub = v.subs[i];
        if (sub === undefined || sub === null) {
          throw dataError('SKY_ASTERIX_FSPEC', `${name} at byte ${cur.base + cur.pos} sets presence bit ${i + 1}, which the spec does not define`, {
            offset: cur.base + cur.pos,
          });
        }
        obj[sub[0]] = decodeVariation(cur, sub[1], `${name}/${sub[0]}`, null);
      }
      return obj;
    }
  }
}

function minFspecOctets(present: readonly number[]): number {
  return present.length === 0 ? 1 : Math.floor(present[present.length - 1]! / 7) + 1;
}

function noteLongFspec(obj: Record<string, unknown>, present: readonly number[], octets: number): void {
  if (octets > minFspecOctets(present)) obj[FSPEC_KEY] = octets;
}

function decodeExpansion(cur: Cursor, ref: ExpansionDef, name: string): Record<string, unknown> {
  need(cur, ref.fspecBytes, name);
  const start = cur.pos;
  cur.pos += ref.fspecBytes;
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < ref.fspecBytes * 8; i++) {
    if (((cur.buf[start + (i >>> 3)]! >>> (7 - (i & 7))) & 1) === 0) continue;
    const sub = ref.subs[i];
    if (sub === undefined || sub === null) {
      throw dataError('SKY_ASTERIX_FSPEC', `${name} at byte ${cur.base + start} sets presence bit ${i + 1}, which the REF does not define`, {
        offset: cur.base + start,
      });
    }
    obj[sub[0]] = decodeVariation(cur, sub[1], `${name}/${sub[0]}`, null);
  }
  return obj;
}

/**
 * Reads an FX-extended FSPEC at cur.pos and returns the indexes of the set
 * presence bits (7 per octet). `slots` bounds the octets a valid FSPEC can have.
 */
export function readFspec(cur: Cursor, name: string, slots: number): number[] {
  const start = cur.pos;
  const present: number[] = [];
  for (let octet = 0; ; octet++) {
    if (cur.pos >= cur.end) {
      throw pastEnd(
        dataError('SKY_ASTERIX_FSPEC', `FSPEC of ${name} at byte ${cur.base + start} runs past the end of the data block`, {
          offset: cur.base + start,
        }),
      );
    }
    const b = cur.buf[cur.pos++]!;
    for (let j = 0; j < 7; j++) if ((b >>> (7 - j)) & 1) present.push(octet * 7 + j);
    if ((b & 1) === 0) break;
    if (octet * 7 + 7 >= slots) {
      throw dataError('SKY_ASTERIX_FSPEC', `FSPEC of ${name} at byte ${cur.base + start} sets FX past its last item (${slots} items)`, {
        offset: cur.base + start,
      });
    }
  }
  return present;
}

function itemKey(cat: number, name: string): string {
  return `I${String(cat).padStart(3, '0')}/${name}`;
}

function recordFspec(def: CategoryDef, cur: Cursor): number[] {
  const start = cur.pos;
  const present = readFspec(cur, `the CAT${String(def.cat).padStart(3, '0')} record`, def.uap.length);
  if (present.length === 0) {
    throw dataError('SKY_ASTERIX_FSPEC', `record at byte ${cur.base + start} has an empty FSPEC (no items)`, { offset: cur.base + start });
  }
  for (const i of present) {
    if (def.uap[i] === undefined || def.uap[i] === null) {
      throw dataError(
        'SKY_ASTERIX_FSPEC',
        `FSPEC at byte ${cur.base + start} sets FRN ${i + 1}, which the CAT${String(def.cat).padStart(3, '0')} UAP does not define; the record length is unknowable`,
        { offset: cur.base + start },
      );
    }
  }
  return present;
}

/** Decodes the record at cur.pos into spec-named items and advances past it. */
export function decodeRecord(def: CategoryDef, cur: Cursor): Items {
  const fspecAt = cur.pos;
  const present = recordFspec(def, cur);
  const items: Items = {};
  noteLongFspec(items, present, cur.pos - fspecAt);
  for (const i of present) {
    const name = def.uap[i]!;
    const key = itemKey(def.cat, name);
    items[key] = decodeVariation(cur, def.items[name]!, key, def.ref);
  }
  return items;
}

// ---------------------------------------------------------------------------
// Skipping: record boundaries and item positions without building values.

function skipVariation(cur: Cursor, v: Variation, name: string): void {
  const { buf } = cur;
  switch (v.t) {
    case 'el':
    case 'grp':
      need(cur, v.bits >>> 3, name);
      cur.pos += v.bits >>> 3;
      return;
    case 'ext':
      for (let i = 0; ; i++) {
        const seg = v.segs[i];
        if (seg === undefined) {
          throw dataError('SKY_ASTERIX_BAD_VALUE', `${name} at byte ${cur.base + cur.pos - 1} sets FX in its last defined octet`, {
            offset: cur.base + cur.pos - 1,
          });
        }
        const n = (partsBits(seg) + 1) >>> 3;
        need(cur, n, name);
        cur.pos += n;
        if ((buf[cur.pos - 1]! & 1) === 0) return;
      }
    case 'rep': {
      const bits = v.v.t === 'el' || v.v.t === 'grp' ? v.v.bits : 0;
      if (v.countBytes > 0) {
        need(cur, v.countBytes, name);
        const count = readBits(buf, cur.pos * 8, v.countBytes * 8);
        cur.pos += v.countBytes;
        need(cur, count * (bits >>> 3), name);
        cur.pos += count * (bits >>> 3);
        return;
      }
      const n = (bits + 1) >>> 3;
      for (;;) {
        need(cur, n, name);
        cur.pos += n;
        if ((buf[cur.pos - 1]! & 1) === 0) return;
      }
    }
    case 'exp': {
      const len = explicitLength(buf, cur, name);
      cur.pos += len;
      return;
    }
    case 'cmp': {
      const present = readFspec(cur, name, v.subs.length);
      for (const i of present) {
        const sub = v.subs[i];
        if (sub === undefined || sub === null) {
          throw dataError('SKY_ASTERIX_FSPEC', `${name} at byte ${cur.base + cur.pos} sets presence bit ${i + 1}, which the spec does not define`, {
            offset: cur.base + cur.pos,
          });
        }
        skipVariation(cur, sub[1], name);
      }
    }
  }
}

/**
 * Walks the record at cur.pos, filling starts[frnIndex] with each present
 * item's byte position (-1 when absent), and advances past the record.
 * This is the typed decoders' fast path: no values are built.
 */
export function scanRecord(def: CategoryDef, cur: Cursor, starts: Int32Array): void {
  starts.fill(-1);
  const present = recordFspec(def, cur);
  for (const i of present) {
    const name = def.uap[i]!;
    starts[i] = cur.pos;
    const v = def.items[name]!;
    if (v.t === 'el' || v.t === 'grp') {
      need(cur, v.bits >>> 3, itemKey(def.cat, name));
      cur.pos += v.bits >>> 3;
    } else skipVariation(cur, v, itemKey(def.cat, name));
  }
}

// ---------------------------------------------------------------------------
// Encoding

/**
 * A growable byte buffer. Fixed-size parts are reserved (zeroed) and then
 * filled bit by bit. reserve() may replace buf: take its result before reading buf.
 */
export class ByteWriter {
  buf: Uint8Array;
  len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  /** Reserves n zeroed bytes and returns their position. */
  reserve(n: number): number {
    if (this.len + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    const at = this.len;
    this.buf.fill(0, at, at + n);
    this.len += n;
    return at;
  }

  byte(b: number): void {
    const at = this.reserve(1); // reserve first: it may replace this.buf
    this.buf[at] = b;
  }

  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function checkInt(v: unknown, lo: number, hi: number, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw bad(`${where} must be an integer in ${lo}..${hi}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function encodeElement(buf: Uint8Array, bitPos: number, bits: number, c: Content, value: unknown, siblings: Record<string, unknown>, where: string): void {
  if (value === undefined || value === null) return; // absent sub-field: all bits 0
  const top = 2 ** bits;
  switch (c.k) {
    case 'raw':
    case 'bds':
      if (typeof value === 'string') writeHex(buf, bitPos, value, bits, where);
      else writeBits(buf, bitPos, checkInt(value, 0, top - 1, where), bits);
      return;
    case 'table':
      writeBits(buf, bitPos, checkInt(value, 0, top - 1, where), bits);
      return;
    case 'int': {
      const v = c.signed ? checkInt(value, -top / 2, top / 2 - 1, where) : checkInt(value, 0, top - 1, where);
      writeBits(buf, bitPos, v < 0 ? v + top : v, bits);
      return;
    }
    case 'q': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`${where} must be a number in ${c.unit}, got ${JSON.stringify(value)}`);
      const r = Math.round((value * c.den) / c.num);
      const lo = c.signed ? -top / 2 : 0;
      const hi = c.signed ? top / 2 - 1 : top - 1;
      if (r < lo || r > hi) {
        throw bad(`${where} ${value} ${c.unit} is outside ${(lo * c.num) / c.den}..${(hi * c.num) / c.den} ${c.unit}`);
      }
      writeBits(buf, bitPos, r < 0 ? r + top : r, bits);
      return;
    }
    case 'str': {
      const w = STR_BITS[c.enc];
      const n = Math.floor(bits / w);
      if (typeof value !== 'string' || value.length > n) throw bad(`${where} must be a string of at most ${n} characters, got ${JSON.stringify(value)}`);
      if (c.enc === 'octal' && (value.length !== n || !/^[0-7]*$/.test(value))) throw bad(`${where} must be ${n} octal digits, got ${JSON.stringify(value)}`);
      // ICAO and ASCII identifications are space-padded on the right (ICAO Annex 10).
      const s = value.padEnd(n, ' ');
      for (let i = 0; i < n; i++) {
        const ch = s.charCodeAt(i);
        const code = c.enc === 'icao' ? icaoCode(ch) : c.enc === 'octal' ? ch - 48 : ch;
        if (code < 0 || code >= 2 ** w) throw bad(`${where}: ${JSON.stringify(s[i])} has no ${c.enc} code`);
        writeBits(buf, bitPos + i * w, code, w);
      }
      return;
    }
    case 'dep':
      encodeElement(buf, bitPos, bits, depContent(c, siblings), value, siblings, where);
      return;
  }
}

function encodeParts(buf: Uint8Array, bitPos: number, parts: readonly Part[], obj: Record<string, unknown>, spares: readonly number[], spareIdx: number, where: string): number {
  let p = bitPos;
  let si = spareIdx;
  for (const part of parts) {
    if (typeof part === 'number') {
      const s = spares[si++] ?? 0;
      writeBits(buf, p, checkInt(s, 0, 2 ** part - 1, `${where} ${SPARE_KEY}`), part);
      p += part;
    } else {
      const v = part[1];
      encodeFixed(buf, p, v, obj[part[0]], obj, `${where}/${part[0]}`);
      p += v.t === 'el' || v.t === 'grp' ? v.bits : 0;
    }
  }
  return si;
}

function sparesOf(obj: Record<string, unknown>): readonly number[] {
  const s = obj[SPARE_KEY];
  if (s === undefined) return [];
  return Array.isArray(s) ? (s as number[]) : [s as number];
}

function encodeFixed(buf: Uint8Array, bitPos: number, v: Variation, value: unknown, siblings: Record<string, unknown>, where: string): void {
  if (v.t === 'el') {
    encodeElement(buf, bitPos, v.bits, v.c, value, siblings, where);
    return;
  }
  if (v.t !== 'grp') throw new Error(`engine: ${v.t} inside a group`);
  if (value === undefined || value === null) return;
  if (!isObj(value)) throw bad(`${where} must be an object of sub-items`);
  encodeParts(buf, bitPos, v.parts, value, sparesOf(value), 0, where);
}

function hasNamed(seg: readonly Part[], obj: Record<string, unknown>): boolean {
  for (const p of seg) if (typeof p !== 'number' && obj[p[0]] !== undefined) return true;
  return false;
}

function encodeVariation(w: ByteWriter, v: Variation, value: unknown, where: string, ref: ExpansionDef | null): void {
  switch (v.t) {
    case 'el':
    case 'grp': {
      const at = w.reserve(v.bits >>> 3);
      encodeFixed(w.buf, at * 8, v, value, {}, where);
      return;
    }
    case 'ext': {
      if (!isObj(value)) throw bad(`${where} must be an object of sub-items`);
      let last = 0;
      for (let i = 0; i < v.segs.length; i++) if (hasNamed(v.segs[i]!, value)) last = i;
      const spares = sparesOf(value);
      let si = 0;
      for (let i = 0; i <= last; i++) {
        const seg = v.segs[i]!;
        const n = (partsBits(seg) + 1) >>> 3;
        const at = w.reserve(n);
        si = encodeParts(w.buf, at * 8, seg, value, spares, si, where);
        if (i < last) w.buf[at + n - 1]! |= 1;
      }
      return;
    }
    case 'rep': {
      if (!Array.isArray(value)) throw bad(`${where} must be an array`);
      const bits = v.v.t === 'el' || v.v.t === 'grp' ? v.v.bits : 0;
      if (v.countBytes > 0) {
        checkInt(value.length, 0, 2 ** (8 * v.countBytes) - 1, `${where} repetition count`);
        const countAt = w.reserve(v.countBytes);
        writeBits(w.buf, countAt * 8, value.length, v.countBytes * 8);
        for (const x of value) {
          const at = w.reserve(bits >>> 3);
          encodeFixed(w.buf, at * 8, v.v, x, {}, where);
        }
        return;
      }
      if (value.length === 0) throw bad(`${where} needs at least one repetition (FX-chained)`);
      const n = (bits + 1) >>> 3;
      value.forEach((x, i) => {
        const at = w.reserve(n);
        encodeFixed(w.buf, at * 8, v.v, x, {}, where);
        if (i < value.length - 1) w.buf[at + n - 1]! |= 1;
      });
      return;
    }
    case 'exp': {
      let body: Uint8Array;
      if (typeof value === 'string') body = hexToBytes(value, where);
      else if (v.kind === 're' && ref !== null && isObj(value)) {
        const sub = new ByteWriter(64);
        encodeExpansion(sub, ref, value, where);
        body = sub.result();
      } else throw bad(`${where} must be hex octets${v.kind === 're' && ref !== null ? ' or an object of REF sub-items' : ''}`);
      if (body.length + 1 > 255) throw bad(`${where} is ${body.length + 1} octets; an explicit item holds at most 255`);
      w.byte(body.length + 1);
      w.bytes(body);
      return;
    }
    case 'cmp': {
      if (!isObj(value)) throw bad(`${where} must be an object of sub-items`);
      const present: number[] = [];
      for (const k of Object.keys(value)) {
        if (value[k] === undefined || k === FSPEC_KEY) continue;
        const i = v.subs.findIndex((s) => s !== null && s[0] === k);
        if (i < 0) throw bad(`${where} has no sub-item ${k}`);
        present.push(i);
      }
      present.sort((a, b) => a - b);
      writeFspec(w, present, value[FSPEC_KEY]);
      for (const i of present) {
        const sub = v.subs[i]!;
        encodeVariation(w, sub[1], value[sub[0]], `${where}/${sub[0]}`, null);
      }
      return;
    }
  }
}

function encodeExpansion(w: ByteWriter, ref: ExpansionDef, value: Record<string, unknown>, where: string): void {
  const at = w.reserve(ref.fspecBytes);
  const present: number[] = [];
  for (const k of Object.keys(value)) {
    if (value[k] === undefined) continue;
    const i = ref.subs.findIndex((s) => s !== null && s[0] === k);
    if (i < 0) throw bad(`${where} has no REF sub-item ${k}`);
    present.push(i);
  }
  present.sort((a, b) => a - b);
  for (const i of present) w.buf[at + (i >>> 3)]! |= 0x80 >>> (i & 7);
  for (const i of present) {
    const sub = ref.subs[i]!;
    encodeVariation(w, sub[1], value[sub[0]], `${where}/${sub[0]}`, null);
  }
}

/** Writes an FX-extended FSPEC with the given (sorted) presence indexes, in `octets` octets if that is more than needed. */
export function writeFspec(w: ByteWriter, present: readonly number[], octetsWanted?: unknown): void {
  const min = minFspecOctets(present);
  const octets = typeof octetsWanted === 'number' && Number.isInteger(octetsWanted) && octetsWanted > min && octetsWanted < 64 ? octetsWanted : min;
  const at = w.reserve(octets);
  for (const i of present) w.buf[at + Math.floor(i / 7)]! |= 0x80 >>> i % 7;
  for (let o = 0; o < octets - 1; o++) w.buf[at + o]! |= 1;
}

/** Item keys ("I048/010") by UAP slot and back, per category, built on first use. */
interface KeyTable {
  readonly slotByKey: ReadonlyMap<string, number>;
  readonly keyBySlot: readonly string[];
}

const keyTables = new WeakMap<CategoryDef, KeyTable>();

function keysOf(def: CategoryDef): KeyTable {
  let t = keyTables.get(def);
  if (t === undefined) {
    const keyBySlot = def.uap.map((name) => (name === null ? '' : itemKey(def.cat, name)));
    const slotByKey = new Map<string, number>();
    keyBySlot.forEach((k, i) => {
      if (k !== '') slotByKey.set(k, i);
    });
    t = { slotByKey, keyBySlot };
    keyTables.set(def, t);
  }
  return t;
}

/** Encodes one record (FSPEC + items in UAP order). Throws SkyError SKY_ASTERIX_BAD_VALUE on a value the spec cannot carry. */
export function encodeRecord(def: CategoryDef, items: Items, w: ByteWriter): void {
  const present: number[] = [];
  const { slotByKey: slots, keyBySlot } = keysOf(def);
  for (const key in items) {
    if (items[key] === undefined || items[key] === null || key === FSPEC_KEY) continue;
    const i = slots.get(key);
    if (i === undefined) throw bad(`${key} is not an item of the CAT${String(def.cat).padStart(3, '0')} UAP`);
    present.push(i);
  }
  if (present.length === 0) throw bad(`a CAT${String(def.cat).padStart(3, '0')} record needs at least one item`);
  present.sort((a, b) => a - b);
  writeFspec(w, present, items[FSPEC_KEY]);
  for (const i of present) {
    const key = keyBySlot[i]!;
    encodeVariation(w, def.items[def.uap[i]!]!, items[key], key, def.ref);
  }
}
