// Byte readers and unit constants shared by the typed adapters.

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

/** The low 12 bits of v as a Mode 3/A code: 4 octal digits. */
export function octal4(v: number): string {
  return ((v >>> 9) & 7).toString() + ((v >>> 6) & 7).toString() + ((v >>> 3) & 7).toString() + (v & 7).toString();
}

export function icao24Hex(v: number): string {
  return v.toString(16).padStart(6, '0');
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
