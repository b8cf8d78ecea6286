// The compact frame encoding of WebSocket subprotocol skyfuse.v2: binary
// messages, a keyframe (every live track) or a delta against the frame the
// client received just before (new, changed and removed tracks only, each
// field as a varint difference from its previous value). Everything else on
// the socket (hello, alerts, events, coalition) stays JSON text as in v1.
//
// Values are the v1 wire values quantised exactly as toWireTrack rounds them
// (1e-5 deg, 1 m, 0.1 m/s), so a decoded track equals the v1 WireTrack field
// for field. Tracks are addressed by a slot number the encoder assigns per
// audience; ids, identities and sensor/partner names travel only when new or
// changed (sensor and partner names through a dictionary that a keyframe
// sends whole and a delta extends).
//
// The server keeps one encoder per audience, shared by its v2 clients. A
// client that missed a frame (skipped while slow) has no base for the next
// delta, so it is sent a keyframe: it always ends on the latest state, and
// nothing queues for it. This file is pure (no node imports): the page
// bundles the decoder.
//
// Message layout (little-endian):
//   u8 kind (1 keyframe, 2 delta) | f64 frame time s | u32 seq | u32 base seq (delta: the frame it applies to)
//   varint n, n strings: dictionary entries appended (keyframe: the whole dictionary)
//   varint n, n varint slots: tracks removed (keyframe: 0)
//   varint n, n records: varint slot, u8 mask, then per mask bit in order:
//     NEW id string | ST u8 | POS zz dlat, zz dlon | ALT zz dalt | VEL zz dvE, zz dvN |
//     IDENT cs, m3a, icao strings | SEN varint count, indexes | PAR varint count, indexes
//   string: varint (UTF-8 length + 1), 0 for null; zz: zigzag varint.

import { SkyError } from '../core/errors.ts';
import type { WireStatus, WireTrack } from './wire.ts';

export const WS_PROTOCOL_V2 = 'skyfuse.v2';

export const KIND_KEY = 1;
export const KIND_DELTA = 2;

const NEW = 1;
const ST = 2;
const POS = 4;
const ALT = 8;
const VEL = 16;
const IDENT = 32;
const SEN = 64;
const PAR = 128;
const ALL = NEW | ST | POS | ALT | VEL | IDENT | SEN | PAR;

const HEADER_BYTES = 17;
/** A dictionary this large (names are sensors and partners, so a few hundred) means something is wrong: start over with a keyframe. */
const MAX_DICT = 50_000;
/** Height code: 0 means unknown, else metres + ALT_BIAS (heights below -ALT_BIAS m are clamped). */
const ALT_BIAS = 100_000;

const STATUS_CODE: Record<WireStatus, number> = { T: 0, C: 1, K: 2 };
const STATUS_OF: readonly WireStatus[] = ['T', 'C', 'K'];

/** The quantised state of one track, as both ends hold it. */
interface QTrack {
  slot: number;
  id: string;
  st: number;
  lat: number;
  lon: number;
  alt: number;
  vE: number;
  vN: number;
  cs: string | null;
  m3a: string | null;
  icao: string | null;
  sen: number[];
  par: number[];
  senKey: string;
  parKey: string;
  /** Encoder: the seq of the last frame that carried it. */
  seen: number;
}

const qLat = (v: number): number => Math.round(v * 1e5);
const qVel = (v: number): number => Math.round(v * 10);
const qAlt = (v: number | null): number => (v === null ? 0 : Math.max(1, Math.round(v) + ALT_BIAS));

/** Growable byte buffer with the varint and string writers of the layout. */
class Writer {
  buf = new Uint8Array(4096);
  n = 0;
  private static readonly text = new TextEncoder();

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.n++] = v;
  }

  /** Unsigned integer up to 2^53. */
  uv(v: number): void {
    this.room(8);
    while (v >= 128) {
      this.buf[this.n++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.n++] = v;
  }

  /** Signed integer, zigzag. */
  sv(v: number): void {
    this.uv(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  str(s: string | null): void {
    if (s === null) return this.uv(0);
    const b = Writer.text.encode(s);
    this.uv(b.length + 1);
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

function header(kind: number, timeS: number, seq: number, baseSeq: number): Uint8Array {
  const h = new Uint8Array(HEADER_BYTES);
  const v = new DataView(h.buffer);
  v.setUint8(0, kind);
  v.setFloat64(1, timeS, true);
  v.setUint32(9, seq >>> 0, true);
  v.setUint32(13, baseSeq >>> 0, true);
  return h;
}

function writeRecord(w: Writer, q: QTrack, mask: number, base: QTrack | null): void {
  w.uv(q.slot);
  w.u8(mask);
  if (mask & NEW) w.str(q.id);
  if (mask & ST) w.u8(q.st);
  if (mask & POS) {
    w.sv(q.lat - (base?.lat ?? 0));
    w.sv(q.lon - (base?.lon ?? 0));
  }
  if (mask & ALT) w.sv(q.alt - (base?.alt ?? 0));
  if (mask & VEL) {
    w.sv(q.vE - (base?.vE ?? 0));
    w.sv(q.vN - (base?.vN ?? 0));
  }
  if (mask & IDENT) {
    w.str(q.cs);
    w.str(q.m3a);
    w.str(q.icao);
  }
  if (mask & SEN) {
    w.uv(q.sen.length);
    for (const i of q.sen) w.uv(i);
  }
  if (mask & PAR) {
    w.uv(q.par.length);
    for (const i of q.par) w.uv(i);
  }
}

/** Reused for each changed track's new values (no allocation per track). */
const SCRATCH: QTrack = { slot: 0, id: '', st: 0, lat: 0, lon: 0, alt: 0, vE: 0, vN: 0, cs: null, m3a: null, icao: null, sen: [], par: [], senKey: '', parKey: '', seen: 0 };

/**
 * One audience's encoder. `next` takes every frame of the audience in order;
 * `keyframe` is the state after the last one. Both results are shared by all
 * clients of the audience (encode once, send many).
 */
export class FrameEncoder {
  private readonly tracks = new Map<string, QTrack>();
  private readonly free: number[] = [];
  private nextSlot = 0;
  private dict: string[] = [];
  private dictIndex = new Map<string, number>();
  private key: Uint8Array | null = null;
  private timeS = 0;
  /** Seq of the frame the state holds; -1 before the first. */
  seq = -1;

  /** Index of a name in the dictionary, added when new. */
  private name(s: string): number {
    let i = this.dictIndex.get(s);
    if (i === undefined) {
      i = this.dict.length;
      this.dict.push(s);
      this.dictIndex.set(s, i);
    }
    return i;
  }

  private reset(): void {
    this.tracks.clear();
    this.free.length = 0;
    this.nextSlot = 0;
    this.dict = [];
    this.dictIndex = new Map();
  }

  /**
   * Advance to frame `seq` (normally this.seq + 1). Returns the delta from the
   * previous frame, or null when there is no base for one (the first frame,
   * a gap in seq, or a reset): then only a keyframe can bring a client here.
   */
  next(seq: number, timeS: number, tracks: readonly WireTrack[]): Uint8Array | null {
    const contiguous = this.seq >= 0 && seq === this.seq + 1 && this.dict.length < MAX_DICT;
    if (!contiguous) this.reset();
    this.seq = seq;
    this.timeS = timeS;
    this.key = null;
    const dictStart = this.dict.length;
    const body = new Writer();
    let records = 0;
    for (const t of tracks) {
      const sen = t.sen.map((s) => this.name(s));
      const par = t.par.map((p) => this.name(p));
      const senKey = sen.join(',');
      const parKey = par.join(',');
      const lat = qLat(t.lat);
      const lon = qLat(t.lon);
      const alt = qAlt(t.alt);
      const vE = qVel(t.vE);
      const vN = qVel(t.vN);
      const st = STATUS_CODE[t.st];
      let q = this.tracks.get(t.id);
      let mask: number;
      if (q === undefined) {
        const slot = this.free.pop() ?? this.nextSlot++;
        q = { slot, id: t.id, st, lat, lon, alt, vE, vN, cs: t.cs, m3a: t.m3a, icao: t.icao, sen, par, senKey, parKey, seen: seq };
        this.tracks.set(t.id, q);
        writeRecord(body, q, ALL, null);
        records++;
        continue;
      }
      mask = 0;
      if (q.st !== st) mask |= ST;
      if (q.lat !== lat || q.lon !== lon) mask |= POS;
      if (q.alt !== alt) mask |= ALT;
      if (q.vE !== vE || q.vN !== vN) mask |= VEL;
      if (q.cs !== t.cs || q.m3a !== t.m3a || q.icao !== t.icao) mask |= IDENT;
      if (q.senKey !== senKey) mask |= SEN;
      if (q.parKey !== parKey) mask |= PAR;
      q.seen = seq;
      if (mask === 0) continue;
      // The record is written against the old values, then they are replaced.
      const cur = SCRATCH;
      cur.slot = q.slot;
      cur.st = st;
      cur.lat = lat;
      cur.lon = lon;
      cur.alt = alt;
      cur.vE = vE;
      cur.vN = vN;
      cur.cs = t.cs;
      cur.m3a = t.m3a;
      cur.icao = t.icao;
      cur.sen = sen;
      cur.par = par;
      writeRecord(body, cur, mask, q);
      q.st = st;
      q.lat = lat;
      q.lon = lon;
      q.alt = alt;
      q.vE = vE;
      q.vN = vN;
      q.cs = t.cs;
      q.m3a = t.m3a;
      q.icao = t.icao;
      q.sen = sen;
      q.par = par;
      q.senKey = senKey;
      q.parKey = parKey;
      records++;
    }
    const removed: number[] = [];
    for (const [id, q] of this.tracks) {
      if (q.seen === seq) continue;
      this.tracks.delete(id);
      removed.push(q.slot);
    }
    // Freed only now, so no slot is both removed and reused in one delta.
    this.free.push(...removed);
    if (!contiguous) return null;
    const w = new Writer();
    w.bytes(header(KIND_DELTA, timeS, seq, seq - 1));
    w.uv(this.dict.length - dictStart);
    for (let i = dictStart; i < this.dict.length; i++) w.str(this.dict[i]!);
    w.uv(removed.length);
    for (const s of removed) w.uv(s);
    w.uv(records);
    w.bytes(body.buf.subarray(0, body.n));
    return w.done();
  }

  /** The whole state after the last frame (cached until the next one). */
  keyframe(): Uint8Array {
    if (this.key) return this.key;
    const w = new Writer();
    w.bytes(header(KIND_KEY, this.timeS, this.seq, this.seq));
    w.uv(this.dict.length);
    for (const s of this.dict) w.str(s);
    w.uv(0);
    w.uv(this.tracks.size);
    for (const q of this.tracks.values()) writeRecord(w, q, ALL, null);
    this.key = w.done();
    return this.key;
  }
}

/** An empty picture at `timeS` (a client whose audience has no frame yet). Seq 0xffffffff: no delta follows it. */
export function emptyKeyframe(timeS: number): Uint8Array {
  const w = new Writer();
  w.bytes(header(KIND_KEY, timeS, -1, -1));
  w.uv(0);
  w.uv(0);
  w.uv(0);
  return w.done();
}

/** Reads one message; every read is bounds-checked (SKY_WIRE_TRUNCATED). */
class Reader {
  private p = 0;
  private static readonly text = new TextDecoder('utf-8', { fatal: true });
  constructor(private readonly b: Uint8Array) {}

  private need(k: number): void {
    if (this.p + k > this.b.length) {
      throw new SkyError('SKY_WIRE_TRUNCATED', `frame message of ${this.b.length} bytes ends inside a field at byte ${this.p}; the sender and this page disagree on skyfuse.v2`);
    }
  }

  get offset(): number {
    return this.p;
  }

  get atEnd(): boolean {
    return this.p === this.b.length;
  }

  u8(): number {
    this.need(1);
    return this.b[this.p++]!;
  }

  uv(): number {
    const b = this.b;
    // One byte (most fields of a delta) without the general loop.
    if (this.p < b.length && b[this.p]! < 128) return b[this.p++]!;
    let v = 0;
    let mul = 1;
    for (;;) {
      const c = this.u8();
      v += (c & 127) * mul;
      if (c < 128) return v;
      mul *= 128;
      if (mul > 2 ** 56) throw new SkyError('SKY_WIRE_BAD', `varint longer than 8 bytes at byte ${this.p}`);
    }
  }

  sv(): number {
    const z = this.uv();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  str(): string | null {
    const n = this.uv();
    if (n === 0) return null;
    this.need(n - 1);
    let s: string;
    try {
      s = Reader.text.decode(this.b.subarray(this.p, this.p + n - 1));
    } catch {
      throw new SkyError('SKY_WIRE_BAD', `string at byte ${this.p} is not UTF-8`);
    }
    this.p += n - 1;
    return s;
  }
}

export interface DecodedFrame {
  readonly kind: 'key' | 'delta';
  readonly t: number;
  readonly seq: number;
  /** Every live track after this message. */
  readonly tracks: readonly WireTrack[];
  /** Records carried (new or changed tracks) and slots removed. */
  readonly changed: number;
  readonly removed: number;
}

interface DTrack extends QTrack {
  wire: WireTrack;
}

/**
 * A track as the page's TrackMirror hands it out: one object per track for as long as the track lives, its fields
 * rewritten when a message changes them. `rev` goes up each time one does, so a consumer that caches something
 * derived from a track (its label text) checks `rev` instead of object identity.
 */
export interface LiveTrack extends WireTrack {
  readonly rev: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The page's WireTrack for a slot; name lists are reused from `prev` unless they changed. */
function toWire(q: QTrack, dict: readonly string[], prev: WireTrack | null, mask: number): WireTrack {
  return {
    id: q.id,
    st: STATUS_OF[q.st]!,
    lat: q.lat / 1e5,
    lon: q.lon / 1e5,
    alt: q.alt === 0 ? null : q.alt - ALT_BIAS,
    vE: q.vE / 10,
    vN: q.vN / 10,
    cs: q.cs,
    m3a: q.m3a,
    icao: q.icao,
    sen: prev && !(mask & SEN) ? prev.sen : q.sen.map((i) => dict[i]!),
    par: prev && !(mask & PAR) ? prev.par : q.par.map((i) => dict[i]!),
  };
}

/** Floats per record in a FramePatch's `values`: slot, status code, lat, lon, height (NaN: unknown), vE, vN. */
export const PATCH_STRIDE = 7;

/** A record's strings in a FramePatch: `id` only for a new track, `ident` when the record carried it. */
export interface PatchNames {
  readonly slot: number;
  readonly id?: string;
  readonly ident?: readonly [cs: string | null, m3a: string | null, icao: string | null];
}

/** In a FramePatch's `lists`, after the slot: which list follows (then its length and its dictionary indices). */
export const LIST_SEN = 1;
export const LIST_PAR = 2;

/**
 * What one message changed, as FrameDecoder.patch hands it out: plain data and typed arrays, so it crosses from a
 * Web Worker to the page cheaply (postMessage, `removed` and `values` transferred). Every record of the message has
 * a row of values (its whole state after the message); strings and name lists only where they changed. Sensor and
 * partner lists travel as indices into the dictionary (`dict`: the names this message added to it; a keyframe's
 * starts it over): a delta at 10,000 tracks changes thousands of lists, and objects cost the page to receive.
 */
export interface FramePatch {
  readonly key: boolean;
  readonly t: number;
  readonly seq: number;
  readonly removed: Int32Array;
  readonly names: readonly PatchNames[];
  readonly values: Float64Array;
  readonly dict: readonly string[];
  /** Per changed list: slot, LIST_SEN or LIST_PAR, length, then that many dictionary indices. */
  readonly lists: Int32Array;
}

interface PatchSink {
  removed: Int32Array;
  values: Float64Array;
  names: PatchNames[];
  /** LIST_* entries, `nLists` ints used (grown by doubling). */
  lists: Int32Array;
  nLists: number;
  nRemoved: number;
  nValues: number;
}

function writePatch(p: PatchSink, q: QTrack, mask: number): void {
  const v = p.values;
  const o = PATCH_STRIDE * p.nValues++;
  v[o] = q.slot;
  v[o + 1] = q.st;
  v[o + 2] = q.lat / 1e5;
  v[o + 3] = q.lon / 1e5;
  v[o + 4] = q.alt === 0 ? NaN : q.alt - ALT_BIAS;
  v[o + 5] = q.vE / 10;
  v[o + 6] = q.vN / 10;
  if (!(mask & (NEW | IDENT | SEN | PAR))) return;
  const all = (mask & NEW) !== 0;
  if (all) p.names.push({ slot: q.slot, id: q.id, ident: [q.cs, q.m3a, q.icao] });
  else if (mask & IDENT) p.names.push({ slot: q.slot, ident: [q.cs, q.m3a, q.icao] });
  if (all || mask & SEN) pushList(p, q.slot, LIST_SEN, q.sen);
  if (all || mask & PAR) pushList(p, q.slot, LIST_PAR, q.par);
}

function pushList(p: PatchSink, slot: number, which: number, names: readonly number[]): void {
  const need = p.nLists + 3 + names.length;
  if (need > p.lists.length) {
    const grown = new Int32Array(Math.max(need, 2 * p.lists.length));
    grown.set(p.lists.subarray(0, p.nLists));
    p.lists = grown;
  }
  const l = p.lists;
  let o = p.nLists;
  l[o++] = slot;
  l[o++] = which;
  l[o++] = names.length;
  for (const k of names) l[o++] = k;
  p.nLists = o;
}

/**
 * The page's tracks, rebuilt from FramePatches (the decoding is done elsewhere: the page's decoder worker). One
 * LiveTrack per track for its life (rewritten in place, `rev` bumped by each record that carried it), so a frame of
 * 10,000 tracks allocates no new objects; one tracks array, refilled only when a track joins or leaves; a reset
 * leaves the last array to whoever holds it.
 */
export class TrackMirror {
  private slots = new Map<number, Mutable<LiveTrack>>();
  private bySlot: (Mutable<LiveTrack> | undefined)[] = [];
  private list: LiveTrack[] = [];
  private dict: string[] = [];
  /**
   * Name lists by their dictionary indices (a number key for up to three names), so a list that comes back is the
   * same array again and most lists of a frame allocate nothing. Emptied with the dictionary.
   */
  private lists = new Map<number | string, readonly string[]>();

  reset(): void {
    this.slots.clear();
    this.bySlot = [];
    this.list = [];
    this.dict = [];
    this.lists.clear();
  }

  /** Applies one patch (in order: the worker's decoder has checked that each builds on the last); the live tracks. */
  apply(p: FramePatch): readonly LiveTrack[] {
    let relist = p.key || p.removed.length > 0;
    if (p.key) {
      this.slots = new Map();
      this.bySlot = [];
      this.dict = [];
      this.lists.clear();
    }
    for (const s of p.dict) this.dict.push(s);
    for (const s of p.removed) {
      this.slots.delete(s);
      this.bySlot[s] = undefined;
    }
    for (const n of p.names) {
      let w = this.bySlot[n.slot];
      if (n.id !== undefined) {
        w = { id: n.id, st: 'T', lat: 0, lon: 0, alt: null, vE: 0, vN: 0, cs: null, m3a: null, icao: null, sen: [], par: [], rev: -1 };
        this.slots.set(n.slot, w);
        this.bySlot[n.slot] = w;
        relist = true;
      }
      if (!w) throw new SkyError('SKY_WIRE_BAD', `patch names slot ${n.slot}, which holds no track`);
      if (n.ident) [w.cs, w.m3a, w.icao] = n.ident;
    }
    const l = p.lists;
    for (let o = 0; o < l.length; ) {
      const w = this.bySlot[l[o]!];
      if (!w) throw new SkyError('SKY_WIRE_BAD', `patch lists slot ${l[o]}, which holds no track`);
      const which = l[o + 1]!;
      const n = l[o + 2]!;
      const names = this.namesAt(l, o + 3, n);
      if (which === LIST_SEN) w.sen = names;
      else w.par = names;
      o += 3 + n;
    }
    const v = p.values;
    for (let o = 0; o < v.length; o += PATCH_STRIDE) {
      const w = this.bySlot[v[o]!];
      if (!w) throw new SkyError('SKY_WIRE_BAD', `patch changes slot ${v[o]}, which holds no track`);
      w.st = STATUS_OF[v[o + 1]!]!;
      w.lat = v[o + 2]!;
      w.lon = v[o + 3]!;
      const alt = v[o + 4]!;
      w.alt = Number.isNaN(alt) ? null : alt;
      w.vE = v[o + 5]!;
      w.vN = v[o + 6]!;
      w.rev++;
    }
    if (relist) {
      const list = this.list;
      list.length = 0;
      for (const w of this.slots.values()) list.push(w);
    }
    return this.list;
  }

  /** The list of names at l[from .. from + n), one array per distinct list. */
  private namesAt(l: Int32Array, from: number, n: number): readonly string[] {
    // Up to three indices (each below 2^16: the encoder keeps its dictionary under MAX_DICT) and the length, as
    // digits of one number below 2^53.
    let key: number | string;
    if (n <= 3 && this.dict.length <= 2 ** 16) {
      key = n;
      for (let i = 0; i < n; i++) key = key * 2 ** 16 + l[from + i]!;
    } else key = Array.prototype.join.call(l.subarray(from, from + n), ',');
    let names = this.lists.get(key);
    if (!names) {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const s = this.dict[l[from + i]!];
        if (s === undefined) throw new SkyError('SKY_WIRE_BAD', `patch names entry ${l[from + i]}, not in the dictionary of ${this.dict.length}`);
        out.push(s);
      }
      names = out;
      this.lists.set(key, names);
    }
    return names;
  }
}

/**
 * The page's end: applies keyframes and deltas in order. A delta whose base
 * is not the frame last applied raises SKY_WIRE_BASE (reconnect to get a
 * keyframe); the state is then unusable until the next keyframe. A message
 * is read twice: once to check it whole (a malformed one changes nothing),
 * once to apply it in place (no copy of the state per frame). `apply` hands
 * out new track objects (tools and tests); `patch` what changed (the page).
 */
export class FrameDecoder {
  private slots = new Map<number, DTrack>();
  /** The same tracks by slot number (slots are small integers the encoder reuses): a lookup per record without hashing. */
  private bySlot: (DTrack | undefined)[] = [];
  private dict: string[] = [];
  seq = -1;
  private valid = false;

  reset(): void {
    this.slots.clear();
    this.bySlot = [];
    this.dict = [];
    this.valid = false;
    this.seq = -1;
  }

  apply(bytes: Uint8Array): DecodedFrame {
    const { kind, t, seq, body } = this.begin(bytes);
    const counts = this.read(body, kind === KIND_KEY, false, null);
    this.read(body, kind === KIND_KEY, true, null);
    this.seq = seq;
    // A keyframe with seq 0xffffffff (an empty picture) is not a base for any delta.
    this.valid = seq !== 0xffffffff;
    // The slots' order (the order tracks joined).
    const tracks: WireTrack[] = [];
    for (const d of this.slots.values()) tracks.push(d.wire);
    return { kind: kind === KIND_KEY ? 'key' : 'delta', t, seq, tracks, changed: counts.changed, removed: counts.removed };
  }

  /**
   * Applies a message like `apply` (checked whole first: a malformed one changes nothing) but hands out what it
   * changed as a FramePatch instead of track objects: the page decodes in a Web Worker and posts the patch (its
   * arrays transferred, not copied) to the main thread, whose TrackMirror applies it to its own objects.
   */
  patch(bytes: Uint8Array): FramePatch {
    const { kind, t, seq, body } = this.begin(bytes);
    const counts = this.read(body, kind === KIND_KEY, false, null);
    const out: PatchSink = { removed: new Int32Array(counts.removed), values: new Float64Array(PATCH_STRIDE * counts.changed), names: [], lists: new Int32Array(1024), nLists: 0, nRemoved: 0, nValues: 0 };
    const dictFrom = kind === KIND_KEY ? 0 : this.dict.length;
    this.read(body, kind === KIND_KEY, true, out);
    this.seq = seq;
    this.valid = seq !== 0xffffffff;
    return {
      key: kind === KIND_KEY, t, seq, removed: out.removed, names: out.names, values: out.values,
      dict: this.dict.slice(dictFrom), lists: out.lists.slice(0, out.nLists),
    };
  }

  /** Checks the header; a delta must build on the message last applied. */
  private begin(bytes: Uint8Array): { kind: number; t: number; seq: number; body: Uint8Array } {
    if (bytes.length < HEADER_BYTES) throw new SkyError('SKY_WIRE_TRUNCATED', `frame message of ${bytes.length} bytes is shorter than its ${HEADER_BYTES}-byte header`);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const kind = v.getUint8(0);
    const t = v.getFloat64(1, true);
    const seq = v.getUint32(9, true);
    const base = v.getUint32(13, true);
    if (kind !== KIND_KEY && kind !== KIND_DELTA) throw new SkyError('SKY_WIRE_BAD', `unknown frame message kind ${kind}`);
    if (kind === KIND_DELTA && (!this.valid || base !== this.seq)) {
      const held = this.valid ? String(this.seq) : 'no frame';
      this.valid = false;
      throw new SkyError('SKY_WIRE_BASE', `delta for frame ${base} but this page holds ${held}; reconnect for a keyframe`);
    }
    return { kind, t, seq, body: bytes.subarray(HEADER_BYTES) };
  }

  /** Checks (commit false) or applies (commit true) the body of a message. */
  private read(body: Uint8Array, key: boolean, commit: boolean, patch: PatchSink | null): { changed: number; removed: number } {
    const r = new Reader(body);
    if (commit && key) {
      this.slots = new Map();
      this.bySlot = [];
      this.dict = [];
    }
    // The check pass tracks which slots are live without touching the state.
    const removedHere = new Set<number>();
    const addedHere = new Set<number>();
    const live = (slot: number) => addedHere.has(slot) || (!key && this.bySlot[slot] !== undefined && !removedHere.has(slot));
    let dictLen = key ? 0 : this.dict.length;
    const nDict = r.uv();
    for (let i = 0; i < nDict; i++) {
      const s = r.str();
      if (s === null) throw new SkyError('SKY_WIRE_BAD', `null dictionary entry at byte ${HEADER_BYTES + r.offset}`);
      if (commit) this.dict.push(s);
      dictLen++;
    }
    const nRemoved = r.uv();
    for (let i = 0; i < nRemoved; i++) {
      const s = r.uv();
      if (commit) {
        this.slots.delete(s);
        this.bySlot[s] = undefined;
        if (patch) patch.removed[patch.nRemoved++] = s;
      }
      else if (!live(s)) throw new SkyError('SKY_WIRE_BAD', `removal of empty slot ${s}`);
      else removedHere.add(s);
    }
    const names = (): number[] => {
      const n = r.uv();
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const k = r.uv();
        if (k >= dictLen) throw new SkyError('SKY_WIRE_BAD', `name ${k} not in the dictionary of ${dictLen}`);
        out.push(k);
      }
      return out;
    };
    const nRecords = r.uv();
    for (let i = 0; i < nRecords; i++) {
      const slot = r.uv();
      const mask = r.u8();
      let q: DTrack | undefined;
      if (mask & NEW) {
        const id = r.str();
        if (id === null) throw new SkyError('SKY_WIRE_BAD', `new track without id in slot ${slot}`);
        if (commit) {
          q = { slot, id, st: 0, lat: 0, lon: 0, alt: 0, vE: 0, vN: 0, cs: null, m3a: null, icao: null, sen: [], par: [], senKey: '', parKey: '', seen: 0, wire: null! };
          this.slots.set(slot, q);
          this.bySlot[slot] = q;
        } else addedHere.add(slot);
      } else if (commit) {
        q = this.bySlot[slot]!;
      } else if (!live(slot)) {
        throw new SkyError('SKY_WIRE_BAD', `change to empty slot ${slot}`);
      }
      if (mask & ST) {
        const st = r.u8();
        if (st > 2) throw new SkyError('SKY_WIRE_BAD', `status code ${st}`);
        if (q) q.st = st;
      }
      if (mask & POS) {
        const dLat = r.sv();
        const dLon = r.sv();
        if (q) {
          q.lat += dLat;
          q.lon += dLon;
        }
      }
      if (mask & ALT) {
        const d = r.sv();
        if (q) q.alt += d;
      }
      if (mask & VEL) {
        const dE = r.sv();
        const dN = r.sv();
        if (q) {
          q.vE += dE;
          q.vN += dN;
        }
      }
      if (mask & IDENT) {
        const cs = r.str();
        const m3a = r.str();
        const icao = r.str();
        if (q) {
          q.cs = cs;
          q.m3a = m3a;
          q.icao = icao;
        }
      }
      if (mask & SEN) {
        const n = names();
        if (q) q.sen = n;
      }
      if (mask & PAR) {
        const n = names();
        if (q) q.par = n;
      }
      if (!q) continue;
      if (patch) {
        writePatch(patch, q, mask);
        continue;
      }
      q.wire = toWire(q, this.dict, mask & NEW ? null : q.wire, mask);
    }
    if (!r.atEnd) throw new SkyError('SKY_WIRE_BAD', `${body.length - r.offset} bytes left after the last record`);
    return { changed: nRecords, removed: nRemoved };
  }
}
