import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { formatDecodeSummary, runDecode, type DecodeOptions } from './decode.ts';

const vec = (name: string) => new URL(`../../test/vectors/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'skyfuse-decode-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Every golden vector end to end, then the first 20 bytes of the CAT048 block
// (its LEN says 48): 7 records (CAT048 1, CAT034 1, CAT062 2, CAT065 1,
// CAT021 2) and one truncated block at byte 16+48+195+91 = 350.
const ALL = join(dir, 'all.ast');
const cat048 = readFileSync(vec('asterix/cat048.raw'));
writeFileSync(
  ALL,
  Buffer.concat([cat048, readFileSync(vec('asterix/cat034.raw')), readFileSync(vec('asterix/cat062cat065.raw')), readFileSync(vec('asterix/cat21_re.ast')), cat048.subarray(0, 20)]),
);

async function decode(file: string, options: DecodeOptions = {}, date?: string) {
  const out: string[] = [];
  const summary = await runDecode(file, date, (l) => out.push(l), undefined, options);
  return { out, summary };
}

type Line = { cat?: number; offset: number; items?: Record<string, Record<string, unknown>>; error?: string };

describe('skyfuse decode, contract output', () => {
  it('is one JSON object a line, items named and valued as in the specification', async () => {
    const { out } = await decode(vec('ingest/cat048.raw'));
    assert.equal(out.length, 1);
    assert.ok(!out[0]!.includes('\n'));
    const r = JSON.parse(out[0]!) as Line;
    assert.equal(r.cat, 48);
    assert.equal(r.offset, 3);
    assert.deepEqual(r.items!['I048/010'], { SAC: 25, SIC: 201 });
    assert.deepEqual(r.items!['I048/040'], { RHO: 197.68359375, THETA: 340.13671875 });
  });
});

describe('--pretty', () => {
  it('indents, and parses to the same object as the plain line', async () => {
    const plain = await decode(vec('asterix/cat062cat065.raw'));
    const pretty = await decode(vec('asterix/cat062cat065.raw'), { pretty: true });
    assert.equal(pretty.out.length, 3);
    for (let i = 0; i < 3; i++) {
      assert.match(pretty.out[i]!, /^\{\n {2}"cat": 6[25],\n {2}"offset": \d+,\n {2}"items": \{\n {4}"I06[25]\/010": \{\n {6}"SAC": 25,/);
      assert.deepEqual(JSON.parse(pretty.out[i]!), JSON.parse(plain.out[i]!));
    }
  });

  it('--units puts the spec unit beside each value, and the clock time beside a time of day', async () => {
    const plain = await decode(vec('asterix/cat048.raw'));
    const { out } = await decode(vec('asterix/cat048.raw'), { pretty: true, units: true });
    const text = out[0]!;
    // I048/140 = 27354.6015625 s after midnight = 07:35:54.602.
    assert.match(text, /\n {4}"I048\/140": 27354\.6015625, {2}\/\/ s \(07:35:54\.602 UTC\)\n/);
    assert.match(text, /\n {6}"RHO": 197\.68359375, {2}\/\/ NM\n {6}"THETA": 340\.13671875 {2}\/\/ °\n/);
    assert.match(text, /\n {6}"FL": 330 {2}\/\/ FL\n/);
    // Without its comments it is the plain record.
    assert.deepEqual(JSON.parse(text.replace(/ {2}\/\/ [^\n]*/g, '')), JSON.parse(plain.out[0]!));
  });

  it('--units reads units inside the Reserved Expansion Field too', async () => {
    const { out } = await decode(vec('asterix/cat21_re.ast'), { pretty: true, units: true });
    assert.match(out[0]!, /"I021\/RE": \{\n {6}"SGV": \{[^}]*"HGT": 137\.8125 {2}\/\/ °\n/);
    assert.match(out[0]!, /"I021\/132": -53, {2}\/\/ dBm\n/);
  });
});

describe('filters', () => {
  const cats = (out: string[]) => out.map((l) => (JSON.parse(l) as Line).cat ?? (JSON.parse(l) as Line).error);

  it('--cat keeps the listed categories; error lines always pass', async () => {
    const { out } = await decode(ALL, { cats: [48, 34] });
    assert.deepEqual(cats(out), [48, 34, 'SKY_ASTERIX_TRUNCATED']);
    const only21 = await decode(ALL, { cats: [21] });
    assert.deepEqual(cats(only21.out), [21, 21, 'SKY_ASTERIX_TRUNCATED']);
    assert.equal((JSON.parse(only21.out[2]!) as Line).offset, 350);
  });

  it('--sac / --sic keep records of that source, alone or together', async () => {
    assert.deepEqual(cats((await decode(ALL, { sac: 25, sic: 100 })).out), [62, 62, 65, 'SKY_ASTERIX_TRUNCATED']);
    assert.deepEqual(cats((await decode(ALL, { sac: 25 })).out), [48, 34, 62, 62, 65, 'SKY_ASTERIX_TRUNCATED']);
    assert.deepEqual(cats((await decode(ALL, { sic: 201 })).out), [48, 'SKY_ASTERIX_TRUNCATED']);
    assert.deepEqual(cats((await decode(ALL, { sac: 0, sic: 1, cats: [21, 48] })).out), [21, 21, 'SKY_ASTERIX_TRUNCATED']);
    assert.deepEqual(cats((await decode(ALL, { sac: 7 })).out), ['SKY_ASTERIX_TRUNCATED']);
  });
});

describe('--summary', () => {
  it('counts records and errors per category and per code, shown or not', async () => {
    const { summary } = await decode(ALL, { cats: [48] });
    assert.deepEqual(summary.total, { records: 7, shown: 1, errors: 1 });
    assert.deepEqual(Object.fromEntries(summary.byCat), {
      '-1': { records: 0, shown: 0, errors: 1 },
      21: { records: 2, shown: 0, errors: 0 },
      34: { records: 1, shown: 0, errors: 0 },
      48: { records: 1, shown: 1, errors: 0 },
      62: { records: 2, shown: 0, errors: 0 },
      65: { records: 1, shown: 0, errors: 0 },
    });
    assert.equal(
      formatDecodeSummary(summary),
      [
        'decode summary: 7 records (1 shown), 1 error',
        '  framing (no category): 1 error',
        '  CAT021: 2 records (0 shown)',
        '  CAT034: 1 record (0 shown)',
        '  CAT048: 1 record (1 shown)',
        '  CAT062: 2 records (0 shown)',
        '  CAT065: 1 record (0 shown)',
        '  SKY_ASTERIX_TRUNCATED: 1 (first at byte 350)',
        '',
      ].join('\n'),
    );
  });

  it('puts an error inside a block under that block\'s category', async () => {
    // The first FSPEC octet of the CAT048 record set to FF FF FF FF: FX runs past the last item.
    const bad = Buffer.from(cat048);
    bad.fill(0xff, 3, 7);
    const file = join(dir, 'bad-fspec.ast');
    writeFileSync(file, bad);
    const { out, summary } = await decode(file);
    assert.equal((JSON.parse(out[0]!) as Line).error, 'SKY_ASTERIX_FSPEC');
    assert.deepEqual(summary.byCat.get(48), { records: 0, shown: 0, errors: 1 });
    assert.deepEqual(summary.byCode.get('SKY_ASTERIX_FSPEC'), { count: 1, firstOffset: 3 });
  });
});

describe('the command line', () => {
  const run = promisify(execFile);
  const bin = new URL('../../bin/skyfuse', import.meta.url).pathname;

  it('--summary goes to stderr, so stdout stays JSON lines', async () => {
    const r = await run(process.execPath, [bin, 'decode', '--input', ALL, '--cat', '62,65', '--sac', '25', '--sic', '100', '--summary']);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as Line).cat ?? (JSON.parse(l) as Line).error), [62, 62, 65, 'SKY_ASTERIX_TRUNCATED']);
    assert.match(r.stderr, /^decode summary: 7 records \(3 shown\), 1 error\n/);
    assert.match(r.stderr, /\n {2}SKY_ASTERIX_TRUNCATED: 1 \(first at byte 350\)\n$/);
  });

  it('refuses malformed filters and --units without --pretty', async () => {
    const fail = async (...args: string[]) => {
      try {
        await run(process.execPath, [bin, 'decode', '--input', ALL, ...args]);
        return '';
      } catch (e) {
        assert.equal((e as { code: number }).code !== 0, true);
        return (e as { stderr: string }).stderr;
      }
    };
    assert.match(await fail('--cat', '48,x'), /--cat must be categories 0\.\.255/);
    assert.match(await fail('--sac', '256'), /--sac must be an integer 0\.\.255/);
    assert.match(await fail('--units'), /SKY_USAGE: --units needs --pretty/);
  });
});
