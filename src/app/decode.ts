// `skyfuse decode`: every record of a plot file as one JSON line, items named
// as in the ASTERIX specification, values in its units; errors as
// {"error": CODE, "offset": N} lines, and decoding goes on.

import { categoryDef, decodeBlockItems } from '../asterix/index.ts';
import type { Content, ExpansionDef, Part, Variation } from '../asterix/spec.ts';
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

/** Optional extras of `skyfuse decode`; none changes the contract's default output. */
export interface DecodeOptions {
  /** Indented JSON (still valid JSON, one object after another). */
  readonly pretty?: boolean;
  /** With pretty: each value's unit from the specification as a `// unit` comment (JSON with comments: for reading). */
  readonly units?: boolean;
  /** Only records of these categories (error lines always pass). */
  readonly cats?: readonly number[];
  /** Only records whose data source identifier (item xxx/010) has this SAC / SIC. */
  readonly sac?: number;
  readonly sic?: number;
}

export interface DecodeCounts {
  records: number;
  /** Records that passed the filters and were printed. */
  shown: number;
  errors: number;
}

export interface DecodeSummary {
  readonly total: DecodeCounts;
  /** By category; errors the framing found before a category was known are under -1. */
  readonly byCat: Map<number, DecodeCounts>;
  readonly byCode: Map<string, { count: number; firstOffset: number | null }>;
}

function sacSic(items: Record<string, unknown>): { sac: number; sic: number } | null {
  const k = sourceKey(items);
  return k < 0 ? null : { sac: k >> 8, sic: k & 255 };
}

/** `pause` is awaited after each block, so the caller can apply backpressure. */
export async function runDecode(
  file: string,
  date: string | undefined,
  print: (line: string) => void,
  pause: () => Promise<void> | undefined = () => undefined,
  options: DecodeOptions = {},
): Promise<DecodeSummary> {
  let unwrap: TimeOfDayUnwrapper | null = null;
  if (date !== undefined) {
    try {
      unwrap = new TimeOfDayUnwrapper(dayStartS(date));
    } catch (e) {
      throw new SkyError('SKY_USAGE', `--date: ${(e as Error).message}`);
    }
  }
  const cats = options.cats ? new Set(options.cats) : null;
  const summary: DecodeSummary = { total: { records: 0, shown: 0, errors: 0 }, byCat: new Map(), byCode: new Map() };
  const countsOf = (cat: number): DecodeCounts => {
    let c = summary.byCat.get(cat);
    if (!c) summary.byCat.set(cat, (c = { records: 0, shown: 0, errors: 0 }));
    return c;
  };
  const format = options.pretty
    ? options.units
      ? (line: Record<string, unknown>) => prettyWithUnits(line)
      : (line: Record<string, unknown>) => JSON.stringify(line, null, 2)
    : (line: Record<string, unknown>) => JSON.stringify(line);
  let blockCat = -1;
  const onError = (e: SkyError) => {
    summary.total.errors++;
    countsOf(blockCat).errors++;
    const c = summary.byCode.get(e.code);
    if (c) c.count++;
    else summary.byCode.set(e.code, { count: 1, firstOffset: e.offset ?? null });
    print(format({ error: e.code, offset: e.offset ?? null, message: e.message }));
  };
  for (const block of readPlotFile(file, onError)) {
    blockCat = block.bytes.length > 0 ? block.bytes[0]! : -1;
    decodeBlockItems(block.bytes, Math.max(0, block.offset), (r) => {
      summary.total.records++;
      const counts = countsOf(r.cat);
      counts.records++;
      if (cats && !cats.has(r.cat)) return;
      if (options.sac !== undefined || options.sic !== undefined) {
        const id = sacSic(r.items);
        if (!id || (options.sac !== undefined && id.sac !== options.sac) || (options.sic !== undefined && id.sic !== options.sic)) return;
      }
      summary.total.shown++;
      counts.shown++;
      const line: Record<string, unknown> = { cat: r.cat, offset: r.offset };
      if (unwrap) {
        const tod = timeOfDay(r.cat, r.items);
        if (tod !== null) line.t = unwrap.toEpochS(r.cat * 65536 + sourceKey(r.items), tod);
      }
      line.items = r.items;
      print(format(line));
    }, onError);
    blockCat = -1;
    await pause();
  }
  return summary;
}

/** The `--summary` text (for stderr): records and errors per category and per code. */
export function formatDecodeSummary(s: DecodeSummary): string {
  const t = s.total;
  const filtered = t.shown !== t.records;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const out = [`decode summary: ${plural(t.records, 'record')}${filtered ? ` (${t.shown} shown)` : ''}, ${plural(t.errors, 'error')}`];
  for (const [cat, c] of [...s.byCat].sort((a, b) => a[0] - b[0])) {
    const name = cat < 0 ? 'framing (no category)' : `CAT${String(cat).padStart(3, '0')}`;
    const parts = [];
    if (c.records || cat >= 0) parts.push(`${plural(c.records, 'record')}${filtered ? ` (${c.shown} shown)` : ''}`);
    if (c.errors) parts.push(plural(c.errors, 'error'));
    out.push(`  ${name}: ${parts.join(', ')}`);
  }
  for (const [code, c] of [...s.byCode].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]))) {
    out.push(`  ${code}: ${c.count}${c.firstOffset !== null ? ` (first at byte ${c.firstOffset})` : ''}`);
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- --pretty --units

/** Where units sit in an item's decoded value: a unit string at a leaf, names into groups, '[]' into repetitions. */
type UnitShape = string | { readonly [k: string]: UnitShape } | null;

function contentUnit(c: Content): string | null {
  if (c.k === 'q') return c.unit;
  if (c.k === 'dep') {
    // Only when every case agrees; otherwise the unit depends on a sibling and is left unsaid.
    const units = new Set([c.def, ...c.cases.map((x) => x[1])].map(contentUnit));
    return units.size === 1 ? [...units][0]! : null;
  }
  return null;
}

function partsShape(parts: readonly Part[], out: Record<string, UnitShape>): void {
  for (const p of parts) if (typeof p !== 'number') out[p[0]] = unitShape(p[1], null);
}

function unitShape(v: Variation, ref: ExpansionDef | null): UnitShape {
  switch (v.t) {
    case 'el':
      return contentUnit(v.c);
    case 'grp': {
      const o: Record<string, UnitShape> = {};
      partsShape(v.parts, o);
      return o;
    }
    case 'ext': {
      const o: Record<string, UnitShape> = {};
      for (const seg of v.segs) partsShape(seg, o);
      return o;
    }
    case 'rep':
      return { '[]': unitShape(v.v, null) };
    case 'cmp':
    case 'exp': {
      const subs = v.t === 'cmp' ? v.subs : v.kind === 're' && ref ? ref.subs : [];
      const o: Record<string, UnitShape> = {};
      for (const s of subs) if (s) o[s[0]] = unitShape(s[1], null);
      return o;
    }
  }
}

const shapes = new Map<string, UnitShape>();
function itemShape(cat: number, key: string): UnitShape {
  let s = shapes.get(key);
  if (s === undefined) {
    const def = categoryDef(cat);
    const name = key.slice(key.indexOf('/') + 1);
    const v = def?.items[name] ?? def?.items[key];
    s = v ? unitShape(v, def?.ref ?? null) : null;
    shapes.set(key, s);
  }
  return s;
}

function clock(s: number): string {
  const ms = Math.round(s * 1000);
  const d = new Date(((ms % 86_400_000) + 86_400_000) % 86_400_000);
  return d.toISOString().slice(11, 23);
}

const MARK = '\u0000';

function child(shape: UnitShape, k: string): UnitShape {
  return shape !== null && typeof shape === 'object' ? (shape[k] ?? null) : null;
}

/** JSON of v, indented, with MARK + comment at the end of a leaf that has a unit. */
function render(v: unknown, shape: UnitShape, ind: string, timeOfDayS: boolean): string {
  if (typeof v === 'number' && typeof shape === 'string') {
    return `${JSON.stringify(v)}${MARK}${shape}${timeOfDayS && shape === 's' ? ` (${clock(v)} UTC)` : ''}`;
  }
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  const inner = ind + '  ';
  const entries = Array.isArray(v)
    ? v.map((x) => inner + render(x, child(shape, '[]'), inner, false))
    : Object.entries(v as Record<string, unknown>).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${render(x, child(shape, k), inner, false)}`);
  if (entries.length === 0) return Array.isArray(v) ? '[]' : '{}';
  // The comma goes before a comment, never after it.
  const body = entries.map((e, i) => {
    if (i === entries.length - 1) return e;
    const m = e.lastIndexOf(MARK);
    return m >= 0 && !e.includes('\n', m) ? `${e.slice(0, m)},${e.slice(m)}` : `${e},`;
  });
  return `${Array.isArray(v) ? '[' : '{'}\n${body.join('\n')}\n${ind}${Array.isArray(v) ? ']' : '}'}`;
}

function prettyWithUnits(line: Record<string, unknown>): string {
  const items = line.items as Record<string, unknown> | undefined;
  const cat = typeof line.cat === 'number' ? line.cat : -1;
  if (!items) return JSON.stringify(line, null, 2);
  const tod = new Set(TIME_ITEMS[cat] ?? []);
  const head = Object.entries(line)
    .filter(([k]) => k !== 'items')
    .map(([k, x]) => `  ${JSON.stringify(k)}: ${k === 't' ? `${JSON.stringify(x)}${MARK}s since 1970 (${new Date((x as number) * 1000).toISOString()})` : JSON.stringify(x)}`);
  const itemLines = Object.entries(items).map(([k, x]) => `    ${JSON.stringify(k)}: ${render(x, itemShape(cat, k), '    ', tod.has(k))}`);
  const withCommas = (list: string[]) =>
    list.map((e, i) => {
      if (i === list.length - 1) return e;
      const m = e.lastIndexOf(MARK);
      return m >= 0 && !e.includes('\n', m) ? `${e.slice(0, m)},${e.slice(m)}` : `${e},`;
    });
  const text = `{\n${withCommas([...head, `  "items": {\n${withCommas(itemLines).join('\n')}\n  }`]).join('\n')}\n}`;
  return text.replaceAll(MARK, '  // ');
}
