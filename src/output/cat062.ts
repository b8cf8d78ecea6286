// System tracks as ASTERIX CAT062 (ed. 1.21) records, and CAT065 (ed. 1.6)
// SDPS service messages. Items are built by spec name and encoded by the
// spec-driven codec in src/asterix; nothing here lays out bits by hand.
// A value the item cannot carry is clamped where the spec says "maximum
// value means maximum value or above" (I062/500) and otherwise left out, so
// one odd track never costs the others their record.

import { categoryDef, encodeBlocks, encodeItemsBlock, encodeRecord, ByteWriter, MAX_BLOCK_BYTES, type Items } from '../asterix/index.ts';
import { SkyError } from '../core/errors.ts';
import { timeOfDayS } from '../core/time.ts';
import type { TrackFrame } from '../core/types.ts';
import type { NumberedTrack, TrackNumbers } from './numbers.ts';

const CAT062 = categoryDef(62)!;

const FT = 0.3048;
/** Contract section 4: a flight level converts to altM as FL x 30.48 m (standard atmosphere, no QNH). */
const M_PER_FL = 30.48;

export interface Cat062Options {
  /** SDPS identity for I062/010 (and I065/010). */
  readonly sac: number;
  readonly sic: number;
  /** I062/015 and I065/015 service identification; default 1. */
  readonly serviceId?: number;
  /** Largest data block; default 65535. 1472 keeps a block in one Ethernet UDP datagram. */
  readonly maxBlockBytes?: number;
  /** Also send I062/245 with the callsign. Default false: ed. 1.21 says I062/245 SHALL not be used when I062/380 ID carries it. */
  readonly withI062_245?: boolean;
  /** Write a last record (I062/080 TSE) for each track that ended since the previous frame. Default false: then the records are exactly the frame's tracks, like tracks.jsonl. */
  readonly endRecords?: boolean;
  /** Records that cannot be encoded (a bug: values are checked first) are dropped and reported here. */
  readonly onError?: (e: SkyError) => void;
}

/** Time of day in 1/128 s units, wrapped so 86399.999 s never becomes 86400. */
function todS(timeS: number): number {
  const ticks = Math.round(timeOfDayS(timeS) * 128) % (86400 * 128);
  return ticks / 128;
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** Velocity components are 16-bit two's complement at 0.25 m/s. */
const V_MAX = 32767 / 4;
/** I062/500 APC: 16 bits unsigned at 0.5 m. */
const APC_MAX = 65535 / 2;

/** The spec-named items of one track's record. */
export function cat062Items(n: NumberedTrack, opts: Cat062Options): Items {
  const t = n.track;
  const items: Items = {
    'I062/010': { SAC: opts.sac, SIC: opts.sic },
    'I062/015': opts.serviceId ?? 1,
    'I062/070': todS(t.timeS),
    // Longitude normalised into the spec's [-180, 180).
    'I062/105': { LAT: clamp(t.latDeg, -90, 90), LON: ((((t.lonDeg + 180) % 360) + 360) % 360) - 180 },
    // x east, y north at the target (spec note on I062/185): our vE, vN.
    'I062/185': { VX: clamp(t.velEastMps, -8192, V_MAX), VY: clamp(t.velNorthMps, -8192, V_MAX) },
    'I062/040': n.number,
  };
  if (t.mode3a !== null && /^[0-7]{4}$/.test(t.mode3a)) {
    items['I062/060'] = { V: 0, G: 0, CH: n.mode3aChanged ? 1 : 0, MODE3A: t.mode3a };
  }
  const callsign = t.callsign !== null && /^[A-Z0-9 ]{1,8}$/.test(t.callsign) ? t.callsign : null;
  if (callsign !== null && opts.withI062_245 === true) {
    // STI 0: our callsigns come from Mode S / ADS-B downlink, never from a flight plan.
    items['I062/245'] = { STI: 0, CHR: callsign };
  }
  const adr = t.icao24 !== null && /^[0-9a-fA-F]{6}$/.test(t.icao24) ? parseInt(t.icao24, 16) : null;
  if (adr !== null || callsign !== null) {
    const i380: Record<string, unknown> = {};
    if (adr !== null) i380['ADR'] = adr;
    if (callsign !== null) i380['ID'] = callsign;
    items['I062/380'] = i380;
  }
  items['I062/080'] = trackStatus(n);
  if (t.altM !== null && Number.isFinite(t.altM)) {
    // Both altitude items. altM is height above the WGS-84 ellipsoid, which is
    // exactly I062/130 (geometric altitude). Most ATC consumers display only
    // a flight level, so I062/136 carries altM / 30.48, the inverse of the
    // contract's FL -> altM conversion: it gives back the Mode C / ADS-B
    // flight level for the usual track whose height came from one. For a
    // track whose height came from GNSS it is geometric height in FL units,
    // off from the true pressure altitude by the day's ISA deviation; SRC in
    // I062/080 stays 0 ("no source") because a system track does not say
    // which sensor its height came from.
    const ft = t.altM / FT;
    if (ft >= -1500 && ft <= 150000) items['I062/130'] = ft;
    const fl = t.altM / M_PER_FL;
    if (fl >= -15 && fl <= 1500) items['I062/136'] = fl;
  }
  if (Number.isFinite(t.sigmaM) && t.sigmaM >= 0) {
    // sigmaM is the per-axis 1-sigma, sqrt((varE + varN) / 2): the same
    // value for X and Y. Spec note 1: the maximum means "maximum or above".
    const s = Math.min(t.sigmaM, APC_MAX);
    items['I062/500'] = { APC: { X: s, Y: s } };
  }
  return items;
}

/**
 * I062/080. Only the octets needed are written: the engine sends an extended
 * item up to the last octet holding a named field, so fields of later octets
 * are left undefined unless they are set.
 */
function trackStatus(n: NumberedTrack): Record<string, unknown> {
  const t = n.track;
  const s: Record<string, unknown> = {
    // MON 1 = monosensor: exactly one sensor updated the track in the last
    // period. A coasting track (no sensor) is not known to be monosensor.
    MON: t.sensors.length === 1 ? 1 : 0,
    SPI: 0,
    MRH: 0,
    SRC: 0,
    // CNF 1 = tentative; a coasting track was confirmed and stays so.
    CNF: t.status === 'tentative' ? 1 : 0,
  };
  if (n.first || n.last) {
    s['TSE'] = n.last ? 1 : 0;
    s['TSB'] = n.first ? 1 : 0;
  }
  if (t.status === 'coasting') s['CST'] = 1;
  return s;
}

/**
 * One frame as CAT062 data blocks, one record per track (plus, with
 * endRecords, one last record per track that ended). Advances `numbers`:
 * call once per frame, in time order. An empty frame gives no block.
 */
export function encodeCat062Frame(frame: TrackFrame, opts: Cat062Options, numbers: TrackNumbers): Uint8Array[] {
  const numbering = numbers.update(frame);
  if (numbering.unnumbered > 0) {
    opts.onError?.(
      new SkyError(
        'SKY_OUTPUT_TRACK_NUMBERS',
        `${numbering.unnumbered} tracks at t=${frame.timeS} got no CAT062 track number: all 65536 are in use or waiting out their reuse delay; lower reuseDelayS`,
      ),
    );
  }
  const tracks = opts.endRecords === true ? [...numbering.ended, ...numbering.live] : numbering.live;
  const records: Items[] = [];
  for (const n of tracks) records.push(cat062Items(n, opts));
  if (records.length === 0) return [];
  const maxBytes = opts.maxBlockBytes ?? MAX_BLOCK_BYTES;
  try {
    return encodeBlocks(CAT062, records, maxBytes);
  } catch (e) {
    // Slow path, only after a failure: drop the records that cannot be encoded, keep the others.
    const good: Items[] = [];
    const w = new ByteWriter(256);
    records.forEach((r, i) => {
      try {
        w.len = 0;
        encodeRecord(CAT062, r, w);
        good.push(r);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        opts.onError?.(new SkyError('SKY_OUTPUT_ENCODE', `track ${tracks[i]!.track.id} at t=${frame.timeS} left out of CAT062: ${msg}`));
      }
    });
    if (good.length === records.length) throw e;
    return good.length === 0 ? [] : encodeBlocks(CAT062, good, maxBytes);
  }
}

/** CAT065 messages an SDPS sends beside its tracks. */
export type Cat065Message =
  | {
      /** After every batch of track messages. */
      readonly kind: 'end-of-batch';
      readonly timeS: number;
      /**
       * I065/020: 0..N-1 within one processing cycle of N batches. One frame
       * is one whole cycle sent as one batch, so N = 1 and this is 0.
       */
      readonly batchNumber?: number;
    }
  | {
      readonly kind: 'sdps-status';
      readonly timeS: number;
      readonly nogo: 'operational' | 'degraded' | 'not-connected' | 'unknown';
      readonly overload?: boolean;
      /** I065/040 STTN: toggles whenever track numbering restarts. */
      readonly renumberingToggle?: 0 | 1;
    };

const NOGO = { operational: 0, degraded: 1, 'not-connected': 2, unknown: 3 } as const;

/** One CAT065 data block holding one message (I065/000 type, 010, 015, 030, then 020 or 040). */
export function encodeCat065Message(m: Cat065Message, opts: Pick<Cat062Options, 'sac' | 'sic' | 'serviceId'>): Uint8Array {
  const items: Items = {
    'I065/010': { SAC: opts.sac, SIC: opts.sic },
    'I065/000': m.kind === 'end-of-batch' ? 2 : 1,
    'I065/015': opts.serviceId ?? 1,
    'I065/030': todS(m.timeS),
  };
  if (m.kind === 'end-of-batch') items['I065/020'] = m.batchNumber ?? 0;
  else items['I065/040'] = { NOGO: NOGO[m.nogo], OVL: m.overload === true ? 1 : 0, TSV: 0, PSS: 0, STTN: m.renumberingToggle ?? 0 };
  return encodeItemsBlock(65, [items]);
}
