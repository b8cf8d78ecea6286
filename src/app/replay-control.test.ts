// The replay's time control over real HTTP (src/serve/routes/replay.ts):
// a real `serve --replay` server (startReplay) over a real 90 s recording of
// the `small` coalition in which Jordan releases its radars to Egypt only.
// A coalition administrator pauses, seeks back and forth and changes speed;
// after the seeks, each partner's picture is exactly the one a replay that
// ran straight to that time gives (deep-equal positions), and Cyprus's
// WebSocket and REST picture still hold nothing of Jordan's radars. Operators
// read the state but are refused control (403); bad input is 400 with a
// stable code; every control call that was carried out is in the audit log,
// and nothing refused is. A live server answers 404 SKY_NO_REPLAY.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { trackToJson } from '../core/contract.ts';
import { InProcessBus } from '../core/bus.ts';
import type { TrackFrame } from '../core/types.ts';
import { Chain, Replayer } from '../record/index.ts';
import { runLive } from '../record/testing.ts';
import { Membership, startServer } from '../serve/index.ts';
import { UserDirectory } from '../serve/users.ts';
import type { WireMessage, WireTrack } from '../serve/wire.ts';
import { scenarioJson } from '../sim/index.ts';
import { startReplay, type ReplaySystem } from './replay.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-replay-control-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

interface State { fromS: number; toS: number; atS: number; speed: number | 'max'; paused: boolean; seeking: boolean; ended: boolean; control: boolean }
interface RestTrack { id: string; status: string; lat: number; lon: number; altM: number | null; vE: number; vN: number; sensors: string[] }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(pred: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
/** What positions are compared on: the REST fields of a track. */
const pos = (t: { id: string; status: string; lat: number; lon: number; altM: number | null; vE: number; vN: number }) => ({ id: t.id, status: t.status, lat: t.lat, lon: t.lon, altM: t.altM, vE: t.vE, vN: t.vN });
const jordan = (sensors: readonly string[]) => sensors.some((s) => s.startsWith('JOR-'));

describe('serve --replay: the time control', () => {
  const file = join(dir, 'rec.db');
  const auditFile = join(dir, 'audit.jsonl');
  let sys: ReplaySystem;
  let startS = 0;
  /** A replay run straight through: each audience's frame by data time. */
  const straight = new Map<string, Map<number, TrackFrame>>();
  const key = { EGY: '', CYP: '' };
  const tokens: Record<'admin' | 'cyp' | 'egy', string> = { admin: '', cyp: '', egy: '' };

  before(async () => {
    const scn = scenarioJson('small') as { coalition: { partners: { id: string; releases?: unknown }[] } };
    scn.coalition.partners.find((p) => p.id === 'JOR')!.releases = [{ to: ['EGY'], content: 'full' }];
    const scnFile = join(dir, 'scenario.json');
    writeFileSync(scnFile, JSON.stringify(scn));
    const run = runLive({ scenario: scnFile, durationS: 90, file });
    run.recorder!.close();
    startS = run.startS;
    const chain = new Chain(run.config, { onFrame: () => {} });
    key.EGY = chain.fusion!.audienceOf('EGY')!.key;
    key.CYP = chain.fusion!.audienceOf('CYP')!.key;
    assert.notEqual(key.EGY, key.CYP, 'Egypt and Cyprus see different pictures');
    const rp = new Replayer(file, {
      speed: 'max',
      onFrame: (f) => {
        const k = f.audience ?? '';
        if (!straight.has(k)) straight.set(k, new Map());
        straight.get(k)!.set(f.timeS, f);
      },
    });
    rp.runToEnd();
    rp.stop();
    sys = await startReplay({ file, speed: 1, host: '127.0.0.1', port: 0, demoAccounts: true, auditFile, log: () => {} });
    const login = async (username: string) => {
      const a = sys.demoAccounts.find((x) => x.username === username)!;
      const res = await fetch(new URL('/api/login', sys.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: a.password }) });
      assert.equal(res.status, 200);
      return ((await res.json()) as { token: string }).token;
    };
    tokens.admin = await login('coalition-admin');
    tokens.cyp = await login('cyp-operator');
    tokens.egy = await login('egy-operator');
  });
  after(async () => {
    await sys?.close();
  });

  const call = (method: 'GET' | 'POST', path: string, token: string | null, body?: unknown) =>
    fetch(new URL(path, sys.url), {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const state = async (token = tokens.cyp): Promise<State> => {
    const res = await call('GET', '/api/replay', token);
    assert.equal(res.status, 200);
    return (await res.json()) as State;
  };
  const control = async (path: string, body?: unknown, want = 200): Promise<State> => {
    const res = await call('POST', path, tokens.admin, body);
    assert.equal(res.status, want, `${path} ${JSON.stringify(body)}`);
    return (await res.json()) as State;
  };
  const seek = async (timeS: number): Promise<void> => {
    const s = await control('/api/replay/seek', { timeS }, 202);
    assert.equal(s.atS, timeS);
    await until(async () => !(await state()).seeking, `the seek to ${timeS}`);
  };
  const tracksOf = async (token: string) => (await (await call('GET', '/api/tracks', token)).json()) as { t: number; tracks: RestTrack[] };

  test('every role reads the state; an operator may not control it (403); no credentials: 401', async () => {
    const s = await state();
    assert.equal(s.control, false, 'an operator cannot control');
    assert.equal((await state(tokens.admin)).control, true);
    assert.ok(Math.abs(s.fromS - startS) < 1 && Math.abs(s.toS - (startS + 90)) < 1, `span ${s.fromS - startS}..${s.toS - startS}`);
    assert.equal(s.speed, 1);
    for (const path of ['/api/replay/pause', '/api/replay/resume', '/api/replay/seek', '/api/replay/speed']) {
      const res = await call('POST', path, tokens.cyp, path.endsWith('seek') ? { timeS: startS + 10 } : path.endsWith('speed') ? { speed: 5 } : undefined);
      assert.equal(res.status, 403, path);
      assert.equal(((await res.json()) as { error: string }).error, 'SKY_FORBIDDEN');
      const anon = await call('POST', path, null);
      assert.equal(anon.status, 401);
      assert.equal(((await anon.json()) as { error: string }).error, 'SKY_AUTH_REQUIRED');
    }
    assert.equal((await call('GET', '/api/replay', null)).status, 401);
    // The page learns from /api/me that this server replays (and asks /api/replay only then).
    assert.equal(((await (await call('GET', '/api/me', tokens.cyp)).json()) as { replay: boolean }).replay, true);
  });

  test('bad input: 400 SKY_REPLAY_TIME / SKY_REPLAY_SPEED, and nothing changes', async () => {
    const before = await state();
    for (const body of [{ timeS: before.toS + 100 }, { timeS: before.fromS - 1 }, { timeS: 'soon' }, {}, { time: before.fromS + 5 }]) {
      const res = await call('POST', '/api/replay/seek', tokens.admin, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(((await res.json()) as { error: string }).error, 'SKY_REPLAY_TIME');
    }
    for (const body of [{ speed: 61 }, { speed: 0.5 }, { speed: 'fast' }, { speed: '10' }, {}]) {
      const res = await call('POST', '/api/replay/speed', tokens.admin, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(((await res.json()) as { error: string }).error, 'SKY_REPLAY_SPEED');
    }
    const now = await state();
    assert.equal(now.speed, before.speed);
    assert.equal(now.seeking, false);
  });

  test('paused, the replay stays put; seek back then forward gives the picture a straight replay gives at that time; partners keep their own pictures', { timeout: 120_000 }, async () => {
    const ws = (token: string) => {
      const frames: { t: number; tracks: readonly WireTrack[] }[] = [];
      const sock = new WebSocket(sys.url.replace('http', 'ws') + 'api/ws', ['skyfuse.v1', `token.${token}`]);
      sock.on('message', (d) => {
        const m = JSON.parse(String(d)) as WireMessage;
        if (m.type === 'frame') frames.push({ t: m.t, tracks: m.tracks });
      });
      return { sock, frames, open: new Promise<void>((res, rej) => { sock.once('open', () => res()); sock.once('error', rej); }) };
    };
    const cyp = ws(tokens.cyp);
    const egy = ws(tokens.egy);
    await Promise.all([cyp.open, egy.open]);

    const paused = await control('/api/replay/pause');
    assert.equal(paused.paused, true);
    const a = (await state()).atS;
    await sleep(300);
    assert.equal((await state()).atS, a, 'paused: the replay time does not advance');

    // Forward to +70 s, back to +20 s (from a checkpoint or the start), forward again to +50 s (runs on).
    await seek(startS + 70);
    await seek(startS + 20);
    const mark = cyp.frames.length;
    await seek(startS + 50.5);
    const s = await state();
    assert.deepEqual([s.atS, s.paused, s.seeking], [startS + 50.5, true, false], 'a seek keeps the replay paused');

    for (const [p, token] of [['CYP', tokens.cyp], ['EGY', tokens.egy]] as const) {
      const got = await tracksOf(token);
      assert.ok(got.t <= startS + 50.5 && got.t > startS + 48.5, `${p}: picture of +${got.t - startS} s`);
      const want = straight.get(key[p])!.get(got.t);
      assert.ok(want, `${p}: a straight replay has a frame at ${got.t}`);
      assert.ok(got.tracks.length >= 5, `${p}: ${got.tracks.length} tracks`);
      assert.deepEqual(got.tracks.map(pos), want.tracks.map(trackToJson).map(pos), `${p}: the tracks of a straight replay at +${got.t - startS} s`);
    }
    // Over the WebSocket too: the picture of that time reaches Cyprus; nothing of Jordan's radars ever did.
    const cypNow = await tracksOf(tokens.cyp);
    await until(() => cyp.frames.at(-1)?.t === cypNow.t, 'the picture after the seek on the socket', 5000);
    assert.ok(cyp.frames.length > mark);
    assert.deepEqual(cyp.frames.at(-1)!.tracks.map((t) => t.id).sort(), cypNow.tracks.map((t) => t.id).sort());
    assert.ok(cyp.frames.length >= 3);
    for (const f of cyp.frames) assert.ok(!f.tracks.some((t) => jordan(t.sen)), `Cyprus frame of +${f.t - startS} s names a Jordanian radar`);
    assert.ok(!cypNow.tracks.some((t) => jordan(t.sensors)), "Cyprus's REST picture names no Jordanian radar");
    // ...while Egypt, released Jordan's radars, has them in the same stretch (so the check above means something).
    assert.ok(egy.frames.some((f) => f.tracks.some((t) => jordan(t.sen))), 'Egypt sees tracks of Jordanian radars');
    cyp.sock.close();
    egy.sock.close();
  });

  test('speed and resume: at 60x the replay time runs; paused again it stops; the calls are audited, refusals are not', { timeout: 60_000 }, async () => {
    assert.equal((await control('/api/replay/speed', { speed: 60 })).speed, 60);
    const r = await control('/api/replay/resume');
    assert.equal(r.paused, false);
    const a = await state();
    await sleep(300);
    const b = await state();
    // At least 300 ms of wall time at 60x: at least ~18 s of recording (1x would give 0.3 s).
    assert.ok(b.atS - a.atS > 10, `advanced ${b.atS - a.atS} s of recording`);
    const p = await control('/api/replay/pause');
    assert.equal(p.paused, true);
    const c = (await state()).atS;
    await sleep(300);
    assert.equal((await state()).atS, c);
    assert.equal((await control('/api/replay/speed', { speed: 'max' })).speed, 'max');

    const entries = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; actor: { user: string; partner: string } | null; details: Record<string, unknown> });
    const ctl = entries.filter((e) => e.kind === 'replay-control');
    assert.deepEqual(ctl.map((e) => e.details.action), ['pause', 'seek', 'seek', 'seek', 'speed', 'resume', 'pause', 'speed']);
    assert.ok(ctl.every((e) => e.actor?.user === 'coalition-admin' && e.actor.partner === 'EGY'));
    assert.deepEqual(ctl.filter((e) => e.details.action === 'seek').map((e) => Number(e.details.timeS) - startS), [70, 20, 50.5]);
    assert.deepEqual(ctl.filter((e) => e.details.action === 'speed').map((e) => e.details.speed), [60, 'max']);
  });

  test('at the end of the recording the replay stops there: resume does nothing, a seek back plays again', { timeout: 60_000 }, async () => {
    await control('/api/replay/resume');
    await until(async () => (await state()).ended, 'the end of the recording');
    const end = await state();
    assert.deepEqual([end.paused, end.seeking], [true, false]);
    assert.ok(end.atS <= end.toS && end.toS - end.atS < 1, `at +${end.atS - startS} s`);
    const r = await control('/api/replay/resume');
    assert.deepEqual([r.paused, r.ended], [true, true], 'resume at the end: still paused, nothing to play');
    await sleep(300);
    assert.equal((await state()).atS, end.atS, 'the replay time does not run past the end');
    // At 1x (the previous test left it at max, which would replay the last
    // 10 s to the end again before the resume call could answer).
    await control('/api/replay/speed', { speed: 1 });
    await seek(startS + 80);
    const back = await state();
    assert.deepEqual([back.ended, back.atS], [false, startS + 80]);
    assert.equal((await control('/api/replay/resume')).paused, false, 'after a seek back it plays');
  });
});

test('a live server has no replay to control: 404 SKY_NO_REPLAY', async () => {
  const coalition = (await import('../coalition/coalition.ts')).parseCoalition((scenarioJson('small') as { coalition: unknown }).coalition);
  const bus = new InProcessBus();
  const users = new UserDirectory();
  await users.add({ username: 'chief', partnerId: 'EGY', role: 'coalition-admin' }, 'correct horse battery staple');
  const server = await startServer({ host: '127.0.0.1', port: 0, bus, membership: new Membership(coalition), users });
  try {
    const login = await fetch(new URL('/api/login', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chief', password: 'correct horse battery staple' }) });
    const { token } = (await login.json()) as { token: string };
    for (const [method, path, body] of [['GET', '/api/replay'], ['POST', '/api/replay/seek', { timeS: 1 }], ['POST', '/api/replay/pause']] as const) {
      const res = await fetch(new URL(path, server.url), {
        method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
      });
      assert.equal(res.status, 404, path);
      assert.equal(((await res.json()) as { error: string }).error, 'SKY_NO_REPLAY');
    }
  } finally {
    await server.close();
    await bus.close();
  }
});
