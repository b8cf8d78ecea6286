// `skyfuse decode`: every record of a plot file as one JSON line, items named
// as in the ASTERIX specification, values in its units; errors as
// {"error": CODE, "offset": N} lines, and decoding goes on.

import { decodeBlockItems } from '../asterix/index.ts';
import { SkyError } from '../core/errors.ts';
import { TimeOfDayUnwrapper, dayStartS } from '../core/time.ts';
import { readPlotFile } from '../ingest/index.ts';

/** Time-of-day items per category, first found wins (spec units: seconds). */
const TIME_ITEMS: Record<number, readonly string[]> = {
  21: ['I021/073', 'I021/071', 'I021/075', 'I021/077'],
  34: ['I034/030'],
  48: ['I048/140'],
  62: ['I062/070'],
  65: ['I065/030'],
};

function timeOfDay(cat: number, items: Record<string, unknown>): number | null {
  for (const k of TIME_ITEMS[cat] ?? []) {
    const v = items[k];
    if (typeof v === 'number') return v;
    if (v && typeof v === 'object') {
      const inner = Object.values(v as Record<string, unknown>).find((x) => typeof x === 'number');
      if (typeof inner === 'number') return inner;
    }
  }
  return null;
}

function sourceKey(items: Record<string, unknown>): number {
  for (const [k, v] of Object.entries(items)) {
    if (k.endsWith('/010') && v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.SAC === 'number' && typeof o.SIC === 'number') return o.SAC * 256 + o.SIC;
    }
  }
  return -1;
}

/** `pause` is awaited after each block, so the caller can apply backpressure. */
export async function runDecode(
  file: string,
  date: string | undefined,
  print: (line: string) => void,
  pause: () => Promise<void> | undefined = () => undefined,
): Promise<void> {
  let unwrap: TimeOfDayUnwrapper | null = null;
  if (date !== undefined) {
    try {
      unwrap = new TimeOfDayUnwrapper(dayStartS(date));
    } catch (e) {
      throw new SkyError('SKY_USAGE', `--date: ${(e as Error).message}`);
    }
  }
  const onError = (e: SkyError) => print(JSON.stringify({ error: e.code, offset: e.offset ?? null, message: e.message }));
  for (const block of readPlotFile(file, onError)) {
    decodeBlockItems(block.bytes, Math.max(0, block.offset), (r) => {
      const line: Record<string, unknown> = { cat: r.cat, offset: r.offset };
      if (unwrap) {
        const tod = timeOfDay(r.cat, r.items);
        if (tod !== null) line.t = unwrap.toEpochS(r.cat * 65536 + sourceKey(r.items), tod);
      }
      line.items = r.items;
      print(JSON.stringify(line));
    }, onError);
    await pause();
  }
}
