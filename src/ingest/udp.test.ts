// Real sockets on the loopback interface: unicast on an ephemeral port,
// multicast on 239.255.x.x when the kernel allows it on lo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SkyError } from '../core/errors.ts';
import { UdpReceiver, UdpSender, type DataBlock } from './index.ts';

const VECTORS = new URL('../../test/vectors/ingest/', import.meta.url);
const cat048 = new Uint8Array(readFileSync(new URL('cat048.raw', VECTORS)));
const cat034 = new Uint8Array(readFileSync(new URL('cat034.raw', VECTORS)));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => Uint8Array.from([...a, ...b]);

async function until(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A clock that advances one second per call, so each datagram's time is known. */
function steppingClock(startS: number): () => number {
  let t = startS;
  return () => t++;
}

test('unicast on 127.0.0.1: datagrams with one or two blocks, one of garbage', async () => {
  const blocks: DataBlock[] = [];
  const errors: SkyError[] = [];
  const rx = new UdpReceiver({ port: 0, host: '127.0.0.1', clock: steppingClock(1714564800) }, (b) => blocks.push(b), (e) => errors.push(e));
  const { address, port } = await rx.start();
  assert.equal(address, '127.0.0.1');
  assert.ok(port > 0);
  const tx = new UdpSender({ host: '127.0.0.1', port });
  const garbage = Uint8Array.of(0x30, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef);
  const sent = [cat048, concat(cat034, cat048), cat034, garbage, concat(cat048, cat034), cat048];
  try {
    for (const d of sent) await tx.send(d); // loopback keeps order
    await until(() => rx.stats.datagrams === sent.length, `${sent.length} datagrams`);
  } finally {
    await tx.close();
    await rx.close();
  }
  assert.deepEqual(rx.stats, { datagrams: 6, blocks: 7, errors: 1 });
  assert.deepEqual(blocks.map((b) => hex(b.bytes)), [cat048, cat034, cat048, cat034, cat048, cat034, cat048].map(hex));
  // One clock reading per datagram: 0, 1, 1, 2, (3 = garbage), 4, 4, 5.
  assert.deepEqual(blocks.map((b) => b.receivedS! - 1714564800), [0, 1, 1, 2, 4, 4, 5]);
  assert.ok(blocks.every((b) => b.offset === -1 && b.source === `udp:127.0.0.1:${port}`));
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, 'SKY_ASTERIX_BAD_LENGTH');
  assert.equal(errors[0]!.offset, 0);
  assert.match(errors[0]!.toLine(),
    new RegExp(`^SKY_ASTERIX_BAD_LENGTH: data block at byte 0 of a datagram from udp:127\\.0\\.0\\.1:${port} declares LEN 1 \\(less than its own 3-byte header\\); no plausible block follows; skipped the last 7 bytes \\(sender 127\\.0\\.0\\.1:\\d+\\)$`));
});

test('bind failures reject start() with SKY_UDP_BIND', async () => {
  const first = new UdpReceiver({ port: 0, host: '127.0.0.1' }, () => {}, () => {});
  const { port } = await first.start();
  try {
    const second = new UdpReceiver({ port, host: '127.0.0.1' }, () => {}, () => {});
    await assert.rejects(second.start(), (e: unknown) =>
      e instanceof SkyError && e.code === 'SKY_UDP_BIND' && e.message.includes(`127.0.0.1:${port}`) && /EADDRINUSE/.test(e.message));
    // 192.0.2.55 (TEST-NET-1) is no address of this host.
    const foreign = new UdpReceiver({ port: 0, host: '192.0.2.55' }, () => {}, () => {});
    await assert.rejects(foreign.start(), (e: unknown) => e instanceof SkyError && e.code === 'SKY_UDP_BIND' && /EADDRNOTAVAIL/.test(e.message));
  } finally {
    await first.close();
  }
});

test('multicast 239.255.77.1 on loopback: two receivers share the port (reuseAddr) and both get every block', async (t) => {
  const group = '239.255.77.1';
  const got: DataBlock[][] = [[], []];
  const make = (i: 0 | 1, port: number): UdpReceiver =>
    new UdpReceiver({ port, multicastGroup: group, multicastInterface: '127.0.0.1', clock: () => 42 }, (b) => got[i]!.push(b), (e) => assert.fail(e.toLine()));
  const a = make(0, 0);
  let port: number;
  try {
    ({ port } = await a.start());
  } catch (e) {
    if (e instanceof SkyError && e.code === 'SKY_UDP_BIND') {
      t.skip(`kernel refused multicast on lo: ${e.message}`);
      return;
    }
    throw e;
  }
  const b = make(1, port);
  const tx = new UdpSender({ host: group, port, multicastTtl: 1, multicastInterface: '127.0.0.1' });
  try {
    await b.start();
    await tx.send(concat(cat034, cat048));
    await tx.send(cat048);
    await until(() => got[0]!.length === 3 && got[1]!.length === 3, 'multicast blocks on both receivers');
  } finally {
    await tx.close();
    await a.close();
    await b.close();
  }
  for (const blocks of got) {
    assert.deepEqual(blocks.map((x) => hex(x.bytes)), [cat034, cat048, cat048].map(hex));
    assert.ok(blocks.every((x) => x.source === `udp:${group}:${port}` && x.receivedS === 42));
  }
});
