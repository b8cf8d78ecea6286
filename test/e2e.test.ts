// End to end through the command line, as a user runs it:
// sim -> track -> eval on the `small` scenario, and the coded errors a user
// meets with a bad coalition file or a corrupt plot file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { writePcap, writePcapng } from '../src/ingest/index.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'skyfuse');

async function sky(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-e2e-'));

test('sim -> track -> eval on the small scenario gives a picture within justified bounds', async () => {
  const sim = await sky(['sim', '--scenario', 'small', '--out', dir]);
  assert.equal(sim.code, 0, sim.stderr);
  const date = /for track --date\): (\d{4}-\d{2}-\d{2})/.exec(sim.stderr)?.[1];
  assert.equal(date, '2025-06-01');
  const coalition = JSON.parse(readFileSync(join(dir, 'coalition.json'), 'utf8'));
  assert.equal(coalition.partners.length, 3);
  assert.equal(coalition.sensors.length, 5);
  const truthLines = readFileSync(join(dir, 'truth.jsonl'), 'utf8').trim().split('\n');
  // 50 aircraft, one line per second for 300 s (aircraft leaving are replaced, so at least that).
  assert.ok(truthLines.length >= 50 * 300, `${truthLines.length} truth lines`);

  const tr = await sky(['track', '--coalition', join(dir, 'coalition.json'), '--input', join(dir, 'plots.ast'), '--date', date!, '--out', join(dir, 'tracks.jsonl'), '--out-cat062', join(dir, 'tracks.062'), '--sdps', '99/1']);
  assert.equal(tr.code, 0, tr.stderr);
  assert.doesNotMatch(tr.stderr, /warning/, 'a clean recording decodes without errors');
  const first = JSON.parse(readFileSync(join(dir, 'tracks.jsonl'), 'utf8').split('\n')[0]!);
  for (const k of ['t', 'id', 'status', 'lat', 'lon', 'altM', 'vE', 'vN', 'sigmaM', 'icao24', 'mode3a', 'callsign', 'sensors']) assert.ok(k in first, `tracks.jsonl has ${k}`);

  // The CAT062 file holds one record per track line, and decodes with our own decoder.
  const lineCount = readFileSync(join(dir, 'tracks.jsonl'), 'utf8').trim().split('\n').length;
  const dec = await sky(['decode', '--input', join(dir, 'tracks.062')]);
  const recs62 = dec.stdout.split('\n').filter((l) => l.startsWith('{"cat":62'));
  assert.equal(recs62.length, lineCount);
  assert.deepEqual(JSON.parse(recs62[0]!).items['I062/010'], { SAC: 99, SIC: 1 });
  assert.doesNotMatch(dec.stdout, /"error"/);

  const ev = await sky(['eval', '--truth', join(dir, 'truth.jsonl'), '--tracks', join(dir, 'tracks.jsonl'), '--json']);
  assert.equal(ev.code, 0, ev.stderr);
  const r = JSON.parse(ev.stdout);
  console.log(`small: GOSPA ${r.gospa.meanM.toFixed(1)} m (loc ${r.gospa.localisationM.toFixed(1)}, missed ${r.gospa.missedM.toFixed(1)}, false ${r.gospa.falseM.toFixed(1)}), RMS h ${r.rmsHorizontalM.toFixed(1)} m v ${r.rmsVerticalM?.toFixed(1)} m, coverage ${(100 * r.coverage).toFixed(1)} %, false ${(100 * r.falseTrackRate).toFixed(2)} %, swaps ${r.idSwaps}, identity ${(100 * (r.identityCorrect ?? 0)).toFixed(1)} %`);
  // Bounds a person can justify:
  // - Horizontal RMS: per-plot cross-range noise is range x sigma_azimuth, 90-350 m at
  //   100-250 km for 0.05-0.08 deg; with several radars and filtering it must come
  //   well under the single-plot noise: 250 m.
  assert.ok(r.rmsHorizontalM < 250, `horizontal RMS ${r.rmsHorizontalM}`);
  // - Vertical: Mode C reports in 100 ft (30.5 m) steps, uniform error 8.8 m RMS; 40 m allows for climbs.
  assert.ok(r.rmsVerticalM !== null && r.rmsVerticalM < 40, `vertical RMS ${r.rmsVerticalM}`);
  // - Coverage: the aircraft start inside the region the five radars cover; the
  //   ones missed are those in track initiation (3 plots over >= 3 s, the
  //   first ~10 s of each) and those that fly out of coverage: at least 90 %.
  assert.ok(r.coverage > 0.9, `coverage ${r.coverage}`);
  // - False tracks (confirmed tracks on no aircraft) under 1 % of track points.
  assert.ok(r.falseTrackRate < 0.01, `false-track rate ${r.falseTrackRate}`);
  // - ID swaps: 50 aircraft for 5 minutes; at most 3.
  assert.ok(r.idSwaps <= 3, `ID swaps ${r.idSwaps}`);
  // - GOSPA: its missed part is c/sqrt(2) = 1414 m per missed aircraft, its
  //   localisation part about the RMS times sqrt(#tracks) (112 m x 7 = 800 m);
  //   with ~0.4 aircraft missed on average the mean must stay under 1800 m.
  assert.ok(r.gospa.meanM < 1800, `GOSPA ${r.gospa.meanM}`);
  assert.ok(r.gospa.localisationM < 1200, `GOSPA localisation ${r.gospa.localisationM}`);
  // - Identity: a track that states a Mode S address or Mode 3/A states the right one.
  assert.ok(r.identityCorrect > 0.98, `identity ${r.identityCorrect}`);

  // The human table prints the same figures.
  const table = await sky(['eval', '--truth', join(dir, 'truth.jsonl'), '--tracks', join(dir, 'tracks.jsonl')]);
  assert.match(table.stdout, /GOSPA/);
  assert.match(table.stdout, /RMS/);
});

test('the same plots captured as pcap and pcapng, split across two inputs, give the same tracks', async () => {
  const bytes = new Uint8Array(readFileSync(join(dir, 'plots.ast')));
  const datagrams: { timeS: number; payload: Uint8Array }[] = [];
  for (let off = 0; off < bytes.length; ) {
    const len = (bytes[off + 1]! << 8) | bytes[off + 2]!;
    datagrams.push({ timeS: 1748772000 + datagrams.length * 0.01, payload: bytes.subarray(off, off + len) });
    off += len;
  }
  // Sensors 10/x (Egypt) in one capture, the rest in another: track merges them in time order.
  const isEgy = (d: { payload: Uint8Array }) => findSac(d.payload) === 10;
  writeFileSync(join(dir, 'egy.pcap'), writePcap(datagrams.filter(isEgy)));
  writeFileSync(join(dir, 'rest.pcapng'), writePcapng(datagrams.filter((d) => !isEgy(d))));
  assert.ok(datagrams.filter(isEgy).length > 1000);
  const r = await sky(['track', '--coalition', join(dir, 'coalition.json'), '--input', join(dir, 'egy.pcap'), '--input', join(dir, 'rest.pcapng'), '--date', '2025-06-01', '--out', join(dir, 'tracks-pcap.jsonl')]);
  assert.equal(r.code, 0, r.stderr);
  const a = readFileSync(join(dir, 'tracks.jsonl'), 'utf8').trim().split('\n');
  const b = readFileSync(join(dir, 'tracks-pcap.jsonl'), 'utf8').trim().split('\n');
  // The tracker puts batches in time order whatever file they came from, so
  // the merged captures must give exactly the tracks of the recording.
  assert.equal(b.length, a.length);
  assert.deepEqual(b, a);
});

/** SAC of a data block's first record (CAT048 and CAT034 both start with I0xx/010). */
function findSac(block: Uint8Array): number {
  let i = 3;
  while (block[i]! & 1) i++;
  return block[i + 1]!;
}

test('a bad coalition file is refused with a code and its JSON path', async () => {
  const bad = JSON.parse(readFileSync(join(dir, 'coalition.json'), 'utf8'));
  bad.sensors[3].sac = 300;
  const f = join(dir, 'bad-coalition.json');
  writeFileSync(f, JSON.stringify(bad));
  const r = await sky(['track', '--coalition', f, '--input', join(dir, 'plots.ast'), '--date', '2025-06-01', '--out', join(dir, 'x.jsonl')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^skyfuse: SKY_COALITION_INVALID: sensors\[3\]\.sac must be 0\.\.255/m);
});

test('a corrupt plot file gives coded errors with byte offsets and the rest is still tracked', async () => {
  const good = readFileSync(join(dir, 'plots.ast'));
  const bytes = Buffer.from(good);
  // Break the LEN of a block in the middle: find the block boundary nearest the middle.
  let off = 0;
  while (off < bytes.length / 2) off += bytes.readUInt16BE(off + 1);
  bytes.writeUInt16BE(2, off + 1);
  // And cut the file short in the middle of its last block.
  const cut = bytes.subarray(0, bytes.length - 5);
  const f = join(dir, 'corrupt.ast');
  writeFileSync(f, cut);
  const r = await sky(['track', '--coalition', join(dir, 'coalition.json'), '--input', f, '--date', '2025-06-01', '--out', join(dir, 'corrupt.jsonl')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`SKY_ASTERIX_BAD_LENGTH.*${off}`));
  assert.match(r.stderr, /SKY_ASTERIX_TRUNCATED/);
  const lines = readFileSync(join(dir, 'corrupt.jsonl'), 'utf8').trim().split('\n');
  const full = readFileSync(join(dir, 'tracks.jsonl'), 'utf8').trim().split('\n');
  assert.ok(lines.length > 0.9 * full.length, `${lines.length} of ${full.length} lines survive`);

  const d = await sky(['decode', '--input', f]);
  assert.equal(d.code, 0, d.stderr);
  const errs = d.stdout.split('\n').filter((l) => l.includes('"error"')).map((l) => JSON.parse(l));
  assert.ok(errs.some((e) => e.error === 'SKY_ASTERIX_BAD_LENGTH' && e.offset === off), JSON.stringify(errs.slice(0, 3)));
  const recs = d.stdout.split('\n').filter((l) => l.startsWith('{"cat":48')).length;
  assert.ok(recs > 1000, `${recs} CAT048 records decoded`);
});

test('every command answers --help', async () => {
  for (const c of [[], ['sim'], ['track'], ['eval'], ['decode'], ['serve'], ['audit']]) {
    const r = await sky([...c, '--help']);
    assert.equal(r.code, 0, `${c.join(' ')} --help`);
    assert.match(r.stdout, /Usage: skyfuse/);
  }
});
