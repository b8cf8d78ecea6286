// CAT048 monoradar target reports in the form the pipeline uses. Decoding
// reads the few fields it needs straight from the item positions the engine's
// scan found (no generic items object); encoding builds spec items and lets
// the engine write them, so both ends follow the generated table.

import { SkyError } from '../core/errors.ts';
import { dataError } from './errors.ts';
import type { Detection } from '../core/types.ts';
import { cat048 } from './categories.ts';
import { type Items } from './engine.ts';
import { MAX_BLOCK_BYTES, encodeBlock, encodeBlocks, readFrame, walkRecords } from './framing.ts';
import { DAY_S, NM_M, TWO_PI, badTime, icaoIdent, octal4, u16, u24, icao24Hex } from './fields.ts';

export interface Cat048Report {
  sac: number;
  sic: number;
  /** I048/140, seconds since midnight UTC (LSB 1/128 s). */
  timeOfDayS: number;
  /** I048/040 RHO (LSB 1/256 NM), metres. */
  rangeM: number;
  /** I048/040 THETA (LSB 360/2^16 deg), radians in [0, 2π). */
  azimuthRad: number;
  /** I048/020 TYP. */
  detection: Detection;
  /** I048/070, 4 octal digits, e.g. "7700" (V/G/L flags are not carried). */
  mode3a: string | null;
  /** I048/090 (LSB 1/4 FL). */
  flightLevel: number | null;
  /** I048/220, 6 lowercase hex digits. */
  icao24: string | null;
  /** I048/240, trimmed; null when absent or all spaces. */
  callsign: string | null;
  /** I048/161. */
  trackNumber: number | null;
}

const FRN = (name: string): number => {
  const i = cat048.uap.indexOf(name);
  if (i < 0) throw new Error(`CAT048 UAP lacks ${name}`);
  return i;
};
const I010 = FRN('010');
const I140 = FRN('140');
const I020 = FRN('020');
const I040 = FRN('040');
const I070 = FRN('070');
const I090 = FRN('090');
const I220 = FRN('220');
const I240 = FRN('240');
const I161 = FRN('161');

/** I048/020 TYP → detection. 4/5 (all-call/roll-call) both read as mode-s; so do 6/7 with PSR. TYP 0 ("no detection") has no plot. */
const DETECTION_BY_TYP: readonly (Detection | null)[] = [null, 'psr', 'ssr', 'psr+ssr', 'mode-s', 'mode-s', 'psr+mode-s', 'psr+mode-s'];

/** Encoding writes roll-call for Mode S: a surveillance radar's tracked targets are interrogated roll-call. */
const TYP_BY_DETECTION: Readonly<Record<Detection, number>> = { psr: 1, ssr: 2, 'psr+ssr': 3, 'mode-s': 5, 'psr+mode-s': 7 };

function missing(base: number, recordPos: number, name: string): SkyError {
  return dataError('SKY_ASTERIX_MISSING_ITEM', `CAT048 record at byte ${base + recordPos} lacks I048/${name}, which a plot needs; record skipped`, {
    offset: base + recordPos,
  });
}

/**
 * The typed report of one scanned record, or the reason there is none.
 * The hot path of every radar feed: reads the bytes at the positions the
 * plan walk found, and allocates the report and its strings only.
 */
export function cat048FromScan(buf: Uint8Array, starts: Int32Array, recordPos: number, base: number): Cat048Report | SkyError {
  const s010 = starts[I010]!;
  const s140 = starts[I140]!;
  const s020 = starts[I020]!;
  const s040 = starts[I040]!;
  if (s010 < 0) return missing(base, recordPos, '010');
  if (s140 < 0) return missing(base, recordPos, '140');
  if (s020 < 0) return missing(base, recordPos, '020');
  if (s040 < 0) return missing(base, recordPos, '040');
  const detection = DETECTION_BY_TYP[buf[s020]! >>> 5] ?? null;
  if (detection === null) {
    return dataError('SKY_ASTERIX_BAD_VALUE', `CAT048 record at byte ${base + recordPos}: I048/020 TYP 0 (no detection) is not a plot; record skipped`, {
      offset: base + s020,
    });
  }
  const timeOfDayS = u24(buf, s140) / 128;
  if (timeOfDayS >= DAY_S) return badTime(base, recordPos, s140, 'I048/140', timeOfDayS);
  const s070 = starts[I070]!;
  const s090 = starts[I090]!;
  const s220 = starts[I220]!;
  const s240 = starts[I240]!;
  const s161 = starts[I161]!;
  let flightLevel: number | null = null;
  if (s090 >= 0) {
    const v = u16(buf, s090) & 0x3fff;
    flightLevel = (v >= 0x2000 ? v - 0x4000 : v) / 4;
  }
  let callsign: string | null = null;
  if (s240 >= 0) {
    const t = icaoIdent(buf, s240);
    callsign = t === '' ? null : t;
  }
  return {
    sac: buf[s010]!,
    sic: buf[s010 + 1]!,
    timeOfDayS,
    rangeM: (u16(buf, s040) / 256) * NM_M,
    azimuthRad: (u16(buf, s040 + 2) * TWO_PI) / 65536,
    detection,
    mode3a: s070 >= 0 ? octal4(u16(buf, s070)) : null,
    flightLevel,
    icao24: s220 >= 0 ? icao24Hex(u24(buf, s220)) : null,
    callsign,
    trackNumber: s161 >= 0 ? u16(buf, s161) & 0x0fff : null,
  };
}

/**
 * Decodes a CAT048 data block straight to plots: onPlot(report, byte offset
 * of its record). The form for a feed known to be CAT048; no wrapper object
 * per plot (decodeBlock adds one to tell categories apart). Never throws;
 * errors as decodeBlock's; a block of another category gives one
 * SKY_ASTERIX_UNKNOWN_CATEGORY and is skipped.
 */
export function decodeCat048Block(block: Uint8Array, offset: number, onPlot: (r: Cat048Report, offset: number) => void, onError: (e: SkyError) => void): void {
  const frame = readFrame(block, offset, onError);
  if (frame === null) return;
  if (frame.cat !== 48) {
    onError(
      dataError('SKY_ASTERIX_UNKNOWN_CATEGORY', `data block at byte ${offset} is CAT${String(frame.cat).padStart(3, '0')}, not CAT048; block skipped`, { offset }),
    );
    return;
  }
  walkRecords(cat048, block, frame, offset, onError, (starts, pos) => {
    const r = cat048FromScan(block, starts, pos, offset);
    if (r instanceof SkyError) onError(r);
    else onPlot(r, offset + pos);
  });
}

function bad(msg: string): SkyError {
  return new SkyError('SKY_ASTERIX_BAD_VALUE', msg);
}

/** The spec items of a typed report. Throws SKY_ASTERIX_BAD_VALUE on a value CAT048 cannot carry. */
export function cat048Items(r: Cat048Report): Items {
  const typ = TYP_BY_DETECTION[r.detection];
  if (typ === undefined) throw bad(`CAT048 detection ${JSON.stringify(r.detection)} is not one of psr, ssr, psr+ssr, mode-s, psr+mode-s`);
  if (!Number.isFinite(r.azimuthRad)) throw bad(`CAT048 azimuth ${r.azimuthRad} rad is not a number`);
  // THETA wraps: 2π - ε rounds to 65536, which is north again.
  const theta = ((Math.round((r.azimuthRad / TWO_PI) * 65536) % 65536) + 65536) % 65536;
  if (r.icao24 !== null && !/^[0-9a-fA-F]{6}$/.test(r.icao24)) throw bad(`CAT048 icao24 ${JSON.stringify(r.icao24)} is not 6 hex digits`);
  return {
    'I048/010': { SAC: r.sac, SIC: r.sic },
    'I048/140': r.timeOfDayS,
    'I048/020': { TYP: typ },
    'I048/040': { RHO: r.rangeM / NM_M, THETA: (theta * 360) / 65536 },
    'I048/070': r.mode3a === null ? undefined : { MODE3A: r.mode3a },
    'I048/090': r.flightLevel === null ? undefined : { FL: r.flightLevel },
    'I048/220': r.icao24 === null ? undefined : parseInt(r.icao24, 16),
    'I048/240': r.callsign === null ? undefined : r.callsign,
    'I048/161': r.trackNumber === null ? undefined : { TRN: r.trackNumber },
  };
}

/**
 * One CAT048 data block. Writes the items that are not null, in UAP order;
 * throws SKY_ASTERIX_BLOCK_TOO_LONG past 65535 bytes (about 2000 full
 * reports); use encodeCat048Blocks when a batch may be larger.
 */
export function encodeCat048Block(reports: readonly Cat048Report[]): Uint8Array {
  return encodeBlock(cat048, reports.map(cat048Items));
}

/** As many CAT048 data blocks as needed, each at most maxBytes long. */
export function encodeCat048Blocks(reports: readonly Cat048Report[], maxBytes = MAX_BLOCK_BYTES): Uint8Array[] {
  return encodeBlocks(cat048, reports.map(cat048Items), maxBytes);
}
