// CAT034 radar service messages (north marker, sector crossing) in the form
// the pipeline uses: sensor health and scan timing. Other message types
// (filters, jamming strobes) have no typed form and are reported, not guessed.

import { SkyError } from '../core/errors.ts';
import { dataError } from './errors.ts';
import { cat034 } from './categories.ts';
import { type Items } from './engine.ts';
import { encodeBlock } from './framing.ts';
import { DAY_S, TWO_PI, badTime, u16, u24 } from './fields.ts';

export interface Cat034Message {
  sac: number;
  sic: number;
  /** I034/030, seconds since midnight UTC (LSB 1/128 s). */
  timeOfDayS: number;
  /** I034/000 message type 1 / 2. */
  type: 'north-marker' | 'sector-crossing';
  /** I034/020 (LSB 360/2^8 deg), radians in [0, 2π). */
  sectorAzimuthRad: number | null;
  /** I034/041 antenna rotation period (LSB 1/128 s). */
  antennaRotationS: number | null;
}

const FRN = (name: string): number => {
  const i = cat034.uap.indexOf(name);
  if (i < 0) throw new Error(`CAT034 UAP lacks ${name}`);
  return i;
};
const I010 = FRN('010');
const I000 = FRN('000');
const I030 = FRN('030');
const I020 = FRN('020');
const I041 = FRN('041');

const TYPE_BY_CODE: Readonly<Record<number, Cat034Message['type']>> = { 1: 'north-marker', 2: 'sector-crossing' };

export function cat034FromScan(buf: Uint8Array, starts: Int32Array, recordPos: number, base: number): Cat034Message | SkyError {
  for (const [frn, name] of [
    [I010, '010'],
    [I000, '000'],
    [I030, '030'],
  ] as const) {
    if (starts[frn]! < 0) {
      return dataError('SKY_ASTERIX_MISSING_ITEM', `CAT034 record at byte ${base + recordPos} lacks I034/${name}, which a service message needs; record skipped`, {
        offset: base + recordPos,
      });
    }
  }
  const code = buf[starts[I000]!]!;
  const type = TYPE_BY_CODE[code];
  if (type === undefined) {
    return dataError(
      'SKY_ASTERIX_UNSUPPORTED',
      `CAT034 record at byte ${base + recordPos} is message type ${code}; only 1 (north marker) and 2 (sector crossing) are used; record skipped`,
      { offset: base + starts[I000]! },
    );
  }
  const timeOfDayS = u24(buf, starts[I030]!) / 128;
  if (timeOfDayS >= DAY_S) return badTime(base, recordPos, starts[I030]!, 'I034/030', timeOfDayS);
  const s010 = starts[I010]!;
  const s020 = starts[I020]!;
  const s041 = starts[I041]!;
  return {
    sac: buf[s010]!,
    sic: buf[s010 + 1]!,
    timeOfDayS,
    type,
    sectorAzimuthRad: s020 >= 0 ? (buf[s020]! * TWO_PI) / 256 : null,
    antennaRotationS: s041 >= 0 ? u16(buf, s041) / 128 : null,
  };
}

export function cat034Items(m: Cat034Message): Items {
  const code = m.type === 'north-marker' ? 1 : m.type === 'sector-crossing' ? 2 : -1;
  if (code < 0) throw new SkyError('SKY_ASTERIX_BAD_VALUE', `CAT034 message type ${JSON.stringify(m.type)} is not north-marker or sector-crossing`);
  let sector: number | undefined;
  if (m.sectorAzimuthRad !== null) {
    if (!Number.isFinite(m.sectorAzimuthRad)) throw new SkyError('SKY_ASTERIX_BAD_VALUE', `CAT034 sector azimuth ${m.sectorAzimuthRad} rad is not a number`);
    const raw = ((Math.round((m.sectorAzimuthRad / TWO_PI) * 256) % 256) + 256) % 256;
    sector = (raw * 360) / 256;
  }
  return {
    'I034/010': { SAC: m.sac, SIC: m.sic },
    'I034/000': code,
    'I034/030': m.timeOfDayS,
    'I034/020': sector,
    'I034/041': m.antennaRotationS === null ? undefined : m.antennaRotationS,
  };
}

/** One CAT034 data block (a few messages per scan: never near the 65535-byte limit). */
export function encodeCat034Block(msgs: readonly Cat034Message[]): Uint8Array {
  return encodeBlock(cat034, msgs.map(cat034Items));
}
