// Who sees what over the API and the WebSocket. Three partners: AAA does not
// release its radar to BBB; BBB releases everything. The pictures are made
// by the real AudienceFusion from simulated radar plots, so "B's tracks
// never name A's sensor" is a property of what the server chooses to send,
// checked against a fusion that does produce A-derived tracks for A.
// Then every role against every route, and a withdrawal mid-run.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { parseCoalition } from '../coalition/coalition.ts';
import { AudienceFusion } from '../coalition/fusion.ts';
import { InProcessBus } from '../core/bus.ts';
import { degToRad, geodesicDirect, radarMeasure } from '../core/geodesy.ts';
import { Random } from '../core/random.ts';
import type { Coalition, RadarPlot } from '../core/types.ts';
import { Membership } from './membership.ts';
import { type ServerHandle, startServer } from './server.ts';
import { type Role, UserDirectory } from './users.ts';
import type { WireMessage, WireTrack } from './wire.ts';

const T0 = 1.7e9;
const PASSWORD = 'correct horse battery staple';

const coalition: Coalition = parseCoalition({
  partners: [
    { id: 'AAA', name: 'Alpha', status: 'member', releases: [{ to: ['CCC'], content: 'full' }] },
    { id: 'BBB', name: 'Bravo', status: 'member' },
    { id: 'CCC', name: 'Charlie', status: 'member' },
  ],
  sensors: [
    { id: 'AAA-R1', partner: 'AAA', kind: 'mode-s', sac: 10, sic: 1, lat: 31, lon: 33.4, altM: 100, rotationS: 4, maxRangeM: 250000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
    { id: 'BBB-R1', partner: 'BBB', kind: 'mode-s', sac: 20, sic: 1, lat: 31, lon: 34.6, altM: 100, rotationS: 5, maxRangeM: 250000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
  ],
});

/** Four aircraft near 31N 34E for `durationS`, one batch per scan of each radar, in time order. */
function traffic(durationS: number): { t: number; plots: RadarPlot[] }[] {
  const rng = new Random(7);
  const flights = Array.from({ length: 4 }, (_, k) => ({
    lat: 30.8 + 0.15 * k, lon: 33.8 + 0.1 * k, course: 45 + 80 * k, v: 180 + 20 * k,
    h: (250 + 30 * k) * 30.48, icao: (0xa10000 + k).toString(16), sq: (0o2000 + k).toString(8).padStart(4, '0'),
  }));
  const out: { t: number; plots: RadarPlot[] }[] = [];
  for (const s of coalition.sensors) {
    const site = { latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM };
    for (let t = 0.3; t < durationS; t += s.rotationS!) {
      out.push({
        t,
        plots: flights.map((f) => {
          const p = geodesicDirect(degToRad(f.lat), degToRad(f.lon), degToRad(f.course), f.v * t);
          const m = radarMeasure(site, { latRad: p[0]!, lonRad: p[1]!, heightM: f.h });
          return {
            kind: 'radar', sensorId: s.id, partnerId: s.partnerId, timeS: T0 + t,
            rangeM: m.slantRangeM + rng.gauss() * 40, azimuthRad: m.azimuthRad + rng.gauss() * degToRad(0.05),
            flightLevel: Math.round(f.h / 30.48), mode3a: f.sq, icao24: f.icao, callsign: `TST${f.sq}`, detection: 'mode-s',
          } satisfies RadarPlot;
        }),
      });
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

interface Socket {
  ws: WebSocket;
  frames: { t: number; tracks: readonly WireTrack[] }[];
  other: WireMessage[];
  closed: Promise<number>;
}

function openSocket(url: string, token: string): Promise<Socket> {
  const ws = new WebSocket(url.replace('http', 'ws') + 'api/ws', ['skyfuse.v1', `token.${token}`]);
  const s: Socket = { ws, frames: [], other: [], closed: new Promise((res) => ws.once('close', (code) => res(code))) };
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as WireMessage;
    if (m.type === 'frame') s.frames.push({ t: m.t, tracks: m.tracks });
    else s.other.push(m);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(s));
    ws.once('unexpected-response', (_q, r) => reject(new Error(`WebSocket refused: HTTP ${r.statusCode}`)));
  });
}

/** Resolves when `pred` holds, polling every 10 ms (sockets deliver asynchronously). */
async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function loginAs(url: string, username: string, password = PASSWORD): Promise<Response> {
  return fetch(new URL('/api/login', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
}

async function tokenOf(url: string, username: string): Promise<string> {
  const res = await loginAs(url, username);
  assert.equal(res.status, 200, `login ${username}`);
  return ((await res.json()) as { token: string }).token;
}

const sensorsNamed = (tracks: readonly WireTrack[] | readonly { sensors: readonly string[] }[]): Set<string> => {
  const out = new Set<string>();
  for (const t of tracks) for (const s of 'sen' in t ? t.sen : t.sensors) out.add(s);
  return out;
};

describe('serve: two partners, two pictures, one withdrawal', () => {
  let bus: InProcessBus;
  let server: ServerHandle;
  let fusion: AudienceFusion;
  const batches = traffic(80);
  let next = 0;
  const logLines: string[] = [];

  /** Feed the fusion all plots before data time T0 + tS and tick: frames reach the bus synchronously. */
  const runTo = (tS: number) => {
    while (next < batches.length && batches[next]!.t < tS) fusion.push(batches[next++]!.plots);
    fusion.tick(T0 + tS);
  };

  before(async () => {
    bus = new InProcessBus();
    fusion = new AudienceFusion(coalition, { periodS: 1, reorderWindowS: 1 }, ({ audience, frame }) => bus.publish('tracks', { ...frame, audience: audience.key }));
    const membership = new Membership(coalition, fusion);
    const users = new UserDirectory();
    await Promise.all([
      users.add({ username: 'alice', partnerId: 'AAA', role: 'operator' }, PASSWORD),
      users.add({ username: 'bob', partnerId: 'BBB', role: 'operator' }, PASSWORD),
      users.add({ username: 'chief', partnerId: 'CCC', role: 'coalition-admin' }, PASSWORD),
    ]);
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users, log: (l) => logLines.push(l) });
  });
  after(async () => {
    await server.close();
    await bus.close();
  });

  test('A and B logged in at once: B never gets a track, sensor or health report of A\'s radar; A does; then B withdraws and is cut off at once', { timeout: 60_000 }, async () => {
    const [a, b, chief] = await Promise.all([tokenOf(server.url, 'alice'), tokenOf(server.url, 'bob'), tokenOf(server.url, 'chief')]);
    const wsA = await openSocket(server.url, a);
    const wsB = await openSocket(server.url, b);
    const get = (path: string, token: string) => fetch(new URL(path, server.url), { headers: { authorization: `Bearer ${token}` } });

    // 40 s of data: three scans confirm a track, so both pictures are full by then.
    for (let t = 1; t <= 40; t++) runTo(t);
    bus.publish('events', [{ kind: 'north-marker', sensorId: 'AAA-R1', timeS: T0 + 40 }, { kind: 'north-marker', sensorId: 'BBB-R1', timeS: T0 + 40 }]);
    await until(() => wsA.frames.at(-1)?.t === T0 + 39 && wsB.frames.at(-1)?.t === T0 + 39, 'frame 39 on both sockets');
    await until(() => wsA.other.some((m) => m.type === 'events') && wsB.other.some((m) => m.type === 'events'), 'events on both sockets');

    const tracksA = (await (await get('/api/tracks', a)).json()) as { t: number; tracks: { sensors: string[]; partners: string[]; status: string }[] };
    const tracksB = (await (await get('/api/tracks', b)).json()) as typeof tracksA;
    assert.equal(tracksA.t, T0 + 39);
    assert.equal(tracksB.t, T0 + 39);
    assert.equal(tracksA.tracks.filter((t) => t.status === 'confirmed').length, 4, 'A sees the four aircraft');
    assert.equal(tracksB.tracks.filter((t) => t.status === 'confirmed').length, 4, 'B sees them too, from its own radar');
    // `sensors` names the radars that updated a track in the last period, so look at every frame.
    assert.ok(!sensorsNamed(tracksB.tracks).has('AAA-R1'), "B's tracks never name A's radar");
    assert.ok(tracksB.tracks.every((t) => !t.partners.includes('AAA')));

    // Over the WebSocket, every frame B ever received: never A's radar; A's frames name both radars.
    assert.ok(wsB.frames.length >= 30);
    const everA = new Set(wsA.frames.flatMap((f) => [...sensorsNamed(f.tracks)]));
    const everB = new Set(wsB.frames.flatMap((f) => [...sensorsNamed(f.tracks)]));
    assert.deepEqual([...everA].sort(), ['AAA-R1', 'BBB-R1'], "A's tracks are fused from both radars");
    assert.deepEqual([...everB], ['BBB-R1'], "B's tracks never name A's radar");
    // The two pictures are different fusions: B's positions come from one radar.
    assert.notDeepEqual(wsA.frames.at(-1), wsB.frames.at(-1));

    // A radar's health goes only to partners granted it.
    const evB = wsB.other.filter((m) => m.type === 'events').flatMap((m) => (m.type === 'events' ? m.events : []));
    const evA = wsA.other.filter((m) => m.type === 'events').flatMap((m) => (m.type === 'events' ? m.events : []));
    assert.deepEqual(evB.map((e) => (e.kind === 'north-marker' ? e.sensorId : e.kind)), ['BBB-R1']);
    assert.deepEqual(evA.map((e) => (e.kind === 'north-marker' ? e.sensorId : e.kind)).sort(), ['AAA-R1', 'BBB-R1']);

    // The coalition as each partner sees it: B is not told of A's radar.
    const coA = (await (await get('/api/coalition', a)).json()) as { partners: { id: string }[]; sensors: { id: string }[] };
    const coB = (await (await get('/api/coalition', b)).json()) as typeof coA;
    assert.deepEqual(coA.sensors.map((s) => s.id), ['AAA-R1', 'BBB-R1']);
    assert.deepEqual(coB.sensors.map((s) => s.id), ['BBB-R1']);
    assert.deepEqual(coB.partners.map((p) => p.id), ['AAA', 'BBB', 'CCC']);
    assert.ok(!JSON.stringify(coB).includes('releases'), "partners' release rules are not served");

    // Status is per partner.
    const stB = (await (await get('/api/status', b)).json()) as { partner: string; frameTimeS: number; trackCount: number; wsClients: number };
    assert.equal(stB.partner, 'BBB');
    assert.equal(stB.frameTimeS, T0 + 39);
    assert.equal(stB.trackCount, tracksB.tracks.length);
    assert.equal(stB.wsClients, 1);

    // Withdrawal mid-run: B's socket closes, its REST calls fail and it cannot log in again, before any further frame.
    const framesBefore = wsB.frames.length;
    const put = await fetch(new URL('/api/partners/BBB/status', server.url), {
      method: 'PUT', headers: { authorization: `Bearer ${chief}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'withdrawn' }),
    });
    assert.equal(put.status, 200);
    assert.deepEqual(await put.json(), { partner: 'BBB', from: 'member', to: 'withdrawn', sessionsEnded: 1 });
    const bTracks = await get('/api/tracks', b);
    assert.equal(bTracks.status, 403);
    assert.equal(((await bTracks.json()) as { error: string }).error, 'SKY_PARTNER_WITHDRAWN');
    assert.equal(await wsB.closed, 4403);
    assert.equal(wsB.frames.length, framesBefore, 'no frame reached B after the withdrawal');
    assert.equal((await loginAs(server.url, 'bob')).status, 403);
    await assert.rejects(openSocket(server.url, b), /HTTP 403/);

    // A goes on: its audience lost B's radar, so its picture restarts from A's radar alone.
    const fromA = wsA.frames.length;
    for (let t = 41; t <= 75; t++) runTo(t);
    await until(() => wsA.frames.at(-1)?.t === T0 + 74, 'frame 74 on A');
    const after = wsA.frames.slice(fromA);
    assert.ok(after.length >= 30);
    for (const f of after) assert.ok(!sensorsNamed(f.tracks).has('BBB-R1'), `A frame ${f.t} still names the withdrawn partner's radar`);
    assert.deepEqual([...new Set(after.flatMap((f) => [...sensorsNamed(f.tracks)]))], ['AAA-R1']);
    const lastA = (await (await get('/api/tracks', a)).json()) as typeof tracksA;
    assert.equal(lastA.tracks.filter((t) => t.status === 'confirmed').length, 4, 'A re-forms its four tracks from its own radar');
    assert.ok(wsA.other.some((m) => m.type === 'coalition'), 'A was told that membership changed');
    assert.deepEqual(((await (await get('/api/coalition', a)).json()) as { sensors: { id: string }[] }).sensors.map((s) => s.id), ['AAA-R1']);
    wsA.ws.close();
    for (const l of logLines) for (const tok of [a, b, chief]) assert.ok(!l.includes(tok), 'a token in the log');
    assert.ok(logLines.some((l) => l.includes('partner BBB withdrew: 1 session(s) ended')));
  });
});

/** Route, and the roles allowed (all = every role). */
interface RouteCase {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  readonly allowed: readonly Role[];
  /** Status of an allowed call. */
  readonly ok: number;
}

const ALL: readonly Role[] = ['operator', 'partner-admin', 'coalition-admin'];
const ROUTES: readonly RouteCase[] = [
  { method: 'GET', path: '/api/me', allowed: ALL, ok: 200 },
  { method: 'GET', path: '/api/tracks', allowed: ALL, ok: 200 },
  { method: 'GET', path: '/api/coalition', allowed: ALL, ok: 200 },
  { method: 'GET', path: '/api/status', allowed: ALL, ok: 200 },
  { method: 'GET', path: '/api/users', allowed: ['partner-admin', 'coalition-admin'], ok: 200 },
  { method: 'POST', path: '/api/tokens', body: { label: 'feed' }, allowed: ['partner-admin', 'coalition-admin'], ok: 201 },
  // An id that exists nowhere: an allowed role gets 404, the others 403 before the lookup.
  { method: 'DELETE', path: '/api/tokens/no-such-id', allowed: ['partner-admin', 'coalition-admin'], ok: 404 },
  { method: 'PUT', path: '/api/partners/CCC/status', body: { status: 'member' }, allowed: ['coalition-admin'], ok: 200 },
  { method: 'GET', path: '/api/alerts', allowed: ALL, ok: 200 },
  { method: 'GET', path: '/api/sensors', allowed: ALL, ok: 200 },
  // Operators acknowledge; a coalition administrator runs membership, not the watch.
  { method: 'POST', path: '/api/alerts/no-such-id/ack', allowed: ['operator', 'partner-admin'], ok: 404 },
  // Release policy (src/serve/routes/policy.ts): everyone reads their own partner's; only the owning
  // partner's administrator sets it (a-admin is AAA's); a coalition administrator may not (sovereignty).
  { method: 'GET', path: '/api/releases', allowed: ALL, ok: 200 },
  { method: 'PUT', path: '/api/partners/AAA/releases', body: { releases: [{ to: ['CCC'], content: 'full' }] }, allowed: ['partner-admin'], ok: 200 },
  // The recording's read side (src/serve/routes/history.ts): every role reads its own partner's history;
  // this server keeps no recording, so an allowed role gets 404 SKY_NO_RECORDING.
  { method: 'GET', path: '/api/history', allowed: ALL, ok: 404 },
  { method: 'GET', path: '/api/history/span', allowed: ALL, ok: 404 },
  { method: 'GET', path: '/api/history/alerts', allowed: ALL, ok: 404 },
  { method: 'GET', path: '/api/export', allowed: ALL, ok: 404 },
  // Feeds to partners' systems (src/serve/routes/outputs.ts): administrators only (a feed names a partner's host).
  { method: 'GET', path: '/api/outputs', allowed: ['partner-admin', 'coalition-admin'], ok: 200 },
  // Events of the partner's picture (src/serve/routes/events.ts): every role, its own partner's.
  { method: 'GET', path: '/api/events', allowed: ALL, ok: 200 },
  // The replay's time control (src/serve/routes/replay.ts): every role reads where it is; only a coalition
  // administrator moves it (it is one replay for every partner's operators). This server runs live: 404 SKY_NO_REPLAY.
  { method: 'GET', path: '/api/replay', allowed: ALL, ok: 404 },
  { method: 'POST', path: '/api/replay/seek', body: { timeS: T0 }, allowed: ['coalition-admin'], ok: 404 },
  { method: 'POST', path: '/api/replay/speed', body: { speed: 10 }, allowed: ['coalition-admin'], ok: 404 },
  { method: 'POST', path: '/api/replay/pause', allowed: ['coalition-admin'], ok: 404 },
  { method: 'POST', path: '/api/replay/resume', allowed: ['coalition-admin'], ok: 404 },
  { method: 'POST', path: '/api/logout', allowed: ALL, ok: 204 },
];

describe('serve: every role against every route', () => {
  let bus: InProcessBus;
  let server: ServerHandle;
  let membership: Membership;
  const users = new UserDirectory();
  const logLines: string[] = [];

  before(async () => {
    bus = new InProcessBus();
    membership = new Membership(coalition);
    await Promise.all([
      users.add({ username: 'a-op', partnerId: 'AAA', role: 'operator' }, PASSWORD),
      users.add({ username: 'a-admin', partnerId: 'AAA', role: 'partner-admin' }, PASSWORD),
      users.add({ username: 'b-admin', partnerId: 'BBB', role: 'partner-admin' }, PASSWORD),
      users.add({ username: 'c-chief', partnerId: 'CCC', role: 'coalition-admin' }, PASSWORD),
    ]);
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users, log: (l) => logLines.push(l) });
  });
  after(async () => {
    await server.close();
    await bus.close();
  });

  const call = (r: RouteCase, token: string | null) =>
    fetch(new URL(r.path, server.url), {
      method: r.method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}),
    });

  test('the OpenAPI document lists every route the server answers, with the roles of this table', async () => {
    const doc = (await (await fetch(new URL('/api/openapi.json', server.url))).json()) as { paths: Record<string, Record<string, { 'x-roles'?: string[]; security?: unknown[] }>> };
    for (const r of server.routes) {
      const [method, path] = r.split(' ') as [string, string];
      assert.ok(doc.paths[path]?.[method.toLowerCase()], `${r} is in the OpenAPI document`);
    }
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const m of Object.keys(ops)) assert.ok(server.routes.includes(`${m.toUpperCase()} ${path}`), `documented ${m} ${path} is served`);
    }
    for (const r of ROUTES) {
      const docPath = r.path.replace('/no-such-id', '/{id}').replace('/CCC/', '/{id}/').replace('/AAA/', '/{id}/');
      assert.deepEqual(doc.paths[docPath]?.[r.method.toLowerCase()]?.['x-roles'], [...r.allowed], `${r.method} ${docPath} x-roles`);
    }
    // Public: the page, its assets, the document and the login; nothing else.
    const pub = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).filter(([, o]) => Array.isArray(o.security) && o.security.length === 0 && p !== '/api/ws').map(([m]) => `${m} ${p}`));
    assert.deepEqual(pub.sort(), ['get /', 'get /api/openapi.json', 'get /assets/{file}', 'get /favicon.ico', 'post /api/login']);
  });

  test('no credentials, a wrong token or a logged-out token: 401 SKY_AUTH_REQUIRED on every route', async () => {
    const gone = await tokenOf(server.url, 'a-op');
    assert.equal((await call(ROUTES.at(-1)!, gone)).status, 204); // logout
    for (const r of ROUTES) {
      for (const token of [null, 'x'.repeat(43), gone]) {
        const res = await call(r, token);
        assert.equal(res.status, 401, `${r.method} ${r.path} with ${token === gone ? 'a logged-out token' : String(token?.slice(0, 3))}`);
        assert.equal(((await res.json()) as { error: string }).error, 'SKY_AUTH_REQUIRED');
      }
    }
  });

  for (const role of ALL) {
    test(`${role}: allowed routes answer, the others are 403 SKY_FORBIDDEN`, async () => {
      const username = { operator: 'a-op', 'partner-admin': 'a-admin', 'coalition-admin': 'c-chief' }[role];
      for (const r of ROUTES) {
        // A fresh session per route, so logout does not end the next call's session.
        const token = await tokenOf(server.url, username);
        const res = await call(r, token);
        const want = r.allowed.includes(role) ? r.ok : 403;
        assert.equal(res.status, want, `${role} ${r.method} ${r.path}`);
        if (want === 403) assert.equal(((await res.json()) as { error: string }).error, 'SKY_FORBIDDEN');
        else if (res.status !== 204) await res.arrayBuffer();
      }
      // The WebSocket is open to every role.
      const ws = await openSocket(server.url, await tokenOf(server.url, username));
      await until(() => ws.other.some((m) => m.type === 'hello'), 'hello');
      ws.ws.close();
    });
  }

  test('an API token from a partner administrator acts as an operator of that partner, and can be revoked', async () => {
    const admin = await tokenOf(server.url, 'a-admin');
    const res = await call({ method: 'POST', path: '/api/tokens', body: { label: 'radar feed 1', ttlS: 3600 }, allowed: ALL, ok: 201 }, admin);
    assert.equal(res.status, 201);
    const made = (await res.json()) as { token: string; id: string; partner: string; role: string; label: string };
    assert.deepEqual({ partner: made.partner, role: made.role, label: made.label }, { partner: 'AAA', role: 'operator', label: 'radar feed 1' });
    for (const r of ROUTES.slice(0, -1)) {
      const got = await call(r, made.token);
      assert.equal(got.status, r.allowed.includes('operator') ? r.ok : 403, `API token ${r.method} ${r.path}`);
      await got.arrayBuffer();
    }
    const me = (await (await call(ROUTES[0]!, made.token)).json()) as { kind: string; partner: string; subject: string };
    assert.deepEqual(me, { ...me, kind: 'api', partner: 'AAA', subject: 'radar feed 1' });
    // Another partner's administrator cannot see or revoke it.
    const other = await tokenOf(server.url, 'b-admin');
    assert.equal((await call({ method: 'DELETE', path: `/api/tokens/${made.id}`, allowed: ALL, ok: 204 }, other)).status, 404);
    assert.equal((await call(ROUTES[1]!, made.token)).status, 200);
    assert.equal((await call({ method: 'DELETE', path: `/api/tokens/${made.id}`, allowed: ALL, ok: 204 }, admin)).status, 204);
    assert.equal((await call(ROUTES[1]!, made.token)).status, 401);
  });

  test("a partner administrator lists only its partner's users; a coalition administrator everyone's; never a password", async () => {
    const usersOf = async (username: string) => {
      const body = (await (await call(ROUTES[4]!, await tokenOf(server.url, username))).json()) as { users: { username: string; partner: string }[] };
      return body.users.map((u) => `${u.username}@${u.partner}`).sort();
    };
    assert.deepEqual(await usersOf('a-admin'), ['a-admin@AAA', 'a-op@AAA']);
    assert.deepEqual(await usersOf('b-admin'), ['b-admin@BBB']);
    assert.deepEqual(await usersOf('c-chief'), ['a-admin@AAA', 'a-op@AAA', 'b-admin@BBB', 'c-chief@CCC']);
    const raw = await (await call(ROUTES[4]!, await tokenOf(server.url, 'c-chief'))).text();
    assert.ok(!raw.includes(PASSWORD) && !/hash|salt|password/i.test(raw), raw);
  });

  test('login: a wrong password and an unknown user get the same answer; five failures lock the user for a minute', async () => {
    const wrong = await loginAs(server.url, 'b-admin', 'not the password at all');
    const unknown = await loginAs(server.url, 'nobody', 'not the password at all');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(await wrong.json(), await unknown.json());
    for (let i = 0; i < 4; i++) assert.equal((await loginAs(server.url, 'b-admin', 'still not the password')).status, 401);
    const locked = await loginAs(server.url, 'b-admin');
    assert.equal(locked.status, 429, 'even the right password waits out the lock');
    assert.equal(((await locked.json()) as { error: string }).error, 'SKY_LOGIN_THROTTLED');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    assert.equal((await loginAs(server.url, 'a-admin')).status, 200, 'other users are not locked');
    const bad = await fetch(new URL('/api/login', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'a-op' }) });
    assert.equal(bad.status, 400);
    assert.ok(logLines.every((l) => !l.includes(PASSWORD)));
  });

  test('a suspended partner keeps its sessions (it sees its own sensors only); a withdrawn one loses them at once', async () => {
    const a = await tokenOf(server.url, 'a-op');
    const ws = await openSocket(server.url, a);
    const sensorsOfA = async () => ((await (await call(ROUTES[2]!, a)).json()) as { sensors: { id: string }[] }).sensors.map((s) => s.id);
    assert.deepEqual(await sensorsOfA(), ['AAA-R1', 'BBB-R1']);
    membership.setPartnerStatus('AAA', 'suspended');
    assert.deepEqual(await sensorsOfA(), ['AAA-R1']);
    membership.setPartnerStatus('AAA', 'withdrawn');
    assert.equal(await ws.closed, 4403);
    const res = await call(ROUTES[1]!, a);
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: string }).error, 'SKY_PARTNER_WITHDRAWN');
    membership.setPartnerStatus('AAA', 'member');
    assert.equal((await call(ROUTES[1]!, a)).status, 403, 'a session ended by withdrawal stays ended after re-admission');
    assert.equal((await call(ROUTES[1]!, await tokenOf(server.url, 'a-op'))).status, 200, 'a re-admitted partner logs in again');
  });
});

describe('serve: alerts and sensor status per partner', () => {
  // AAA releases its radar to CCC only: A and C see both radars (one audience), B only its own.
  let bus: InProcessBus;
  let server: ServerHandle;
  let membership: Membership;
  const users = new UserDirectory();
  type Alert = { id: string; kind: string; state: string; trackId: string | null; sensorId: string | null; code: string | null; ackBy: string | null };

  before(async () => {
    bus = new InProcessBus();
    membership = new Membership(coalition);
    await Promise.all([
      users.add({ username: 'alice', partnerId: 'AAA', role: 'operator' }, PASSWORD),
      users.add({ username: 'bob', partnerId: 'BBB', role: 'operator' }, PASSWORD),
      users.add({ username: 'carol', partnerId: 'CCC', role: 'operator' }, PASSWORD),
      users.add({ username: 'chief', partnerId: 'CCC', role: 'coalition-admin' }, PASSWORD),
    ]);
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users });
  });
  after(async () => {
    await server.close();
    await bus.close();
  });

  const trk = (id: string, mode3a: string, sensors: string[]) => ({
    kind: 'track' as const, id, timeS: T0, status: 'confirmed' as const, latDeg: 31.2, lonDeg: 34, altM: 9000, velEastMps: 200, velNorthMps: 0,
    sigmaM: 80, icao24: null, mode3a, callsign: null, sensors, partners: sensors.map((s) => s.slice(0, 3)),
  });

  test("an emergency and an outage in A's picture reach A and C, never B; acknowledgement is per partner; sensors are the granted ones", { timeout: 30_000 }, async () => {
    const keyA = membership.audienceOf('AAA')!.key;
    const keyB = membership.audienceOf('BBB')!.key;
    assert.equal(membership.audienceOf('CCC')!.key, keyA, 'A and C see the same picture');
    assert.notEqual(keyA, keyB);
    const [a, b, c, chief] = await Promise.all(['alice', 'bob', 'carol', 'chief'].map((u) => tokenOf(server.url, u)));
    const wsA = await openSocket(server.url, a!);
    const wsB = await openSocket(server.url, b!);
    const get = async <T>(path: string, token: string): Promise<T> => {
      const res = await fetch(new URL(path, server.url), { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, path);
      return (await res.json()) as T;
    };
    const ack = (id: string, token: string) => fetch(new URL(`/api/alerts/${id}/ack`, server.url), { method: 'POST', headers: { authorization: `Bearer ${token}` } });

    // 20 s of data: A's radar heard once at the start (4 s rotation: outage after 10 s), B's every 5 s.
    // A's picture has a 7700 squawk seen by A's radar; B's picture a normal track.
    bus.publish('events', [{ kind: 'north-marker', sensorId: 'AAA-R1', timeS: T0 }]);
    for (let t = 0; t <= 20; t++) {
      if (t % 5 === 0) bus.publish('events', [{ kind: 'north-marker', sensorId: 'BBB-R1', timeS: T0 + t }]);
      bus.publish('tracks', { kind: 'frame', audience: keyA, timeS: T0 + t, tracks: [trk('T7', '7700', ['AAA-R1']), trk('T8', '2001', ['BBB-R1'])] });
      bus.publish('tracks', { kind: 'frame', audience: keyB, timeS: T0 + t, tracks: [trk('T1', '2001', ['BBB-R1'])] });
    }
    await until(() => wsB.frames.at(-1)?.t === T0 + 20 && wsA.frames.at(-1)?.t === T0 + 20, 'frame 20 on both sockets');

    const alertsA = (await get<{ alerts: Alert[] }>('/api/alerts', a!)).alerts;
    assert.deepEqual(alertsA.map((x) => [x.kind, x.trackId ?? x.sensorId, x.state]).sort(), [['emergency', 'T7', 'active'], ['sensor-outage', 'AAA-R1', 'active']]);
    assert.deepEqual((await get<{ alerts: Alert[] }>('/api/alerts', b!)).alerts, [], 'B has no alert');
    // Over the WebSocket too: every alerts message B ever received is empty; A's carries both.
    await until(() => wsA.other.some((m) => m.type === 'alerts' && m.alerts.length === 2), 'A told of both alerts');
    const bMsgs = wsB.other.filter((m) => m.type === 'alerts');
    assert.ok(bMsgs.length >= 1, 'B got the alerts list on connect');
    assert.ok(bMsgs.every((m) => m.type === 'alerts' && m.alerts.length === 0), JSON.stringify(bMsgs));
    assert.ok(!JSON.stringify(wsB.other).includes('AAA-R1') && !JSON.stringify(wsB.other).includes('T7'), "B never hears of A's radar or A's track");

    // Acknowledge: A's operator for A; C (same picture) keeps its own state; B cannot reach A's alert.
    const sos = alertsA.find((x) => x.kind === 'emergency')!;
    assert.equal((await ack(sos.id, b!)).status, 404);
    const res = await ack(sos.id, a!);
    assert.equal(res.status, 200);
    const acked = (await res.json()) as Alert;
    assert.deepEqual([acked.id, acked.state, acked.ackBy, acked.code], [sos.id, 'acknowledged', 'alice', '7700']);
    await until(() => wsA.other.some((m) => m.type === 'alerts' && m.alerts.some((x) => x.id === sos.id && x.state === 'acknowledged')), 'A told of the ack');
    assert.equal((await get<{ alerts: Alert[] }>('/api/alerts', c!)).alerts.find((x) => x.id === sos.id)!.state, 'active', "C's own state");
    assert.equal((await ack(sos.id, chief!)).status, 403, 'a coalition administrator does not acknowledge');

    // A's radar is heard again: its outage clears, for A.
    bus.publish('events', [{ kind: 'north-marker', sensorId: 'AAA-R1', timeS: T0 + 21 }]);
    assert.equal((await get<{ alerts: Alert[] }>('/api/alerts', a!)).alerts.find((x) => x.kind === 'sensor-outage')!.state, 'cleared');

    // Sensors: each partner sees the ones it is granted, with health from its own picture.
    type Sensors = { sensors: { id: string; partner: string; kind: string; status: string; lastSeenS: number | null; registration: unknown }[] };
    const sA = await get<Sensors>('/api/sensors', a!);
    const sB = await get<Sensors>('/api/sensors', b!);
    assert.deepEqual(sA.sensors.map((x) => [x.id, x.partner, x.kind, x.status, x.lastSeenS]), [['AAA-R1', 'AAA', 'mode-s', 'ok', T0 + 21], ['BBB-R1', 'BBB', 'mode-s', 'ok', T0 + 20]]);
    assert.deepEqual(sB.sensors.map((x) => x.id), ['BBB-R1']);
    assert.equal(sB.sensors[0]!.registration, null, 'no registration source attached');
    wsA.ws.close();
    wsB.ws.close();
  });
});
