// Release policy edited live, over real HTTP against the real AudienceFusion.
// AAA's radar sees four aircraft, two of them out of BBB's radar's range;
// AAA's administrator withdraws the release of its radar from BBB. From that
// moment BBB's picture is fused from scratch from BBB's radar alone: it
// loses exactly the two aircraft only AAA's radar saw and never again names
// AAA's radar, while CCC (still released to) keeps all four. Sovereignty: a
// coalition administrator, and another partner's administrator, are refused.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { AuditLog, verifyAuditLog } from '../../coalition/audit.ts';
import { parseCoalition } from '../../coalition/coalition.ts';
import { AudienceFusion } from '../../coalition/fusion.ts';
import { InProcessBus } from '../../core/bus.ts';
import { degToRad, geodesicDirect, radarMeasure } from '../../core/geodesy.ts';
import { Random } from '../../core/random.ts';
import type { Coalition, RadarPlot } from '../../core/types.ts';
import { Membership } from '../membership.ts';
import { type ServerHandle, startServer } from '../server.ts';
import { UserDirectory } from '../users.ts';
import type { WireMessage, WireTrack } from '../wire.ts';

const T0 = 1.7e9;
const PASSWORD = 'correct horse battery staple';

const coalition: Coalition = parseCoalition({
  partners: [
    { id: 'AAA', name: 'Alpha', status: 'member', releases: [{ to: ['BBB', 'CCC'], content: 'full' }] },
    { id: 'BBB', name: 'Bravo', status: 'member' },
    { id: 'CCC', name: 'Charlie', status: 'member' },
  ],
  sensors: [
    { id: 'AAA-R1', partner: 'AAA', kind: 'mode-s', sac: 10, sic: 1, lat: 31, lon: 33.0, altM: 100, rotationS: 4, maxRangeM: 150000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
    { id: 'BBB-R1', partner: 'BBB', kind: 'mode-s', sac: 20, sic: 1, lat: 31, lon: 35.0, altM: 100, rotationS: 5, maxRangeM: 150000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
  ],
});

/** Two aircraft between the radars (both see them) and two west of AAA's radar (only it sees them). */
function traffic(durationS: number): { t: number; plots: RadarPlot[] }[] {
  const rng = new Random(11);
  const flights = [
    { lat: 30.9, lon: 34.0, course: 10 }, { lat: 31.2, lon: 33.9, course: 190 },
    { lat: 30.9, lon: 32.6, course: 80 }, { lat: 31.2, lon: 32.5, course: 260 },
  ].map((f, k) => ({ ...f, v: 200, h: (250 + 30 * k) * 30.48, icao: (0xb10000 + k).toString(16), sq: (0o3000 + k).toString(8).padStart(4, '0') }));
  const out: { t: number; plots: RadarPlot[] }[] = [];
  for (const s of coalition.sensors) {
    const site = { latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM };
    for (let t = 0.3; t < durationS; t += s.rotationS!) {
      const plots: RadarPlot[] = [];
      for (const f of flights) {
        const p = geodesicDirect(degToRad(f.lat), degToRad(f.lon), degToRad(f.course), f.v * t);
        const m = radarMeasure(site, { latRad: p[0]!, lonRad: p[1]!, heightM: f.h });
        if (m.slantRangeM > s.maxRangeM) continue;
        plots.push({
          kind: 'radar', sensorId: s.id, partnerId: s.partnerId, timeS: T0 + t,
          rangeM: m.slantRangeM + rng.gauss() * 40, azimuthRad: m.azimuthRad + rng.gauss() * degToRad(0.05),
          flightLevel: Math.round(f.h / 30.48), mode3a: f.sq, icao24: f.icao, callsign: `TST${f.sq}`, detection: 'mode-s',
        });
      }
      out.push({ t, plots });
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

interface Socket {
  ws: WebSocket;
  frames: { t: number; tracks: readonly WireTrack[] }[];
}

function openSocket(url: string, token: string): Promise<Socket> {
  const ws = new WebSocket(url.replace('http', 'ws') + 'api/ws', ['skyfuse.v1', `token.${token}`]);
  const s: Socket = { ws, frames: [] };
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as WireMessage;
    if (m.type === 'frame') s.frames.push({ t: m.t, tracks: m.tracks });
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(s));
    ws.once('unexpected-response', (_q, r) => reject(new Error(`WebSocket refused: HTTP ${r.statusCode}`)));
  });
}

async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sensorsOf = (tracks: readonly WireTrack[]): string[] => [...new Set(tracks.flatMap((t) => t.sen))].sort();

describe('release policy, edited live by the owning partner', () => {
  let bus: InProcessBus;
  let server: ServerHandle;
  let fusion: AudienceFusion;
  let audit: AuditLog;
  let auditFile: string;
  const batches = traffic(120);
  let next = 0;
  const logLines: string[] = [];
  const runTo = (tS: number) => {
    while (next < batches.length && batches[next]!.t < tS) fusion.push(batches[next++]!.plots);
    fusion.tick(T0 + tS);
  };
  const tokens: Record<string, string> = {};
  const call = async (method: string, path: string, user: string, body?: unknown) => {
    const r = await fetch(new URL(path, server.url), {
      method,
      headers: { authorization: `Bearer ${tokens[user]!}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  before(async () => {
    bus = new InProcessBus();
    fusion = new AudienceFusion(coalition, { periodS: 1, reorderWindowS: 1 }, ({ audience, frame }) => bus.publish('tracks', { ...frame, audience: audience.key }));
    const membership = new Membership(coalition, fusion);
    const users = new UserDirectory();
    const accounts = [
      ['a-admin', 'AAA', 'partner-admin'], ['a-op', 'AAA', 'operator'], ['b-admin', 'BBB', 'partner-admin'],
      ['b-op', 'BBB', 'operator'], ['c-op', 'CCC', 'operator'], ['chief', 'CCC', 'coalition-admin'],
    ] as const;
    await Promise.all(accounts.map(([username, partnerId, role]) => users.add({ username, partnerId, role }, PASSWORD)));
    auditFile = join(mkdtempSync(join(tmpdir(), 'skyfuse-policy-')), 'audit.log');
    audit = await AuditLog.open(auditFile);
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users, audit, log: (l) => logLines.push(l) });
    for (const [username] of accounts) {
      const r = await fetch(new URL('/api/login', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
      tokens[username] = ((await r.json()) as { token: string }).token;
    }
  });
  after(async () => {
    await server.close();
    await bus.close();
    await audit.close();
  });

  test('GET /api/releases: own partner only; a coalition administrator sees all', async () => {
    const a = await call('GET', '/api/releases', 'a-op');
    assert.equal(a.status, 200);
    assert.deepEqual(a.body.policies, [{ partner: 'AAA', sensors: ['AAA-R1'], releases: [{ to: ['BBB', 'CCC'], sensors: null, content: 'full', withholdInside: [] }] }]);
    assert.deepEqual((a.body.partners as { id: string }[]).map((p) => p.id), ['AAA', 'BBB', 'CCC']);
    const b = await call('GET', '/api/releases', 'b-admin');
    assert.deepEqual(b.body.policies, [{ partner: 'BBB', sensors: ['BBB-R1'], releases: null }]);
    const all = await call('GET', '/api/releases', 'chief');
    assert.deepEqual((all.body.policies as { partner: string }[]).map((p) => p.partner), ['AAA', 'BBB', 'CCC']);
  });

  test('sovereignty and validation: only AAA\'s administrator sets AAA\'s rules; bad rules are 400 SKY_POLICY_INVALID with the path', async () => {
    const rules = { releases: [{ to: ['CCC'] }] };
    for (const u of ['chief', 'b-admin', 'a-op']) {
      const r = await call('PUT', '/api/partners/AAA/releases', u, rules);
      assert.equal(r.status, 403, u);
      assert.equal(r.body.error, 'SKY_FORBIDDEN');
    }
    const cases: [unknown, string][] = [
      [{ releases: [{ to: ['ZZZ'] }] }, 'releases[0].to'],
      [{ releases: [{ to: ['BBB'], sensors: ['BBB-R1'] }] }, 'releases[0].sensors'],
      [{ releases: [{ to: ['BBB'] }, { to: ['CCC'], content: 'secret' }] }, 'releases[1].content'],
      [{ releases: [{ to: ['BBB'], withholdInside: [[[31, 33], [32, 33]]] }] }, 'releases[0].withholdInside[0]'],
      [{ releases: [{ to: ['BBB'], withholdInside: [[[31, 33], [32, 33], [91, 34]]] }] }, 'releases[0].withholdInside[0][2][0]'],
      [{}, 'releases'],
    ];
    for (const [body, path] of cases) {
      const r = await call('PUT', '/api/partners/AAA/releases', 'a-admin', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error, 'SKY_POLICY_INVALID');
      assert.equal(r.body.path, path, String(r.body.message));
      assert.match(String(r.body.message), new RegExp(`^${path.replace(/[[\]]/g, '\\$&')} `));
    }
    // Nothing changed: AAA's rules are as the file said.
    assert.deepEqual(((await call('GET', '/api/releases', 'a-admin')).body.policies as { releases: unknown }[])[0]!.releases, [{ to: ['BBB', 'CCC'], sensors: null, content: 'full', withholdInside: [] }]);
  });

  test('AAA withdraws its radar from BBB: BBB loses the two tracks only that radar supported, at once; CCC keeps all four; audited', { timeout: 60_000 }, async () => {
    const wsB = await openSocket(server.url, tokens['b-op']!);
    const wsC = await openSocket(server.url, tokens['c-op']!);
    for (let t = 1; t <= 40; t++) runTo(t);
    await until(() => wsB.frames.at(-1)?.t === T0 + 39 && wsC.frames.at(-1)?.t === T0 + 39, 'frame 39');
    const bBefore = ((await call('GET', '/api/tracks', 'b-op')).body.tracks as { status: string; sensors: string[] }[]);
    assert.equal(bBefore.filter((t) => t.status === 'confirmed').length, 4, 'B sees all four while AAA releases its radar to it');
    assert.deepEqual(sensorsOf(wsB.frames.flatMap((f) => f.tracks)), ['AAA-R1', 'BBB-R1'], "B's tracks were fused from both radars");

    await new Promise((r) => setTimeout(r, 50));
    const fromB = wsB.frames.length;
    const fromC = wsC.frames.length;
    const put = await call('PUT', '/api/partners/AAA/releases', 'a-admin', { releases: [{ to: ['CCC'], content: 'full' }] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.after, [{ to: ['CCC'], sensors: null, content: 'full', withholdInside: [] }]);
    // At once, before any new data: B's picture is replaced (by an empty one: its new audience has no frame yet).
    await until(() => wsB.frames.length > fromB, 'B told of its new picture');
    assert.equal(wsB.frames[fromB]!.tracks.length, 0, 'B\'s picture restarts from scratch');
    assert.equal(((await call('GET', '/api/tracks', 'b-op')).body.tracks as unknown[]).length, 0);

    for (let t = 41; t <= 100; t++) runTo(t);
    await until(() => wsB.frames.at(-1)?.t === T0 + 99 && wsC.frames.at(-1)?.t === T0 + 99, 'frame 99');
    for (const f of wsB.frames.slice(fromB)) assert.ok(!f.tracks.some((t) => t.sen.includes('AAA-R1')), `B frame ${f.t} names AAA's radar`);
    const bAfter = (await call('GET', '/api/tracks', 'b-op')).body.tracks as { status: string; sensors: string[]; icao24: string | null }[];
    assert.deepEqual(bAfter.filter((t) => t.status === 'confirmed').map((t) => t.icao24).sort(), ['b10000', 'b10001'], 'B keeps the two aircraft its own radar sees');
    const cAfter = (await call('GET', '/api/tracks', 'c-op')).body.tracks as { status: string }[];
    assert.equal(cAfter.filter((t) => t.status === 'confirmed').length, 4, 'C, still released to, keeps all four');
    assert.ok(wsC.frames.slice(fromC).every((f) => f.tracks.length > 0), "C's picture went on (its audience's grants did not change)");
    assert.deepEqual(sensorsOf(wsC.frames.slice(fromC).flatMap((f) => f.tracks)), ['AAA-R1', 'BBB-R1']);
    assert.deepEqual(sensorsOf(wsB.frames.slice(fromB).flatMap((f) => f.tracks)), ['BBB-R1']);
    // The coalition as B sees it no longer lists AAA's radar.
    assert.deepEqual(((await call('GET', '/api/coalition', 'b-op')).body.sensors as { id: string }[]).map((s) => s.id), ['BBB-R1']);
    wsB.ws.close();
    wsC.ws.close();

    const entries = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; actor: { user: string; partner: string } | null; details: Record<string, unknown> });
    const pc = entries.filter((e) => e.kind === 'policy-change');
    assert.equal(pc.length, 1, 'refused and invalid requests are not audited as changes');
    assert.deepEqual(pc[0]!.actor, { user: 'a-admin', partner: 'AAA' });
    assert.deepEqual(pc[0]!.details, {
      partner: 'AAA',
      before: [{ to: ['BBB', 'CCC'], sensors: null, content: 'full', withholdInside: [] }],
      after: [{ to: ['CCC'], sensors: null, content: 'full', withholdInside: [] }],
    });
    assert.equal(verifyAuditLog(auditFile).ok, true);
    assert.ok(logLines.some((l) => l.includes('release policy of AAA changed by a-admin')));
  });
});

test('over a picture that is not fused live (a replay), a policy change is refused with 409 SKY_POLICY_READONLY and not audited', async () => {
  const fusion = new AudienceFusion(coalition, { periodS: 1, reorderWindowS: 1 }, () => {});
  // What a replay hands the server: audiences follow the recording.
  const membership = new Membership(coalition, { audienceOf: (p) => fusion.audienceOf(p), setPartnerStatus: () => {} });
  const users = new UserDirectory();
  await users.add({ username: 'a-admin', partnerId: 'AAA', role: 'partner-admin' }, PASSWORD);
  const appended: string[] = [];
  const server = await startServer({ host: '127.0.0.1', port: 0, bus: new InProcessBus(), membership, users, audit: { append: async (kind) => { appended.push(kind); return {} as never; } } });
  try {
    const login = await fetch(new URL('/api/login', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'a-admin', password: PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const r = await fetch(new URL('/api/partners/AAA/releases', server.url), { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ releases: [] }) });
    assert.equal(r.status, 409);
    assert.equal(((await r.json()) as { error: string }).error, 'SKY_POLICY_READONLY');
    assert.deepEqual(appended, ['login']);
    assert.equal(membership.partner('AAA')!.releases!.length, 1, 'unchanged');
  } finally {
    await server.close();
  }
});
