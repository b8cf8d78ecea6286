// Byte readers and unit constants shared by the typed adapters.

import { SkyError } from '../core/errors.ts';
import { dataError } from './errors.ts';

/** International nautical mile. */
export const NM_M = 1852;
/** International foot. */
export const FT_M = 0.3048;
export const TWO_PI = 2 * Math.PI;
export const DEG = Math.PI / 180;

export function u16(buf: Uint8Array, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}

export function u24(buf: Uint8Array, at: number): number {
  return (buf[at]! << 16) | (buf[at + 1]! << 8) | buf[at + 2]!;
}

export function s32(buf: Uint8Array, at: number): number {
  return (buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!;
}

export function s24(buf: Uint8Array, at: number): number {
  const v = u24(buf, at);
  return v >= 0x800000 ? v - 0x1000000 : v;
}

export function s16(buf: Uint8Array, at: number): number {
  const v = u16(buf, at);
  return v >= 0x8000 ? v - 0x10000 : v;
}

// The string forms below come from tables built once, so the hot decode path
// makes one string per field (or none: Mode 3/A codes are interned).

const OCTAL4: readonly string[] = Array.from({ length: 4096 }, (_, v) => v.toString(8).padStart(4, '0'));
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, v) => v.toString(16).padStart(2, '0'));

/** The low 12 bits of v as a Mode 3/A code: 4 octal digits. */
export function octal4(v: number): string {
  return OCTAL4[v & 0xfff]!;
}

/** A 24-bit address as 6 lowercase hex digits. */
export function icao24Hex(v: number): string {
  return HEX2[(v >>> 16) & 0xff]! + HEX2[(v >>> 8) & 0xff]! + HEX2[v & 0xff]!;
}

/** ICAO 6-bit code → character (IA-5 low six bits; every code maps, as in engine.ts). */
function icaoCh(code: number): number {
  return code < 32 ? code + 64 : code;
}

/** 8 ICAO 6-bit characters (48 bits) from byte `at`, trimmed as String.prototype.trim does: the Annex 10 identification form. */
export function icaoIdent(buf: Uint8Array, at: number): string {
  const hi = (buf[at]! << 16) | (buf[at + 1]! << 8) | buf[at + 2]!;
  const lo = (buf[at + 3]! << 16) | (buf[at + 4]! << 8) | buf[at + 5]!;
  const s = String.fromCharCode(
    icaoCh(hi >>> 18),
    icaoCh((hi >>> 12) & 63),
    icaoCh((hi >>> 6) & 63),
    icaoCh(hi & 63),
    icaoCh(lo >>> 18),
    icaoCh((lo >>> 12) & 63),
    icaoCh((lo >>> 6) & 63),
    icaoCh(lo & 63),
  );
  // Space is code 32; no other 6-bit code maps to whitespace.
  return s.charCodeAt(0) === 32 || s.charCodeAt(7) === 32 ? s.trim() : s;
}

/** n ICAO 6-bit characters from byte `at` (IA-5 low six bits; see engine.ts). */
export function icaoText(buf: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const bit = i * 6;
    const b = at + (bit >>> 3);
    const w = (buf[b]! << 8) | (buf[b + 1] ?? 0);
    const code = (w >>> (10 - (bit & 7))) & 63;
    s += String.fromCharCode(code < 32 ? code + 64 : code);
  }
  return s;
}

/** Seconds in a UTC day: an ASTERIX time of day (24 bits of 1/128 s, up to 131072 s) at or past it is impossible. */
export const DAY_S = 86400;

export function badTime(base: number, recordPos: number, at: number, item: string, timeOfDayS: number): SkyError {
  return dataError('SKY_ASTERIX_BAD_VALUE', `record at byte ${base + recordPos}: ${item} time of day ${timeOfDayS} s is not within a day (0..86400 s); record skipped`, {
    offset: base + at,
  });
}
