// CAT048 codec throughput on one core: typed decode (the tracker's plot form,
// Cat048Report) and encode, against the generic object-per-item decode
// (decodeBlockItems) measured in the same run, since machines here are shared
// and noisy. Runs alone (`node --import tsx bench/asterix.ts`) or from
import { uniformSource } from '../src/core/random.ts';
// bench/run.ts. Prints; asserts nothing. Deterministic input (seeded).

import { decodeBlock, decodeBlockItems, decodeCat048Block, encodeCat048Blocks, encodeItemsBlock, type Cat048Report } from '../src/asterix/index.ts';
import type { Detection } from '../src/core/types.ts';

const NM = 1852;
/** Seconds each figure is measured for (best of ROUNDS runs of this length). */
const RUN_S = Number(process.env.BENCH_ASTERIX_RUN_S ?? 0.5);
const ROUNDS = Number(process.env.BENCH_ASTERIX_ROUNDS ?? 5);


const rnd = uniformSource(48);
const int = (n: number): number => Math.floor(rnd() * n);
/** A radar's mix: mostly Mode S (address, callsign), some SSR, a few primary-only plots. */
const DETS: Detection[] = ['mode-s', 'mode-s', 'mode-s', 'psr+mode-s', 'ssr', 'psr+ssr', 'psr'];
const reports: Cat048Report[] = Array.from({ length: 20_000 }, (_, i) => {
  const detection = DETS[int(DETS.length)]!;
  const ms = detection.includes('mode-s');
  return {
    sac: 25,
    sic: 1 + (i % 4),
    timeOfDayS: 43200 + i * 0.01,
    rangeM: rnd() * 250 * NM,
    azimuthRad: rnd() * 2 * Math.PI,
    detection,
    mode3a: detection === 'psr' ? null : int(0o10000).toString(8).padStart(4, '0'),
    flightLevel: detection === 'psr' ? null : int(400 * 4) / 4,
    icao24: ms ? int(0x1000000).toString(16).padStart(6, '0') : null,
    callsign: ms ? 'DLH' + String(int(1000)).padStart(3, '0') + 'A' : null,
    trackNumber: int(4096),
  };
});
/** UDP-sized blocks, as radars send them. */
const blocks = encodeCat048Blocks(reports, 1472);

/** The same plots as a Mode S radar writes them: plus I048/130 (compound), 250 (BDS, repetitive), 170 (extended), 200, 230. */
const richBlocks: Uint8Array[] = [];
{
  const rich = reports.map((r, i) => ({
    'I048/010': { SAC: r.sac, SIC: r.sic },
    'I048/140': r.timeOfDayS,
    'I048/020': { TYP: r.detection === 'psr' ? 1 : r.detection.includes('mode-s') ? 5 : 2 },
    'I048/040': { RHO: r.rangeM / NM, THETA: (Math.round((r.azimuthRad / (2 * Math.PI)) * 65536) % 65536) * (360 / 65536) },
    'I048/070': r.mode3a === null ? undefined : { MODE3A: r.mode3a },
    'I048/090': r.flightLevel === null ? undefined : { FL: r.flightLevel },
    'I048/130': { SRL: 0.5, SRR: 4, SAM: -70 },
    'I048/220': r.icao24 === null ? undefined : parseInt(r.icao24, 16),
    'I048/240': r.callsign ?? undefined,
    'I048/250': r.icao24 === null ? undefined : [{ MBDATA: 'A0001000000000', BDS1: 4, BDS2: 0 }, { MBDATA: '8A000030A40000', BDS1: 6, BDS2: 0 }],
    'I048/161': { TRN: i % 4096 },
    'I048/200': { GSP: 0.12, HDG: 90 },
    'I048/170': { CNF: 0, RAD: 2, DOU: 0, MAH: 0, CDM: 0 },
    'I048/230': { COM: 1, STAT: 0, SI: 0, MSSC: 1, ARC: 1, AIC: 1, B1A: 1, B1B: 5 },
  }));
  for (let i = 0; i < rich.length; i += 20) richBlocks.push(encodeItemsBlock(48, rich.slice(i, i + 20)));
}

/** Best records/s over ROUNDS runs of about RUN_S each. */
function rate(perPass: () => number): number {
  let best = 0;
  perPass(); // warm-up (JIT)
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < RUN_S * 1000) {
      n += perPass();
      t = performance.now();
    }
    best = Math.max(best, n / ((t - t0) / 1000));
  }
  return best;
}

let sink = 0;
const noError = (): void => {
  sink--;
};

function typedPass(bs: readonly Uint8Array[]): () => number {
  return () => {
    let n = 0;
    for (const b of bs)
      decodeBlock(
        b,
        0,
        (r) => {
          n++;
          if (r.cat === 48) sink += r.report.rangeM;
        },
        noError,
      );
    return n;
  };
}

function plotPass(bs: readonly Uint8Array[]): () => number {
  return () => {
    let n = 0;
    for (const b of bs)
      decodeCat048Block(
        b,
        0,
        (r) => {
          n++;
          sink += r.rangeM;
        },
        noError,
      );
    return n;
  };
}

function itemsPass(bs: readonly Uint8Array[]): () => number {
  return () => {
    let n = 0;
    for (const b of bs)
      decodeBlockItems(
        b,
        0,
        (r) => {
          n++;
          sink += r.offset;
        },
        noError,
      );
    return n;
  };
}

const k = (x: number): string => `${(x / 1e3).toFixed(0).padStart(6)} k records/s`;
const bytes = blocks.reduce((a, b) => a + b.length, 0);
const richBytes = richBlocks.reduce((a, b) => a + b.length, 0);
console.log(
  `CAT048, one core: ${reports.length} plots in ${blocks.length} blocks (${(bytes / reports.length).toFixed(1)} bytes/plot as skyfuse writes them; ${(richBytes / reports.length).toFixed(1)} with I048/130, 250, 170, 200, 230 as a Mode S radar writes them)`,
);
for (const [name, bs] of [
  ['skyfuse plots', blocks],
  ['radar plots  ', richBlocks],
] as const) {
  const plot = rate(plotPass(bs));
  const typed = rate(typedPass(bs));
  const items = rate(itemsPass(bs));
  console.log(`  ${name} decode to Cat048Report (decodeCat048Block): ${k(plot)}; ${(plot / items).toFixed(1)}x the object-per-item baseline`);
  console.log(`  ${name} decode via decodeBlock (DecodedReport):    ${k(typed)}; ${(typed / items).toFixed(1)}x`);
  console.log(`  ${name} decode, object per item (decodeBlockItems): ${k(items)} (baseline)`);
}
const enc = rate(() => {
  encodeCat048Blocks(reports, 1472);
  return reports.length;
});
console.log(`  encode Cat048Report -> blocks (encodeCat048Blocks):        ${k(enc)}`);
if (sink === 42) console.log('');
