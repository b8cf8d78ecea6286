// Releasability on the outputs, end to end on real sockets: the simulated
// `small` coalition runs through the real chain (ASTERIX decode, one fusion
// per audience) onto the bus, and serve's outputs (src/app/outputs.ts) feed
// Egypt and Cyprus each a CAT062 stream over UDP and a CoT stream over TCP.
// Jordan releases its radars to Egypt only, so aircraft that only Jordan's
// radars can see (east of everything Egypt's and Cyprus's radars reach) are
// in Egypt's streams and must never be in Cyprus's. The CAT062 is read by
// our decoder and by tshark, the CoT by a strict XML parser, and every
// record is matched to a track of the picture its partner sees. Midway
// Cyprus withdraws: its feeds stop at once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBlockItems, type Items } from '../src/asterix/index.ts';
import { coalitionToJson, parseCoalition } from '../src/coalition/coalition.ts';
import { InProcessBus } from '../src/core/bus.ts';
import { dayStartS, isoDay } from '../src/core/time.ts';
import type { Sensor, TrackFrame } from '../src/core/types.ts';
import { UdpReceiver, type DataBlock } from '../src/ingest/index.ts';
import { Chain } from '../src/record/index.ts';
import { Membership } from '../src/serve/membership.ts';
import { loadScenario, simulate } from '../src/sim/index.ts';
import { startOutputs } from '../src/app/outputs.ts';
import { distanceM, parseCotStream, tcpListener, until, type ParsedCot } from '../src/output/test-support.ts';
import { tsharkFields, tsharkMissing } from './support/tshark.ts';

const DEG = 180 / Math.PI;
const LAT_LSB = 180 / 2 ** 25;
const DURATION_S = 120;
const WITHDRAW_AT_S = 90;

const scn = loadScenario('small');
const json = coalitionToJson(scn.coalition) as { partners: { id: string; releases?: unknown }[] };
json.partners.find((p) => p.id === 'JOR')!.releases = [{ to: ['EGY'], content: 'full' }];
const coalition = parseCoalition(json, 'test coalition');

/**
 * Farther than 30 km beyond the reach of every radar Cyprus is released
 * (its own and Egypt's): only Jordan's radars can see there. 30 km covers a
 * track coasting on after its aircraft left coverage.
 */
const cyprusSensors: readonly Sensor[] = coalition.sensors.filter((s) => s.partnerId !== 'JOR');
const onlyJordanSees = (latDeg: number, lonDeg: number): boolean =>
  cyprusSensors.every((s) => distanceM(latDeg, lonDeg, s.latRad * DEG, s.lonRad * DEG) > s.maxRangeM + 30_000);

interface Run {
  readonly frames: Map<string, TrackFrame[]>;
  readonly cat062: Record<'EGY' | 'CYP', DataBlock[]>;
  readonly cot: Record<'EGY' | 'CYP', string>;
  readonly cypKey: string;
  /** Egypt's picture until Cyprus withdrew. */
  readonly egyKey: string;
  readonly withdrawS: number;
  readonly startS: number;
  readonly cypCutMs: number;
  readonly stats: ReturnType<ReturnType<typeof startOutputs>['stats']>;
  readonly logs: string[];
}

let runPromise: Promise<Run> | undefined;
/** One run shared by the tests of this file (about 10 s). */
function run(): Promise<Run> {
  runPromise ??= (async () => {
    const bus = new InProcessBus((_t, e) => assert.fail(String(e)));
    const frames = new Map<string, TrackFrame[]>();
    const startS = scn.startS;
    const chain = new Chain(
      { coalition, startOfDayS: dayStartS(isoDay(startS)), periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience' },
      {
        onFrame: (f) => {
          const list = frames.get(f.audience!) ?? [];
          list.push(f);
          frames.set(f.audience!, list);
          bus.publish('tracks', f);
        },
      },
    );
    const membership = new Membership(coalition, chain.fusion);
    const cypKey = membership.audienceOf('CYP')!.key;
    const egyKey = membership.audienceOf('EGY')!.key;
    assert.notEqual(cypKey, membership.audienceOf('EGY')!.key, 'Egypt and Cyprus see different pictures');

    const cat062: Run['cat062'] = { EGY: [], CYP: [] };
    const rx = {
      EGY: new UdpReceiver({ port: 0, host: '127.0.0.1' }, (b) => cat062.EGY.push(b), (e) => assert.fail(e.toLine())),
      CYP: new UdpReceiver({ port: 0, host: '127.0.0.1' }, (b) => cat062.CYP.push(b), (e) => assert.fail(e.toLine())),
    };
    const ports = { EGY: (await rx.EGY.start()).port, CYP: (await rx.CYP.start()).port };
    const tak = { EGY: await tcpListener(), CYP: await tcpListener() };
    const logs: string[] = [];
    const outputs = startOutputs(bus, membership, {
      cat062: [{ partner: 'EGY', host: '127.0.0.1', port: ports.EGY }, { partner: 'CYP', host: '127.0.0.1', port: ports.CYP }],
      cot: [{ partner: 'EGY', host: '127.0.0.1', port: tak.EGY.port, tls: false }, { partner: 'CYP', host: '127.0.0.1', port: tak.CYP.port, tls: false }],
      cat062PeriodS: 4, sdps: { sac: 25, sic: 100 },
    }, (l) => logs.push(l));
    let withdrawS = NaN;
    let cypCutMs = NaN;
    try {
      await until(() => outputs.stats().filter((s) => s.kind === 'cot').every((s) => s.connects === 1), 'both CoT feeds connect');
      let sec = startS;
      const tick = async () => {
        sec += 1;
        chain.tick(sec);
        // Let the sockets send (the feeds queue at most 8 frames).
        await new Promise((r) => setTimeout(r, 3));
        if (sec - startS === WITHDRAW_AT_S) {
          withdrawS = sec;
          const t0 = Date.now();
          membership.setPartnerStatus('CYP', 'withdrawn');
          await until(() => tak.CYP.connections[0]!.ended, "Cyprus's TAK connection is cut", 1000);
          cypCutMs = Date.now() - t0;
        }
      };
      for (const o of simulate(scn, { startS, durationS: DURATION_S })) {
        if (o.kind !== 'block') continue;
        while (o.timeS >= sec + 1) await tick();
        chain.block({ bytes: o.bytes, offset: -1, source: 'sim', receivedS: o.timeS });
      }
      await until(() => outputs.stats().filter((s) => s.kind === 'cat062').every((s) => s.messages === cat062[s.partner as 'EGY' | 'CYP'].length), 'every datagram received');
      await until(() => tak.EGY.text().length === outputs.stats().find((s) => s.kind === 'cot' && s.partner === 'EGY')!.bytes, 'every CoT byte received');
    } finally {
      await outputs.close();
      await rx.EGY.close();
      await rx.CYP.close();
      await tak.EGY.close();
      await tak.CYP.close();
    }
    return { frames, cat062, cot: { EGY: tak.EGY.text(), CYP: tak.CYP.text() }, cypKey, egyKey, withdrawS, startS, cypCutMs, stats: outputs.stats(), logs };
  })();
  return runPromise;
}

interface Rec { readonly cat: number; readonly items: Items; readonly datagram: number }
function records(blocks: readonly DataBlock[]): Rec[] {
  const out: Rec[] = [];
  blocks.forEach((b, i) => decodeBlockItems(b.bytes, 0, (r) => out.push({ cat: r.cat, items: r.items, datagram: i }), (e) => assert.fail(e.toLine())));
  return out;
}
const pos = (r: Rec) => r.items['I062/105'] as { LAT: number; LON: number };
const isEnd = (r: Rec) => (r.items['I062/080'] as { TSE?: number }).TSE === 1;
const tod = (timeS: number) => ((timeS % 86400) + 86400) % 86400;

test("CAT062: Cyprus's stream holds exactly its own picture, never a track only Jordan's radars saw; Egypt's has them", { timeout: 120_000 }, async (t) => {
  const r = await run();
  const cyp = records(r.cat062.CYP).filter((x) => x.cat === 62);
  const egy = records(r.cat062.EGY).filter((x) => x.cat === 62);
  assert.ok(cyp.length > 200, `${cyp.length} CAT062 records to Cyprus`);
  const jordanOnly = (recs: Rec[]) => recs.filter((x) => onlyJordanSees(pos(x).LAT, pos(x).LON)).length;
  assert.equal(jordanOnly(cyp), 0, "a CAT062 record to Cyprus lies where only Jordan's radars see");
  assert.ok(jordanOnly(egy) >= 10, `${jordanOnly(egy)} records to Egypt where only Jordan's radars see (the check can fail)`);

  // Every batch to Cyprus is the Cyprus picture's frame at that time: same count, same positions (within one LSB).
  const byTod = new Map(r.frames.get(r.cypKey)!.map((f) => [Math.round(tod(f.timeS)), f]));
  const batches = new Map<number, Rec[]>();
  for (const x of cyp) {
    if (isEnd(x)) continue;
    const k = Math.round(Number(x.items['I062/070']));
    batches.set(k, [...(batches.get(k) ?? []), x]);
  }
  assert.ok(batches.size >= 20, `${batches.size} batches`);
  for (const [k, recs] of batches) {
    const f = byTod.get(k);
    assert.ok(f, `a batch at time of day ${k} s matches no frame of Cyprus's picture`);
    assert.equal(recs.length, f.tracks.length, `batch at ${k}: records vs tracks`);
    for (const x of recs) {
      const p = pos(x);
      assert.ok(f.tracks.some((tr) => Math.abs(tr.latDeg - p.LAT) <= LAT_LSB && Math.abs(tr.lonDeg - p.LON) <= LAT_LSB), `record at ${p.LAT},${p.LON} (t ${k}) is no track of Cyprus's picture`);
    }
  }
  // Four seconds between updates (--cat062-period-s 4), each batch closed by a CAT065 end of batch, a status every 10 s.
  const times = [...batches.keys()].sort((a, b) => a - b);
  assert.ok(times.slice(1).every((v, i) => v - times[i]! === 4), `update times ${times.join(',')}`);
  const svc = records(r.cat062.CYP).filter((x) => x.cat === 65);
  const cypFeed = r.stats.find((x) => x.kind === 'cat062' && x.partner === 'CYP')!;
  assert.equal(svc.filter((x) => x.items['I065/000'] === 2).length, cypFeed.frames);
  assert.ok(batches.size >= cypFeed.frames - 2, `${batches.size} batches with tracks of ${cypFeed.frames}`);
  const statuses = svc.filter((x) => x.items['I065/000'] === 1).length;
  assert.ok(statuses >= 7 && statuses <= 9, `${statuses} SDPS status messages in ${WITHDRAW_AT_S} s`);
  assert.deepEqual(cyp[0]!.items['I062/010'], { SAC: 25, SIC: 100 });

  // Withdrawn at +90 s: nothing of any later frame reached Cyprus; Egypt's feed went on.
  assert.ok(cyp.every((x) => Number(x.items['I062/070']) <= tod(r.withdrawS) - 1), 'a CAT062 record to Cyprus after its withdrawal');
  assert.ok(egy.some((x) => Number(x.items['I062/070']) > tod(r.withdrawS) + 10), 'Egypt still receives after Cyprus withdrew');
  // Cyprus's radar no longer reaches Egypt either: Egypt's picture restarted, so its CAT062 numbering did (STTN toggled).
  const egyStatus = records(r.cat062.EGY).filter((x) => x.cat === 65 && x.items['I065/000'] === 1).map((x) => (x.items['I065/040'] as { STTN: number }).STTN);
  assert.deepEqual([egyStatus[0], egyStatus.at(-1)], [0, 1]);

  const s = r.stats.find((x) => x.kind === 'cat062' && x.partner === 'EGY')!;
  assert.deepEqual([s.failed, s.dropped], [0, 0]);
  const egyFrames = r.frames.get(r.egyKey)!;
  const egyTracks = Math.round(egyFrames.reduce((n, f) => n + f.tracks.length, 0) / egyFrames.length);
  t.diagnostic(`CAT062 to Egypt: ${s.frames} updates, ${s.messages} datagrams, ${s.bytes} bytes in ${DURATION_S} s of data = ${(s.bytes / DURATION_S).toFixed(0)} B/s at ${egyTracks} tracks on average, ${(s.bytes / s.frames / Math.max(1, egyTracks)).toFixed(1)} B per track per update`);
});

test('tshark reads the CAT062/CAT065 stream to Cyprus as our decoder does', { skip: tsharkMissing, timeout: 120_000 }, async () => {
  const r = await run();
  const datagrams = r.cat062.CYP.map((b) => b.bytes);
  const fields = ['asterix.062_010_SAC', 'asterix.062_010_SIC', 'asterix.062_105_LAT', 'asterix.062_105_LON', 'asterix.062_040_VALUE', 'asterix.065_000_VALUE'];
  const rows = tsharkFields(datagrams, fields);
  const ours = records(r.cat062.CYP);
  let compared = 0;
  rows.forEach((row, i) => {
    const mine = ours.filter((x) => x.datagram === i);
    const m62 = mine.filter((x) => x.cat === 62);
    assert.deepEqual(row['asterix.062_010_SAC']!.map(Number), m62.map(() => 25));
    assert.deepEqual(row['asterix.062_010_SIC']!.map(Number), m62.map(() => 100));
    assert.deepEqual(row['asterix.062_040_VALUE']!.map(Number), m62.map((x) => x.items['I062/040']));
    assert.deepEqual(row['asterix.065_000_VALUE']!.map(Number), mine.filter((x) => x.cat === 65).map((x) => x.items['I065/000']));
    for (const [f, k] of [['asterix.062_105_LAT', 'LAT'], ['asterix.062_105_LON', 'LON']] as const) {
      const theirs = row[f]!.map(Number);
      assert.equal(theirs.length, m62.length, `datagram ${i} ${f}`);
      theirs.forEach((v, j) => assert.ok(Math.abs(v - pos(m62[j]!)[k]) <= 1e-9 * Math.abs(v) + 1e-12, `datagram ${i} ${f}: tshark ${v}, ours ${pos(m62[j]!)[k]}`));
      compared += theirs.length;
    }
  });
  assert.ok(compared > 400, `${compared} positions compared`);
  // tshark finds no track where only Jordan's radars see.
  const lat = rows.flatMap((row) => row['asterix.062_105_LAT']!.map(Number));
  const lon = rows.flatMap((row) => row['asterix.062_105_LON']!.map(Number));
  assert.equal(lat.filter((v, i) => onlyJordanSees(v, lon[i]!)).length, 0);
});

test("CoT: Cyprus's events parse strictly, each is a confirmed track of its picture at that time, none where only Jordan sees", { timeout: 120_000 }, async (t) => {
  const r = await run();
  const cyp = parseCotStream(r.cot.CYP);
  const egy = parseCotStream(r.cot.EGY);
  if (cyp === null || egy === null) return t.skip('python3 is not installed (the independent XML parser of this test)');
  assert.ok(cyp.length > 500, `${cyp.length} CoT events to Cyprus`);
  const frameAt = new Map(r.frames.get(r.cypKey)!.map((f) => [new Date(f.timeS * 1000).toISOString(), f]));
  const iso = (s: number) => new Date(Math.round(s * 1000)).toISOString();
  for (const e of cyp) {
    const ev = e.event;
    const m = /^skyfuse\.CYP\.(T\d+)$/.exec(ev['uid']!);
    assert.ok(m, `uid ${ev['uid']}`);
    assert.equal(ev['version'], '2.0');
    assert.equal(ev['how'], 'm-g');
    assert.equal(ev['start'], ev['time']);
    assert.equal(Date.parse(ev['stale']!) - Date.parse(ev['time']!), 15_000);
    const f = frameAt.get(ev['time']!);
    assert.ok(f, `event at ${ev['time']} matches no frame of Cyprus's picture`);
    const tr = f.tracks.find((x) => x.id === m[1]);
    assert.ok(tr, `${m[1]} is not in Cyprus's picture at ${ev['time']}`);
    assert.notEqual(tr.status, 'tentative');
    assert.equal(ev['type'], tr.icao24 !== null || tr.mode3a !== null ? 'a-n-A-C-F' : 'a-u-A');
    assert.equal(Number(e.point['lat']), Number(tr.latDeg.toFixed(7)));
    assert.equal(Number(e.point['lon']), Number(tr.lonDeg.toFixed(7)));
    assert.equal(e.point['hae'], tr.altM === null ? '9999999' : tr.altM.toFixed(1));
    assert.ok(!onlyJordanSees(Number(e.point['lat']), Number(e.point['lon'])), `CoT event to Cyprus at ${e.point['lat']},${e.point['lon']}`);
    assert.ok(Date.parse(ev['time']!) / 1000 < r.withdrawS, 'a CoT event to Cyprus after its withdrawal');
  }
  // Every confirmed or coasting track of Cyprus's picture, every second until the withdrawal, was sent (no frame lost).
  const expected = r.frames.get(r.cypKey)!.filter((f) => f.timeS < r.withdrawS && Date.parse(iso(f.timeS)) >= Date.parse(cyp[0]!.event['time']!))
    .reduce((n, f) => n + f.tracks.filter((x) => x.status !== 'tentative').length, 0);
  assert.equal(cyp.length, expected);
  assert.ok(r.cypCutMs < 500, `Cyprus's TAK connection was cut ${r.cypCutMs} ms after the withdrawal`);
  const point = (e: ParsedCot) => [Number(e.point['lat']), Number(e.point['lon'])] as const;
  const egyJordanOnly = egy.filter((e) => e.event['type'] !== 't-x-d-d' && onlyJordanSees(...point(e))).length;
  assert.ok(egyJordanOnly >= 20, `${egyJordanOnly} CoT events to Egypt where only Jordan's radars see (the check can fail)`);
  // Egypt's picture was replaced when Cyprus (and its radar) left: the old tracks were force-deleted in its TAK.
  const deletes = egy.filter((e) => e.event['type'] === 't-x-d-d');
  assert.ok(deletes.length >= 20 && deletes.every((e) => e.forceDelete && e.link?.['uid'] === e.event['uid'] && Date.parse(e.event['time']!) / 1000 >= r.withdrawS), `${deletes.length} force-deletes`);
  const s = r.stats.find((x) => x.kind === 'cot' && x.partner === 'EGY')!;
  t.diagnostic(`CoT to Egypt: ${s.frames} frames, ${s.messages} events, ${s.bytes} bytes in ${DURATION_S} s = ${(s.bytes / DURATION_S).toFixed(0)} B/s (${(s.bytes / s.messages).toFixed(0)} B per event)`);
});
