// `skyfuse serve --replay` with outputs, as an integrator runs it to feed
// yesterday's traffic to their own CAT062 consumer and TAK server: a
// recording of the `small` coalition, where Jordan releases its radars to
// Egypt only, is replayed with CAT062 to Cyprus and Egypt (real UDP
// sockets) and CoT to Cyprus (a local TCP listener). Each feed carries the
// replayed picture of its partner's audience: Cyprus never gets a track
// only Jordan's radars saw; every CAT062 batch is that audience's recorded
// frame of the same data time (positions within one LSB); the CoT events,
// read by @tak-ps/node-cot, carry the recorded times and only tracks of
// Cyprus's recorded picture. --tiles passes through to the page as live.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeBlockItems, type Items } from '../src/asterix/index.ts';
import { UdpReceiver, type DataBlock } from '../src/ingest/index.ts';
import { distanceM, tcpListener, until } from '../src/output/test-support.ts';
import { Chain, RecordingReader, type RecordedFrame } from '../src/record/index.ts';
import { runLive } from '../src/record/testing.ts';
import { scenarioJson } from '../src/sim/index.ts';

const root = resolve(import.meta.dirname, '..');
const skyfuse = join(root, 'bin', 'skyfuse');
const dir = mkdtempSync(join(tmpdir(), 'skyfuse-replay-outputs-'));
let child: ChildProcess | undefined;
after(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const DEG = 180 / Math.PI;
const LAT_LSB = 180 / 2 ** 25;
const tod = (timeS: number) => ((timeS % 86400) + 86400) % 86400;

interface NodeCot {
  uid(): string;
  to_geojson(): { properties: Record<string, unknown>; geometry: { coordinates: number[] } };
}

test('serve --replay feeds CAT062 and CoT from the replayed frames: each partner its releasable picture, at the recorded times', { timeout: 180_000 }, async () => {
  // The recording: Jordan releases to Egypt only, so Egypt and Cyprus see different pictures.
  const scn = scenarioJson('small') as { coalition: { partners: { id: string; releases?: unknown }[] } };
  scn.coalition.partners.find((p) => p.id === 'JOR')!.releases = [{ to: ['EGY'], content: 'full' }];
  const scnFile = join(dir, 'scenario.json');
  writeFileSync(scnFile, JSON.stringify(scn));
  const file = join(dir, 'rec.db');
  const live = runLive({ scenario: scnFile, durationS: 90, file });
  live.recorder!.close();
  const chain = new Chain(live.config, { onFrame: () => {} });
  const key = { EGY: chain.fusion!.audienceOf('EGY')!.key, CYP: chain.fusion!.audienceOf('CYP')!.key };
  assert.notEqual(key.EGY, key.CYP);
  const reader = new RecordingReader(file);
  const recorded = { EGY: reader.frames(-Infinity, Infinity, key.EGY), CYP: reader.frames(-Infinity, Infinity, key.CYP) };
  reader.close();
  const cyprusSensors = live.config.coalition.sensors.filter((s) => s.partnerId !== 'JOR');
  const onlyJordanSees = (latDeg: number, lonDeg: number) =>
    cyprusSensors.every((s) => distanceM(latDeg, lonDeg, s.latRad * DEG, s.lonRad * DEG) > s.maxRangeM + 30_000);

  const blocks: Record<'EGY' | 'CYP', DataBlock[]> = { EGY: [], CYP: [] };
  const rx = {
    EGY: new UdpReceiver({ port: 0, host: '127.0.0.1' }, (b) => blocks.EGY.push(b), (e) => assert.fail(e.toLine())),
    CYP: new UdpReceiver({ port: 0, host: '127.0.0.1' }, (b) => blocks.CYP.push(b), (e) => assert.fail(e.toLine())),
  };
  const ports = { EGY: (await rx.EGY.start()).port, CYP: (await rx.CYP.start()).port };
  const tak = await tcpListener();
  let stderr = '';
  let stdout = '';
  try {
    child = spawn(process.execPath, [skyfuse, 'serve', '--replay', file, '--speed', '15', '--port', '0',
      '--cat062-out', `EGY=127.0.0.1:${ports.EGY}`, '--cat062-out', `CYP=127.0.0.1:${ports.CYP}`, '--cat062-period-s', '2', '--sdps', '7/9',
      '--cot-out', `CYP=127.0.0.1:${tak.port}`, '--tiles', 'https://tiles.example.org/{z}/{x}/{y}.png'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => (stdout += d));
    await until(() => /operations room: (\S+)/.test(stdout), `the server starts (stderr: ${stderr})`, 60_000);
    const page = await (await fetch(new URL('/', /operations room: (\S+)/.exec(stdout)![1]!))).text();
    assert.match(page, /data-tiles="https:\/\/tiles\.example\.org\/\{z\}\/\{x\}\/\{y\}\.png"/, '--tiles reaches the page');
    // 90 s of recording at 15x: ~6 s.
    await until(() => stderr.includes('replay: end of recording'), `the replay ends (stderr: ${stderr})`, 90_000);
    await new Promise((r) => setTimeout(r, 500));
    const exited = new Promise<number | null>((res) => child!.once('exit', (code) => res(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    await rx.EGY.close();
    await rx.CYP.close();
    await tak.close();
  }
  assert.match(stderr, new RegExp(`outputs: cat062 to CYP at 127\\.0\\.0\\.1:${ports.CYP}: \\d+ frames, \\d+ datagrams, \\d+ bytes, 0 failed, 0 dropped`));

  // CAT062: every batch is the partner's recorded frame of that data time.
  const recs = (bs: DataBlock[]) => {
    const out: { cat: number; items: Items }[] = [];
    for (const b of bs) decodeBlockItems(b.bytes, 0, (r) => out.push({ cat: r.cat, items: r.items }), (e) => assert.fail(e.toLine()));
    return out;
  };
  const pos = (items: Items) => items['I062/105'] as { LAT: number; LON: number };
  const isEnd = (items: Items) => (items['I062/080'] as { TSE?: number }).TSE === 1;
  const checkBatches = (p: 'EGY' | 'CYP') => {
    const tracks = recs(blocks[p]).filter((r) => r.cat === 62 && !isEnd(r.items));
    assert.ok(tracks.every((r) => (r.items['I062/010'] as { SAC: number; SIC: number }).SAC === 7));
    const byTod = new Map<number, RecordedFrame>(recorded[p].map((f) => [Math.round(tod(f.timeS)), f]));
    const batches = new Map<number, { LAT: number; LON: number }[]>();
    for (const r of tracks) {
      const k = Math.round(Number(r.items['I062/070']));
      batches.set(k, [...(batches.get(k) ?? []), pos(r.items)]);
    }
    assert.ok(batches.size >= 30, `${p}: ${batches.size} CAT062 batches`);
    for (const [k, ps] of batches) {
      const f = byTod.get(k);
      assert.ok(f, `${p}: a batch at time of day ${k} s is no recorded frame of its picture (not the recorded data time?)`);
      assert.equal(ps.length, f.tracks.length, `${p}: batch at ${k}: records vs recorded tracks`);
      for (const q of ps) {
        assert.ok(f.tracks.some((t) => Math.abs(t.lat - q.LAT) <= LAT_LSB && Math.abs(t.lon - q.LON) <= LAT_LSB), `${p}: record at ${q.LAT},${q.LON} (t ${k}) is no recorded track`);
      }
    }
    // Updates every 2 s of recorded data time.
    const times = [...batches.keys()].sort((a, b) => a - b);
    assert.ok(times.slice(1).every((v, i) => v - times[i]! === 2), `${p}: update times ${times.join(',')}`);
    return tracks.filter((r) => onlyJordanSees(pos(r.items).LAT, pos(r.items).LON)).length;
  };
  assert.equal(checkBatches('CYP'), 0, "a CAT062 record to Cyprus lies where only Jordan's radars see");
  const egyJordanOnly = checkBatches('EGY');
  assert.ok(egyJordanOnly >= 5, `${egyJordanOnly} records to Egypt where only Jordan's radars see (the check can fail)`);

  // CoT to Cyprus, read by node-cot: tracks of Cyprus's recorded picture only, at their recorded times.
  const NodeCotClass = ((await import(['@tak-ps', 'node-cot'].join('/'))) as { default: new (xml: string) => NodeCot }).default;
  const events = tak.text().match(/<event[\s\S]*?<\/event>/g) ?? [];
  assert.ok(events.length >= 50, `${events.length} CoT events`);
  const byTime = new Map(recorded.CYP.map((f) => [new Date(Math.round(f.timeS * 1000)).toISOString(), f]));
  for (const xml of events) {
    const c = new NodeCotClass(xml);
    const g = c.to_geojson();
    const f = byTime.get(String(g.properties['time']));
    assert.ok(f, `CoT event time ${String(g.properties['time'])} is no recorded frame time of Cyprus's picture`);
    const t = f.tracks.find((x) => `skyfuse.CYP.${x.id}` === c.uid());
    assert.ok(t, `${c.uid()} is no track of Cyprus's recorded frame at ${String(g.properties['time'])}`);
    const [lon, lat] = g.geometry.coordinates;
    assert.ok(Math.abs(lat! - t.lat) < 1e-6 && Math.abs(lon! - t.lon) < 1e-6, `${c.uid()} at ${lat},${lon}, recorded at ${t.lat},${t.lon}`);
    assert.ok(!onlyJordanSees(lat!, lon!), `CoT to Cyprus at ${lat},${lon} where only Jordan's radars see`);
  }
});
