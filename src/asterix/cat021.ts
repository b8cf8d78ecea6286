// CAT021 ADS-B reports in the form the pipeline uses: the aircraft's own
// WGS-84 position, identity and altitudes. Decoding reads fields at the item
// positions the engine's scan found; encoding goes through the engine.

import { SkyError } from '../core/errors.ts';
import { dataError } from './errors.ts';
import { cat021 } from './categories.ts';
import { type Items } from './engine.ts';
import { MAX_BLOCK_BYTES, encodeBlock, encodeBlocks } from './framing.ts';
import { DAY_S, DEG, FT_M, badTime, icao24Hex, icaoIdent, octal4, s16, s24, s32, u16, u24 } from './fields.ts';

export interface Cat021Report {
  sac: number;
  sic: number;
  /** Time of applicability for position (I021/071; if absent, time of message reception for position, I021/073), s since midnight UTC. */
  timeOfDayS: number;
  /** I021/131 high-resolution (LSB 180/2^30 deg), else I021/130 (LSB 180/2^23 deg); radians. */
  latRad: number;
  lonRad: number;
  /** I021/145 (LSB 1/4 FL). */
  flightLevel: number | null;
  /** I021/140 (LSB 6.25 ft), metres. */
  geometricHeightM: number | null;
  /** I021/080, 6 lowercase hex digits. */
  icao24: string;
  /** I021/170, trimmed; null when absent or all spaces. */
  callsign: string | null;
  /** I021/070, 4 octal digits. */
  mode3a: string | null;
}

const FRN = (name: string): number => {
  const i = cat021.uap.indexOf(name);
  if (i < 0) throw new Error(`CAT021 UAP lacks ${name}`);
  return i;
};
const I010 = FRN('010');
const I071 = FRN('071');
const I073 = FRN('073');
const I130 = FRN('130');
const I131 = FRN('131');
const I080 = FRN('080');
const I140 = FRN('140');
const I145 = FRN('145');
const I170 = FRN('170');
const I070 = FRN('070');

function missing(base: number, recordPos: number, what: string): SkyError {
  return dataError('SKY_ASTERIX_MISSING_ITEM', `CAT021 record at byte ${base + recordPos} lacks ${what}, which an ADS-B report needs; record skipped`, {
    offset: base + recordPos,
  });
}

export function cat021FromScan(buf: Uint8Array, starts: Int32Array, recordPos: number, base: number): Cat021Report | SkyError {
  const s010 = starts[I010]!;
  const s080 = starts[I080]!;
  const sTime = starts[I071]! >= 0 ? starts[I071]! : starts[I073]!;
  const s131 = starts[I131]!;
  const s130 = starts[I130]!;
  if (s010 < 0) return missing(base, recordPos, 'I021/010');
  if (s080 < 0) return missing(base, recordPos, 'I021/080');
  if (sTime < 0) return missing(base, recordPos, 'I021/071 (and I021/073)');
  if (s131 < 0 && s130 < 0) return missing(base, recordPos, 'I021/130 and I021/131');
  let latRad: number;
  let lonRad: number;
  if (s131 >= 0) {
    latRad = ((s32(buf, s131) * 180) / 2 ** 30) * DEG;
    lonRad = ((s32(buf, s131 + 4) * 180) / 2 ** 30) * DEG;
  } else {
    latRad = ((s24(buf, s130) * 180) / 2 ** 23) * DEG;
    lonRad = ((s24(buf, s130 + 3) * 180) / 2 ** 23) * DEG;
  }
  // The position items can carry up to ±360°: a latitude past a pole or a longitude past the antimeridian is damage, not a position.
  if (!(Math.abs(latRad) <= Math.PI / 2 && lonRad >= -Math.PI && lonRad <= Math.PI)) {
    const at = s131 >= 0 ? s131 : s130;
    return dataError(
      'SKY_ASTERIX_BAD_VALUE',
      `CAT021 record at byte ${base + recordPos}: I021/${s131 >= 0 ? '131' : '130'} position ${(latRad / DEG).toFixed(6)}°, ${(lonRad / DEG).toFixed(6)}° is off the globe; record skipped`,
      { offset: base + at },
    );
  }
  const timeOfDayS = u24(buf, sTime) / 128;
  if (timeOfDayS >= DAY_S) return badTime(base, recordPos, sTime, starts[I071]! >= 0 ? 'I021/071' : 'I021/073', timeOfDayS);
  const s140 = starts[I140]!;
  const s145 = starts[I145]!;
  const s170 = starts[I170]!;
  const s070 = starts[I070]!;
  let callsign: string | null = null;
  if (s170 >= 0) {
    const t = icaoIdent(buf, s170);
    callsign = t === '' ? null : t;
  }
  return {
    sac: buf[s010]!,
    sic: buf[s010 + 1]!,
    timeOfDayS,
    latRad,
    lonRad,
    flightLevel: s145 >= 0 ? s16(buf, s145) / 4 : null,
    geometricHeightM: s140 >= 0 ? s16(buf, s140) * 6.25 * FT_M : null,
    icao24: icao24Hex(u24(buf, s080)),
    callsign,
    mode3a: s070 >= 0 ? octal4(u16(buf, s070)) : null,
  };
}

export function cat021Items(r: Cat021Report): Items {
  if (!/^[0-9a-fA-F]{6}$/.test(r.icao24)) throw new SkyError('SKY_ASTERIX_BAD_VALUE', `CAT021 icao24 ${JSON.stringify(r.icao24)} is not 6 hex digits`);
  if (!Number.isFinite(r.latRad) || !Number.isFinite(r.lonRad)) throw new SkyError('SKY_ASTERIX_BAD_VALUE', `CAT021 position ${r.latRad}, ${r.lonRad} rad is not a number`);
  // Longitude in [-180, 180), the spec's range for LON: wrap the quantised value, so 180 - ε that rounds up to 180 is sent as -180.
  const half = 2 ** 30; // LSB 180/2^30 deg: 180 deg = 2^30
  let lonRaw = Math.round(((r.lonRad / DEG) * half) / 180) % (2 * half);
  if (lonRaw >= half) lonRaw -= 2 * half;
  if (lonRaw < -half) lonRaw += 2 * half;
  const lonDeg = (lonRaw * 180) / half;
  return {
    'I021/010': { SAC: r.sac, SIC: r.sic },
    // ATP 0: 24-bit ICAO address; ARC 0: 25 ft altitude resolution (I021/145 has LSB 1/4 FL).
    'I021/040': { ATP: 0, ARC: 0, RC: 0, RAB: 0 },
    'I021/071': r.timeOfDayS,
    'I021/131': { LAT: r.latRad / DEG, LON: lonDeg },
    'I021/080': parseInt(r.icao24, 16),
    'I021/140': r.geometricHeightM === null ? undefined : r.geometricHeightM / FT_M,
    'I021/070': r.mode3a === null ? undefined : { MODE3A: r.mode3a },
    'I021/145': r.flightLevel === null ? undefined : r.flightLevel,
    'I021/170': r.callsign === null ? undefined : r.callsign,
  };
}

/** One CAT021 data block; throws SKY_ASTERIX_BLOCK_TOO_LONG past 65535 bytes (use encodeCat021Blocks for large batches). */
export function encodeCat021Block(reports: readonly Cat021Report[]): Uint8Array {
  return encodeBlock(cat021, reports.map(cat021Items));
}

export function encodeCat021Blocks(reports: readonly Cat021Report[], maxBytes = MAX_BLOCK_BYTES): Uint8Array[] {
  return encodeBlocks(cat021, reports.map(cat021Items), maxBytes);
}
