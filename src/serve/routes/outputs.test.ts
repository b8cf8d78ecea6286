// GET /api/outputs over real HTTP, fed by real outputs (src/app/outputs.ts):
// a CAT062 feed to Cyprus sending UDP datagrams to a loopback receiver, and
// a CoT feed to Egypt whose TAK server is down (its failures count). Each
// partner administrator sees its own partner's feeds only, the coalition
// administrator sees both, an operator is refused; the counters are the
// ones the receiving socket can confirm.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOutputs, type Outputs } from '../../app/outputs.ts';
import { InProcessBus } from '../../core/bus.ts';
import type { Coalition } from '../../core/types.ts';
import { UdpReceiver, type DataBlock } from '../../ingest/index.ts';
import { T0, track } from '../../output/test-frames.ts';
import { tcpListener, until } from '../../output/test-support.ts';
import { Membership } from '../membership.ts';
import { type OutputFeedStats, type ServerHandle, startServer } from '../server.ts';
import { type Role, UserDirectory } from '../users.ts';

const PASSWORD = 'correct horse battery staple';
const coalition: Coalition = {
  partners: [
    { id: 'EGY', name: 'Egypt', status: 'member', releases: null },
    { id: 'CYP', name: 'Cyprus', status: 'member', releases: null },
    { id: 'JOR', name: 'Jordan', status: 'member', releases: null },
  ],
  sensors: [],
};

describe('GET /api/outputs: feeds to partners and their counters', () => {
  const bus = new InProcessBus();
  const membership = new Membership(coalition);
  const users = new UserDirectory();
  const blocks: DataBlock[] = [];
  const rx = new UdpReceiver({ port: 0, host: '127.0.0.1' }, (b) => blocks.push(b), (e) => assert.fail(e.toLine()));
  let outputs: Outputs;
  let server: ServerHandle;
  let takPort = 0;
  let rxPort = 0;

  before(async () => {
    const { port } = await rx.start();
    rxPort = port;
    // A TAK server port nobody listens on: every connection attempt fails.
    const probe = await tcpListener();
    takPort = probe.port;
    await probe.close();
    outputs = startOutputs(bus, membership, {
      cat062: [{ partner: 'CYP', host: '127.0.0.1', port }],
      cot: [{ partner: 'EGY', host: '127.0.0.1', port: takPort, tls: false }],
      cat062PeriodS: 2, cotReconnectS: 0.05, cotMaxReconnectS: 0.1,
    }, () => {});
    const accounts: [string, string, Role][] = [
      ['cyp-admin', 'CYP', 'partner-admin'], ['egy-admin', 'EGY', 'partner-admin'], ['jor-admin', 'JOR', 'partner-admin'],
      ['cyp-op', 'CYP', 'operator'], ['chief', 'JOR', 'coalition-admin'],
    ];
    await Promise.all(accounts.map(([username, partnerId, role]) => users.add({ username, partnerId, role }, PASSWORD)));
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users, outputsOf: () => outputs.stats() });
  });
  after(async () => {
    await server.close();
    await outputs.close();
    await rx.close();
    await bus.close();
  });

  const login = async (username: string): Promise<string> => {
    const r = await fetch(new URL('/api/login', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
    assert.equal(r.status, 200);
    return ((await r.json()) as { token: string }).token;
  };
  const get = async (username: string): Promise<{ status: number; body: { outputs?: OutputFeedStats[]; error?: string } }> => {
    const r = await fetch(new URL('/api/outputs', server.url), { headers: { authorization: `Bearer ${await login(username)}` } });
    return { status: r.status, body: (await r.json()) as { outputs?: OutputFeedStats[]; error?: string } };
  };

  test('counters the receivers can confirm, each administrator seeing its own partner\'s feeds only', async () => {
    // One picture for all (every partner releases everything): two frames 2 s apart are two CAT062 updates.
    const key = membership.audienceOf('CYP')!.key;
    for (const t of [T0, T0 + 2]) bus.publish('tracks', { kind: 'frame', audience: key, timeS: t, tracks: [track({ id: 'T1', timeS: t }), track({ id: 'T2', latDeg: 31, timeS: t })] });
    await until(() => outputs.stats()[0]!.frames === 2 && outputs.stats()[1]!.failed >= 2, 'two CAT062 updates sent, two failed CoT attempts');
    await until(() => blocks.length === outputs.stats()[0]!.messages, 'every datagram received');

    const cyp = await get('cyp-admin');
    assert.equal(cyp.status, 200);
    assert.equal(cyp.body.outputs!.length, 1);
    const c = cyp.body.outputs![0]!;
    assert.deepEqual([c.kind, c.partner, c.target, c.running, c.frames, c.failed, c.connects], ['cat062', 'CYP', `127.0.0.1:${rxPort}`, true, 2, 0, 0]);
    // Datagrams and bytes, as the receiving socket counted them.
    assert.equal(c.messages, blocks.length);
    assert.equal(c.bytes, blocks.reduce((n, b) => n + b.bytes.length, 0));
    assert.ok(c.messages >= 4, `${c.messages} datagrams: each update is at least a CAT062 block and a CAT065 end of batch`);

    const egy = await get('egy-admin');
    assert.equal(egy.body.outputs!.length, 1);
    const e = egy.body.outputs![0]!;
    assert.deepEqual([e.kind, e.partner, e.target, e.frames, e.connects], ['cot', 'EGY', `127.0.0.1:${takPort}`, 0, 0]);
    assert.ok(e.failed >= 2, `${e.failed} failed connection attempts`);
    // Frames offered while not connected are dropped, not queued.
    assert.equal(e.dropped, 2);

    assert.deepEqual((await get('jor-admin')).body, { outputs: [] }, 'Jordan has no feed and sees no one else\'s');
    const all = (await get('chief')).body.outputs!;
    assert.deepEqual(all.map((o) => `${o.kind} ${o.partner}`), ['cat062 CYP', 'cot EGY']);
  });

  test('an operator is refused (403 SKY_FORBIDDEN): a feed names its partner\'s receiving host', async () => {
    const r = await get('cyp-op');
    assert.deepEqual([r.status, r.body.error], [403, 'SKY_FORBIDDEN']);
  });

  test('a suspended partner\'s feed shows running: false', async () => {
    membership.setPartnerStatus('CYP', 'suspended');
    try {
      const c = (await get('chief')).body.outputs!.find((o) => o.partner === 'CYP')!;
      assert.equal(c.running, false);
      assert.equal(c.frames, 2, 'counters outlive the run');
    } finally {
      membership.setPartnerStatus('CYP', 'member');
    }
  });
});
