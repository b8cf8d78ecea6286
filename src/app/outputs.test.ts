// serve's outputs, wired to a bus and a membership: flags parse to targets
// or fail with their codes; each feed sends only its partner's audience;
// suspension and withdrawal stop a partner's feeds at once and membership
// restarts them; a TAK server that is down is retried with backoff and
// logged once. Real UDP and TCP sockets on loopback; frames built by hand
// so every count is known (test/outputs.test.ts runs the real pipeline).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBlockItems, type Items } from '../asterix/index.ts';
import { InProcessBus } from '../core/bus.ts';
import { SkyError } from '../core/errors.ts';
import type { SystemTrack, TrackFrame } from '../core/types.ts';
import { UdpReceiver, type DataBlock } from '../ingest/index.ts';
import { Membership } from '../serve/membership.ts';
import { loadScenario } from '../sim/index.ts';
import { track, T0 } from '../output/test-frames.ts';
import { parseCotStream, tcpListener, until } from '../output/test-support.ts';
import { outputsFromFlags, parseCat062Out, parseCotOut, parseSdps, startOutputs } from './outputs.ts';

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof SkyError) return e.code;
    throw e;
  }
  return 'no error';
};

test('output flags: PARTNER=HOST:PORT (IPv4, name, [IPv6]), ,tls, SAC/SIC; malformed ones fail with their codes', () => {
  assert.deepEqual(parseCat062Out('CYP=239.255.62.1:8600'), { partner: 'CYP', host: '239.255.62.1', port: 8600 });
  assert.deepEqual(parseCat062Out('EGY=[::1]:8600'), { partner: 'EGY', host: '::1', port: 8600 });
  assert.deepEqual(parseCotOut('JOR=tak.example.org:8089,tls'), { partner: 'JOR', host: 'tak.example.org', port: 8089, tls: true });
  assert.deepEqual(parseCotOut('JOR=10.0.0.5:8087'), { partner: 'JOR', host: '10.0.0.5', port: 8087, tls: false });
  assert.deepEqual(parseSdps('25/100'), { sac: 25, sic: 100 });
  for (const bad of ['CYP', 'CYP=host', '=h:1', 'CYP=h:0', 'CYP=h:65536', 'CYP=[nothex]:1', 'CYP=::1:8600', 'C Y=h:1']) {
    assert.equal(code(() => parseCat062Out(bad)), 'SKY_OUTPUT_SPEC', bad);
  }
  assert.equal(code(() => parseCotOut('CYP=h:8087,ssl')), 'SKY_OUTPUT_SPEC');
  assert.equal(code(() => parseSdps('25/256')), 'SKY_USAGE');
  assert.equal(outputsFromFlags({ cat062Out: [], cotOut: [] }), undefined);
  assert.equal(code(() => outputsFromFlags({ cat062Out: ['CYP=h:1'], cat062Ttl: 0 })), 'SKY_USAGE');
  const cfg = outputsFromFlags({ cat062Out: ['CYP=h:1'], cat062PeriodS: 2, sdps: '1/2', cotOut: ['EGY=h:2,tls'], cotCert: 'c.pem', cotKey: 'k.pem' })!;
  assert.deepEqual(cfg.sdps, { sac: 1, sic: 2 });
  assert.equal(cfg.cat062PeriodS, 2);
  assert.deepEqual(cfg.cotTls, { certFile: 'c.pem', keyFile: 'k.pem' });
});

const coalition = loadScenario('small').coalition; // EGY, JOR, CYP; every sensor released to every member

test('startOutputs refuses an unknown partner, a ,tls feed without a client certificate, and unreadable PEM files', () => {
  const bus = new InProcessBus();
  const m = new Membership(coalition);
  const log = () => {};
  assert.equal(code(() => startOutputs(bus, m, { cat062: [{ partner: 'XXX', host: '127.0.0.1', port: 9 }] }, log)), 'SKY_OUTPUT_SPEC');
  const tlsFeed = { cot: [{ partner: 'EGY', host: '127.0.0.1', port: 9, tls: true }] };
  assert.equal(code(() => startOutputs(bus, m, tlsFeed, log)), 'SKY_OUTPUT_TLS');
  assert.equal(code(() => startOutputs(bus, m, { ...tlsFeed, cotTls: { certFile: '/nonexistent/c.pem', keyFile: '/nonexistent/k.pem' } }, log)), 'SKY_OUTPUT_TLS');
});

function decode(blocks: readonly DataBlock[]): Items[] {
  const out: Items[] = [];
  for (const b of blocks) decodeBlockItems(b.bytes, 0, (r) => out.push({ ...r.items, cat: r.cat }), (e) => assert.fail(e.toLine()));
  return out;
}

const frameFor = (audience: string, timeS: number, tracks: readonly SystemTrack[]): TrackFrame => ({ kind: 'frame', timeS, audience, tracks: tracks.map((t) => ({ ...t, timeS })) });

test('each feed sends its partner\'s audience only; suspension stops it at once, membership restarts it, a new audience renumbers', async () => {
  const bus = new InProcessBus((_t, e) => assert.fail(String(e)));
  const m = new Membership(coalition);
  const blocks: DataBlock[] = [];
  const rx = new UdpReceiver({ port: 0, host: '127.0.0.1' }, (b) => blocks.push(b), (e) => assert.fail(e.toLine()));
  const { port } = await rx.start();
  const tak = await tcpListener();
  const lines: string[] = [];
  const outputs = startOutputs(bus, m, {
    cat062: [{ partner: 'CYP', host: '127.0.0.1', port }],
    cot: [{ partner: 'CYP', host: '127.0.0.1', port: tak.port, tls: false }],
    cat062PeriodS: 2, sdps: { sac: 25, sic: 100 },
  }, (l) => lines.push(l));
  try {
    await until(() => outputs.stats()[1]!.connects === 1, 'the CoT feed connects');
    const all = m.audienceOf('CYP')!.key;
    assert.equal(m.audienceOf('EGY')!.key, all, 'with every sensor released to all, the three partners share one picture');
    const a = track({ id: 'T1', icao24: '4840d6' });
    const b = track({ id: 'T2', latDeg: 31 });
    const secret = track({ id: 'T9', latDeg: 33.3 });
    // t0: sent; t0+1: inside the 2 s period; another audience's frame: never sent.
    bus.publish('tracks', frameFor(all, T0, [a, b]));
    bus.publish('tracks', frameFor(all, T0 + 1, [a, b]));
    bus.publish('tracks', frameFor('some-other-audience', T0 + 2, [secret]));
    bus.publish('tracks', frameFor(all, T0 + 2, [a]));
    // Jordan is suspended: its radars reach no one else, so Cyprus sees a new picture (new key).
    m.setPartnerStatus('JOR', 'suspended');
    const mine = m.audienceOf('CYP')!.key;
    assert.notEqual(mine, all);
    bus.publish('tracks', frameFor(all, T0 + 4, [secret])); // the old audience: not Cyprus's any more
    bus.publish('tracks', frameFor(mine, T0 + 4, [b]));
    // Datagrams: status, block, end of batch | block (T2's end, T1), end of batch | block (T1's end), end of batch, status, block, end of batch.
    await until(() => blocks.length === 10, 'the datagrams of three batches and the renumbering');
    await until(() => (tak.text().match(/<\/event>/g) ?? []).length === 8, 'CoT events');
    // Cyprus is suspended: its feeds stop at once; nothing of later frames reaches it.
    m.setPartnerStatus('CYP', 'suspended');
    assert.equal(outputs.stats().every((s) => !s.running), true);
    bus.publish('tracks', frameFor(m.audienceOf('CYP')!.key, T0 + 6, [secret]));
    await until(() => tak.connections[0]!.ended, 'the TAK connection is cut');
    // A member again: the feeds start over (a new CAT062 numbering, a new TAK connection).
    m.setPartnerStatus('CYP', 'member');
    await until(() => tak.connections.length === 2 && outputs.stats()[1]!.connects === 2, 'the CoT feed reconnects');
    bus.publish('tracks', frameFor(m.audienceOf('CYP')!.key, T0 + 8, [a]));
    await until(() => blocks.length === 13, 'status, one track, end of batch');
    await until(() => (tak.connections[1]!.data.match(/<\/event>/g) ?? []).length === 1, 'the CoT event after the restart');
  } finally {
    await outputs.close();
    await rx.close();
    await tak.close();
  }
  const recs = decode(blocks);
  const tod = (t: number) => ((t % 86400) + 86400) % 86400;
  const kind = (r: Items): string => {
    if (r['cat'] === 65) return r['I065/000'] === 1 ? `status STTN=${(r['I065/040'] as { STTN: number }).STTN}` : 'end of batch';
    const end = (r['I062/080'] as { TSE?: number }).TSE === 1 ? ' end' : '';
    return `#${String(r['I062/040'])}${end} @${(Number(r['I062/070']) - tod(T0)).toFixed(0)}`;
  };
  // An end record carries the track's last state, so its time is that state's.
  assert.deepEqual(recs.map(kind), [
    'status STTN=0', '#1 @0', '#2 @0', 'end of batch',
    '#2 end @0', '#1 @2', 'end of batch',
    // Cyprus's picture changed: the old picture's tracks end, numbering restarts and the status says so.
    '#1 end @2', 'end of batch', 'status STTN=1', '#1 @4', 'end of batch',
    // After suspension and return: a new feed, numbering from 1 again.
    'status STTN=0', '#1 @8', 'end of batch',
  ]);
  assert.deepEqual(recs.filter((r) => r['cat'] === 62).map((r) => r['I062/010']), Array(7).fill({ SAC: 25, SIC: 100 }));
  // No record ever carries another audience's track (T9 at 33.3 N).
  assert.ok(recs.every((r) => (r['I062/105'] as { LAT: number } | undefined)?.LAT !== 33.3));

  const iso = (t: number) => new Date(Math.round(t * 1000)).toISOString();
  const events = parseCotStream(tak.connections[0]!.data);
  if (events !== null) {
    assert.deepEqual(events.map((e) => `${e.event['type']} ${e.event['uid']} ${e.event['time']}`), [
      `a-n-A-C-F skyfuse.CYP.T1 ${iso(T0)}`, `a-u-A skyfuse.CYP.T2 ${iso(T0)}`,
      `a-n-A-C-F skyfuse.CYP.T1 ${iso(T0 + 1)}`, `a-u-A skyfuse.CYP.T2 ${iso(T0 + 1)}`,
      `a-n-A-C-F skyfuse.CYP.T1 ${iso(T0 + 2)}`,
      // The picture changed: the old picture's uids are force-deleted before the new picture's tracks.
      `t-x-d-d skyfuse.CYP.T1 ${iso(T0 + 4)}`, `t-x-d-d skyfuse.CYP.T2 ${iso(T0 + 4)}`,
      `a-u-A skyfuse.CYP.T2 ${iso(T0 + 4)}`,
    ]);
    assert.deepEqual(events[5]!.link, { uid: 'skyfuse.CYP.T1', type: 'none', relation: 'none' });
    assert.equal(events[5]!.forceDelete, true);
    assert.equal(Number(events[7]!.point['lat']), 31);
  }
  const s = outputs.stats();
  assert.deepEqual([s[0]!.frames, s[0]!.messages, s[0]!.failed, s[0]!.dropped, s[0]!.bytes], [4, 13, 0, 0, blocks.reduce((n, b) => n + b.bytes.length, 0)]);
  assert.deepEqual([s[1]!.frames, s[1]!.messages, s[1]!.connects, s[1]!.bytes], [5, 9, 2, Buffer.byteLength(tak.text())]);
  assert.ok(lines.some((l) => /cat062 to CYP .* stopped: CYP is suspended/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /cot to CYP .* started: CYP is a member/.test(l)), lines.join('\n'));
});

test('a TAK server that is down: the CoT feed retries with doubling waits, logs once, and streams when it comes up', async () => {
  // A port nobody listens on (yet).
  const probe = await tcpListener();
  const port = probe.port;
  await probe.close();
  const bus = new InProcessBus();
  const m = new Membership(coalition);
  const lines: string[] = [];
  const outputs = startOutputs(bus, m, { cot: [{ partner: 'EGY', host: '127.0.0.1', port, tls: false }], cotReconnectS: 0.05, cotMaxReconnectS: 0.2, cotStableS: 0.1 }, (l) => lines.push(l));
  let tak: Awaited<ReturnType<typeof tcpListener>> | undefined;
  try {
    await new Promise((r) => setTimeout(r, 800));
    // Attempts at 0, 0.05, 0.15, 0.35, 0.55, 0.75 s: doubling waits capped at 0.2 s (a fixed 0.05 s would make 16).
    const failed = outputs.stats()[0]!.failed;
    assert.ok(failed >= 4 && failed <= 7, `${failed} failed attempts in 0.8 s`);
    bus.publish('tracks', frameFor(m.audienceOf('EGY')!.key, T0, [track({ id: 'T1' })])); // not connected: dropped
    tak = await tcpListener(port);
    await until(() => outputs.stats()[0]!.connects === 1, 'the feed connects once the server is up');
    bus.publish('tracks', frameFor(m.audienceOf('EGY')!.key, T0 + 1, [track({ id: 'T1' })]));
    await until(() => tak!.text().includes('</event>'), 'an event');
    await until(() => lines.some((l) => l.includes('stayed up')), 'the connection counts as made');
  } finally {
    await outputs.close();
    await tak?.close();
  }
  const s = outputs.stats()[0]!;
  assert.equal(s.dropped, 1);
  assert.equal(s.frames, 1);
  assert.match(tak.text(), /uid="skyfuse\.EGY\.T1"/);
  const errors = lines.filter((l) => l.includes('SKY_OUTPUT_COT'));
  assert.equal(errors.length, 1, lines.join('\n'));
  assert.match(errors[0]!, /ECONNREFUSED/);
  assert.ok(lines.some((l) => new RegExp(`connected \\(and stayed up\\) after ${s.failed} failed attempts`).test(l)), lines.join('\n'));
});

test('--cat062-out to a multicast group reaches a member of the group on loopback', async (t) => {
  const group = '239.255.62.3';
  const blocks: DataBlock[] = [];
  const rx = new UdpReceiver({ port: 0, multicastGroup: group, multicastInterface: '127.0.0.1' }, (b) => blocks.push(b), (e) => assert.fail(e.toLine()));
  let port: number;
  try {
    ({ port } = await rx.start());
  } catch (e) {
    if (e instanceof SkyError && e.code === 'SKY_UDP_BIND') return t.skip(`kernel refused multicast on lo: ${e.message}`);
    throw e;
  }
  const bus = new InProcessBus();
  const m = new Membership(coalition);
  const outputs = startOutputs(bus, m, { cat062: [parseCat062Out(`JOR=${group}:${port}`)], multicastInterface: '127.0.0.1', sdps: { sac: 3, sic: 4 } }, () => {});
  try {
    bus.publish('tracks', frameFor(m.audienceOf('JOR')!.key, T0, [track({ id: 'T1' }), track({ id: 'T2' })]));
    await until(() => blocks.length === 3, 'status, one CAT062 block, end of batch');
  } finally {
    await outputs.close();
    await rx.close();
  }
  const recs = decode(blocks);
  assert.deepEqual(recs.map((r) => r['cat']), [65, 62, 62, 65]);
  assert.deepEqual(recs[1]!['I062/010'], { SAC: 3, SIC: 4 });
});
