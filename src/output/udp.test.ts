// Cat062Output with real sockets on loopback: frames published on the bus
// arrive as CAT065 status, CAT062 blocks (each one datagram of at most 1472
// bytes) and a CAT065 end of batch, in that order; multicast when the
// kernel allows it on lo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBlockItems, type Items } from '../asterix/index.ts';
import { InProcessBus } from '../core/bus.ts';
import { SkyError } from '../core/errors.ts';
import { UdpReceiver, type DataBlock } from '../ingest/index.ts';
import { Cat062Output } from './index.ts';
import { T0, frameOf, sampleTracks, track } from './test-frames.ts';

async function until(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Got { cat: number; items: Items; datagram: number }

function collect(blocks: DataBlock[]): Got[] {
  const out: Got[] = [];
  blocks.forEach((b, i) => decodeBlockItems(b.bytes, 0, (r) => out.push({ cat: r.cat, items: r.items, datagram: i }), (e) => assert.fail(e.toLine())));
  return out;
}

test('unicast loopback: status, CAT062 blocks of <= 1472 bytes, end of batch per frame; close() sends what is queued', async () => {
  const blocks: DataBlock[] = [];
  const sizes: number[] = [];
  const rx = new UdpReceiver({ port: 0, host: '127.0.0.1' }, (b) => { blocks.push(b); sizes.push(b.bytes.length); }, (e) => assert.fail(e.toLine()));
  const { port } = await rx.start();
  const bus = new InProcessBus((_t, err) => assert.fail(String(err)));
  const errors: SkyError[] = [];
  const out = new Cat062Output(bus, { host: '127.0.0.1', port, sac: 25, sic: 100, periodS: 1, onError: (e) => errors.push(e) });
  const many = Array.from({ length: 80 }, (_, i) => track({ id: `M${i}`, latDeg: 25 + i / 10, icao24: (0xabc000 + i).toString(16), callsign: `TST${i}` }));
  try {
    bus.publish('tracks', frameOf([...sampleTracks, ...many]));
    bus.publish('tracks', frameOf(sampleTracks, T0 + 0.5)); // inside periodS: skipped
    bus.publish('tracks', frameOf(sampleTracks.slice(0, 2), T0 + 1));
    await out.close();
    await until(() => out.stats.datagrams === blocks.length, 'every datagram received');
  } finally {
    await out.close();
    await rx.close();
  }
  assert.deepEqual(errors, []);
  assert.equal(out.stats.frames, 2);
  assert.equal(out.stats.skipped, 1);
  assert.ok(sizes.every((n) => n <= 1472), `datagram sizes ${sizes.join(',')}`);
  const got = collect(blocks);
  // Frame 1: SDPS status, then 84 tracks in several blocks, then end of batch.
  const kinds = got.map((g) => (g.cat === 65 ? `65/${String(g.items['I065/000'])}` : '62'));
  const f1 = 1 + 84 + 1;
  assert.equal(kinds[0], '65/1');
  assert.deepEqual(kinds.slice(1, f1 - 1), Array(84).fill('62'));
  assert.equal(kinds[f1 - 1], '65/2');
  assert.ok(got[f1 - 2]!.datagram > got[1]!.datagram, 'frame 1 took several datagrams');
  // Frame 2 (1 s later, status only every 10 s): 82 end records of the tracks that left, then 2 tracks, end of batch.
  const f2 = got.slice(f1);
  assert.equal(f2.length, 82 + 2 + 1);
  const recs62 = f2.filter((g) => g.cat === 62).map((g) => g.items);
  const tse = recs62.filter((r) => (r['I062/080'] as Record<string, number>)['TSE'] === 1);
  assert.equal(tse.length, 82);
  assert.deepEqual(recs62.slice(-2).map((r) => r['I062/040']), [1, 2], 'T1 and T2 keep their numbers');
  assert.equal(f2.at(-1)!.items['I065/030'], 52331.25);
  assert.equal(f2.at(-1)!.items['I065/020'], 0);
});

test('multicast 239.255.62.1 on loopback reaches a group member', async (t) => {
  const group = '239.255.62.1';
  const blocks: DataBlock[] = [];
  const rx = new UdpReceiver({ port: 0, multicastGroup: group, multicastInterface: '127.0.0.1' }, (b) => blocks.push(b), (e) => assert.fail(e.toLine()));
  let port: number;
  try {
    ({ port } = await rx.start());
  } catch (e) {
    if (e instanceof SkyError && e.code === 'SKY_UDP_BIND') {
      t.skip(`kernel refused multicast on lo: ${e.message}`);
      return;
    }
    throw e;
  }
  const bus = new InProcessBus();
  const out = new Cat062Output(bus, { host: group, port, multicastTtl: 1, multicastInterface: '127.0.0.1', sac: 1, sic: 2 });
  try {
    bus.publish('tracks', frameOf(sampleTracks));
    await out.close();
    await until(() => blocks.length === 3, 'status, one CAT062 block, end of batch');
  } finally {
    await out.close();
    await rx.close();
  }
  const got = collect(blocks);
  assert.deepEqual(got.map((g) => g.cat), [65, 62, 62, 62, 62, 65]);
  assert.deepEqual(got[1]!.items['I062/010'], { SAC: 1, SIC: 2 });
});

test('after close() frames on the bus are ignored', async () => {
  const bus = new InProcessBus();
  const out = new Cat062Output(bus, { host: '127.0.0.1', port: 9, sac: 1, sic: 2 });
  await out.close();
  bus.publish('tracks', frameOf(sampleTracks));
  assert.equal(out.stats.frames, 0);
});
