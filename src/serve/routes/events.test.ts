// GET /api/events over real HTTP, fed through the real bus. Alpha's radar
// AAA-R1 is released to no one; Bravo releases BBB-R1 to Alpha. So Alpha
// sees both radars, Bravo only its own: a north marker of AAA-R1 reaches
// Alpha's events and never Bravo's (the WebSocket's rule), an emergency
// squawked in Alpha's picture is raised and cleared for Alpha only, and a
// change of Alpha's release rules is told to Alpha only.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseCoalition } from '../../coalition/coalition.ts';
import { InProcessBus } from '../../core/bus.ts';
import type { SkyEvent } from '../../core/types.ts';
import { T0, track } from '../../output/test-frames.ts';
import { Membership } from '../membership.ts';
import { type ServerHandle, startServer } from '../server.ts';
import { UserDirectory } from '../users.ts';
import { EVENTS_RING } from './events.ts';

const PASSWORD = 'correct horse battery staple';
const coalition = parseCoalition({
  partners: [
    { id: 'AAA', name: 'Alpha', status: 'member', releases: [] },
    { id: 'BBB', name: 'Bravo', status: 'member', releases: [{ to: ['AAA'], content: 'full' }] },
  ],
  sensors: [
    { id: 'AAA-R1', partner: 'AAA', kind: 'mode-s', sac: 10, sic: 1, lat: 31, lon: 33.0, altM: 100, rotationS: 4, maxRangeM: 150000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
    { id: 'BBB-R1', partner: 'BBB', kind: 'mode-s', sac: 20, sic: 1, lat: 31, lon: 35.0, altM: 100, rotationS: 5, maxRangeM: 150000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
  ],
});

interface Ev { kind: string; t: number; sensorId?: string; partner?: string; releasesChanged?: boolean; alert?: { kind: string; code: string | null; trackId: string | null } }

describe('GET /api/events: each partner its own picture\'s events', () => {
  const bus = new InProcessBus();
  const membership = new Membership(coalition);
  const users = new UserDirectory();
  let server: ServerHandle;
  const tokens = new Map<string, string>();

  before(async () => {
    await users.add({ username: 'a-op', partnerId: 'AAA', role: 'operator' }, PASSWORD);
    await users.add({ username: 'b-op', partnerId: 'BBB', role: 'operator' }, PASSWORD);
    await users.add({ username: 'a-admin', partnerId: 'AAA', role: 'partner-admin' }, PASSWORD);
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users });
    for (const u of ['a-op', 'b-op', 'a-admin']) {
      const r = await fetch(new URL('/api/login', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: PASSWORD }) });
      assert.equal(r.status, 200);
      tokens.set(u, ((await r.json()) as { token: string }).token);
    }
  });
  after(async () => {
    await server.close();
    await bus.close();
  });

  const get = async (user: string, query = ''): Promise<{ status: number; body: { events?: Ev[]; error?: string; message?: string } }> => {
    const r = await fetch(new URL(`/api/events${query}`, server.url), { headers: { authorization: `Bearer ${tokens.get(user)}` } });
    return { status: r.status, body: (await r.json()) as { events?: Ev[]; error?: string } };
  };
  /** The bus delivers synchronously in process; a tick lets any queued work settle. */
  const publish = async (events: SkyEvent[]) => {
    bus.publish('events', events);
    await new Promise((r) => setImmediate(r));
  };

  test('a north marker of a radar released to no one reaches its owner only; one released to both reaches both', async () => {
    assert.ok(membership.audienceOf('AAA')!.grants.has('BBB-R1'));
    assert.ok(!membership.audienceOf('BBB')!.grants.has('AAA-R1'));
    await publish([
      { kind: 'north-marker', sensorId: 'AAA-R1', timeS: T0 },
      { kind: 'north-marker', sensorId: 'BBB-R1', timeS: T0 + 1 },
      { kind: 'sector', sensorId: 'AAA-R1', timeS: T0 + 1.5, azimuthRad: 1 },
      { kind: 'unknown-sensor', sac: 99, sic: 9, timeS: T0 + 2 },
    ]);
    const a = await get('a-op');
    const b = await get('b-op');
    assert.equal(a.status, 200);
    assert.deepEqual(a.body.events, [
      { kind: 'north-marker', sensorId: 'AAA-R1', t: T0 },
      { kind: 'north-marker', sensorId: 'BBB-R1', t: T0 + 1 },
      { kind: 'unknown-sensor', sac: 99, sic: 9, t: T0 + 2 },
    ]);
    assert.deepEqual(b.body.events, [
      { kind: 'north-marker', sensorId: 'BBB-R1', t: T0 + 1 },
      { kind: 'unknown-sensor', sac: 99, sic: 9, t: T0 + 2 },
    ]);
    assert.ok(!JSON.stringify(b.body).includes('AAA-R1'));
  });

  test('since and limit: newest last, only after since, at most limit', async () => {
    assert.deepEqual((await get('a-op', `?since=${T0}`)).body.events?.map((e) => e.t), [T0 + 1, T0 + 2]);
    assert.deepEqual((await get('a-op', '?limit=1')).body.events?.map((e) => e.t), [T0 + 2]);
    assert.deepEqual((await get('b-op', `?since=${T0 + 1}&limit=5`)).body.events?.map((e) => e.kind), ['unknown-sensor']);
  });

  test('an emergency in Alpha\'s picture is raised and cleared in Alpha\'s events, never Bravo\'s', async () => {
    const key = membership.audienceOf('AAA')!.key;
    assert.notEqual(key, membership.audienceOf('BBB')!.key);
    bus.publish('tracks', { kind: 'frame', audience: key, timeS: T0 + 10, tracks: [track({ id: 'T7', mode3a: '7700', sensors: ['AAA-R1'], timeS: T0 + 10 })] });
    bus.publish('tracks', { kind: 'frame', audience: key, timeS: T0 + 12, tracks: [track({ id: 'T7', mode3a: '1234', sensors: ['AAA-R1'], timeS: T0 + 12 })] });
    await new Promise((r) => setImmediate(r));
    const a = (await get('a-op', `?since=${T0 + 5}`)).body.events!;
    assert.deepEqual(a.map((e) => [e.kind, e.t, e.alert?.kind, e.alert?.code, e.alert?.trackId]), [
      ['alert-raised', T0 + 10, 'emergency', '7700', 'T7'],
      ['alert-cleared', T0 + 12, 'emergency', '7700', 'T7'],
    ]);
    assert.deepEqual((await get('b-op', `?since=${T0 + 5}`)).body.events, []);
  });

  test('a change of Alpha\'s release rules is told to Alpha only', async () => {
    const r = await fetch(new URL('/api/partners/AAA/releases', server.url), {
      method: 'PUT', headers: { authorization: `Bearer ${tokens.get('a-admin')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ releases: [{ to: ['BBB'], sensors: ['AAA-R1'], content: 'position' }] }),
    });
    assert.equal(r.status, 200);
    const a = (await get('a-op', `?since=${T0 + 20}`)).body.events!;
    assert.deepEqual(a.map((e) => [e.kind, e.partner, e.releasesChanged]), [['membership', 'AAA', true]]);
    assert.deepEqual((await get('b-op', `?since=${T0 + 20}`)).body.events?.filter((e) => e.kind === 'membership'), []);
    // Now Bravo is granted AAA-R1: its next north marker reaches Bravo too, the earlier one stays Alpha's alone.
    await publish([{ kind: 'north-marker', sensorId: 'AAA-R1', timeS: T0 + 30 }]);
    assert.deepEqual((await get('b-op')).body.events?.filter((e) => e.sensorId === 'AAA-R1').map((e) => e.t), [T0 + 30]);
  });

  test('bad query: 400 SKY_EVENTS_QUERY naming the parameter', async () => {
    for (const [q, name] of [['?since=yesterday', 'since'], ['?since=', 'since'], ['?since=-5', 'since'], ['?limit=0', 'limit'], ['?limit=abc', 'limit'], [`?limit=${EVENTS_RING + 1}`, 'limit'], ['?limit=2.5', 'limit']] as const) {
      const r = await get('a-op', q);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error, 'SKY_EVENTS_QUERY', q);
      assert.match(r.body.message ?? '', new RegExp(`^${name}=`), q);
    }
  });

  test('the ring keeps the newest ' + EVENTS_RING + ' per partner', async () => {
    const base = T0 + 1000;
    await publish(Array.from({ length: EVENTS_RING + 50 }, (_, i) => ({ kind: 'bad-input' as const, code: 'SKY_ASTERIX_TRUNCATED', message: `n${i}`, timeS: base + i })));
    const ev = (await get('b-op', `?since=${base - 1}`)).body.events!;
    assert.equal(ev.length, EVENTS_RING);
    assert.equal(ev[0]!.t, base + 50);
    assert.equal(ev.at(-1)!.t, base + EVENTS_RING + 49);
  });
});
