// What `npm start` does, end to end: `skyfuse serve` runs the simulated
// coalition live (real UDP on loopback, ingest, one fusion per audience,
// bus, server), and a real browser opening the printed URL draws the tracks
// and sees them move. The coalition file given here has Jordan release its
// radars to Egypt only, so a Cyprus operator logged in with a printed demo
// account gets a different picture, without Jordan's radars.

import assert from 'node:assert/strict';
import { chromiumMissing, launchChromium } from './support/chromium.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { coalitionToJson } from '../src/coalition/coalition.ts';
import { loadScenario } from '../src/sim/index.ts';
import { RecordingReader } from '../src/record/index.ts';
import { verifyAuditLog } from '../src/coalition/audit.ts';

const root = resolve(import.meta.dirname, '..');
let child: ChildProcess | undefined;
let context: BrowserContext | undefined;
let userDir: string | undefined;
let workDir: string | undefined;

after(async () => {
  await context?.close();
  child?.kill('SIGTERM');
  if (userDir) await rm(userDir, { recursive: true, force: true });
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

let recordFile: string | undefined;

async function startServe(): Promise<{ operatorUrl: string; accounts: Map<string, string>; stderr: () => string }> {
  workDir = await mkdtemp(join(tmpdir(), 'skyfuse-live-coalition-'));
  const c = coalitionToJson(loadScenario('small').coalition) as { partners: { id: string; releases?: unknown }[] };
  c.partners.find((p) => p.id === 'JOR')!.releases = [{ to: ['EGY'], content: 'full' }];
  const coalitionFile = join(workDir, 'coalition.json');
  await writeFile(coalitionFile, JSON.stringify(c));
  recordFile = join(workDir, 'live.sqlite');
  child = spawn(process.execPath, [join(root, 'bin', 'skyfuse'), 'serve', '--scenario', 'small', '--coalition', coalitionFile, '--port', '0', '--record', recordFile, '--audit', join(workDir, 'audit.log')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`serve printed no URL in 60 s; stderr: ${err}`)), 60_000);
    child!.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out);
      if (m && /coalition-admin .*\n/.test(out)) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    child!.once('exit', (code) => rej(new Error(`serve exited with ${code}: ${err}`)));
  });
  // "  cyp-operator       <password>  operator of Cyprus (CYP)"
  const accounts = new Map([...out.matchAll(/^ +([a-z0-9.-]+) +(\S{16}) +\S+ of /gm)].map((m) => [m[1]!, m[2]!]));
  return { operatorUrl: url, accounts, stderr: () => err };
}

test('skyfuse serve shows the live coalition picture in a browser, with tracks moving', { timeout: 150_000, skip: chromiumMissing }, async () => {
  const { operatorUrl, accounts, stderr } = await startServe();
  const base = operatorUrl.slice(0, operatorUrl.indexOf('#'));
  const token = operatorUrl.slice(operatorUrl.indexOf('#token=') + 7);
  const get = async <T>(path: string, tok: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tok}` } });
    assert.equal(res.status, 200, path);
    return (await res.json()) as T;
  };

  // The API refuses a request without a session and answers the printed one: a demo operator of Egypt.
  assert.equal((await fetch(`${base}api/status`)).status, 401);
  assert.equal((await get<{ sensors: unknown[] }>('api/coalition', token)).sensors.length, 5);
  assert.equal((await get<{ partner: string }>('api/me', token)).partner, 'EGY');

  // One demo operator per partner (and a coalition administrator), printed once.
  assert.deepEqual([...accounts.keys()], ['egy-operator', 'jor-operator', 'cyp-operator', 'coalition-admin']);
  const login = await fetch(`${base}api/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cyp-operator', password: accounts.get('cyp-operator') }),
  });
  assert.equal(login.status, 200);
  const cyp = ((await login.json()) as { token: string }).token;
  // Cyprus is not released Jordan's radars: it is not told of them, and its tracks never name them.
  const cypSensors = (await get<{ sensors: { id: string }[] }>('api/coalition', cyp)).sensors.map((s) => s.id);
  assert.deepEqual(cypSensors, ['EGY-CAI-1', 'EGY-ARI-1', 'CYP-TRO-1']);

  ({ context, userDir } = await launchChromium('skyfuse-live-'));
  const page = await context.newPage();
  page.setDefaultTimeout(90_000);
  await page.goto(operatorUrl);
  // 50 simulated aircraft: the radars confirm most within three or four scans
  // (~20 s). Wait until at least 20 tracks are drawn on the map.
  await page.waitForFunction(() => (window.__skyfuse?.renderedTrackIds().length ?? 0) >= 20, undefined, { polling: 500 });
  const ids = await page.evaluate(() => window.__skyfuse!.renderedTrackIds());
  const t1 = await page.evaluate(() => window.__skyfuse!.frameTime());
  const p1 = await page.evaluate(() => window.__skyfuse!.renderedTrackPositions());
  // Live data time follows the wall clock (within the 1 s reorder window and 1 s period).
  assert.ok(t1 !== null && Math.abs(t1 - Date.now() / 1000) < 5, `frame time ${t1} vs now ${Date.now() / 1000}`);
  // Four seconds later the same tracks have moved (aircraft fly 55-250 m/s).
  await page.waitForFunction((t) => (window.__skyfuse!.frameTime() ?? 0) >= t + 4, t1, { polling: 250 });
  const p2 = await page.evaluate(() => window.__skyfuse!.renderedTrackPositions());
  const moved = ids.filter((id) => p1[id] && p2[id] && (p1[id]![0] !== p2[id]![0] || p1[id]![1] !== p2[id]![1]));
  assert.ok(moved.length >= 15, `${moved.length} of ${ids.length} tracks moved`);
  await page.screenshot({ path: '/tmp/skyfuse-live.png' });

  // Meanwhile, the two partners' pictures differ: Egypt's tracks are fused with Jordan's radars, Cyprus's never.
  type Tracks = { t: number; tracks: { status: string; sensors: string[] }[] };
  const named = (f: Tracks) => new Set(f.tracks.flatMap((t) => t.sensors));
  let egySawJordan = false;
  for (let i = 0; i < 5; i++) {
    const [egy, cy] = await Promise.all([get<Tracks>('api/tracks', token), get<Tracks>('api/tracks', cyp)]);
    assert.ok(cy.tracks.filter((t) => t.status === 'confirmed').length >= 10, 'Cyprus has a picture');
    for (const s of named(cy)) assert.ok(!s.startsWith('JOR-'), `a Cyprus track names ${s}`);
    if ([...named(egy)].some((s) => s.startsWith('JOR-'))) egySawJordan = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.ok(egySawJordan, "Egypt's tracks are fused with Jordan's radars");

  // The sensor panel's source: each partner's granted sensors, with its own picture's registration estimates;
  // alerts likewise from its own picture (Cyprus never hears of Jordan's radars).
  type Sensors = { sensors: { id: string; status: string; feed: { records: number; lastArrivalS: number | null } | null; registration: { state: string; observations: number } | null }[] };
  const egyCoalition = (await get<{ sensors: { id: string }[] }>('api/coalition', token)).sensors.map((s) => s.id).sort();
  const sEgy = await get<Sensors>('api/sensors', token);
  assert.deepEqual(sEgy.sensors.map((s) => s.id).sort(), egyCoalition);
  assert.ok(sEgy.sensors.some((s) => s.registration !== null), `registration estimates served: ${JSON.stringify(sEgy.sensors)}`);
  // Ingest counters per granted sensor: every radar has sent records that arrived over UDP.
  for (const s of sEgy.sensors) assert.ok(s.feed !== null && s.feed.records > 0 && s.feed.lastArrivalS !== null, `feed of ${s.id}: ${JSON.stringify(s.feed)}`);
  assert.ok(sEgy.sensors.filter((s) => s.id.includes('ADSB') === false).every((s) => s.status !== 'outage'), JSON.stringify(sEgy.sensors));
  assert.deepEqual((await get<Sensors>('api/sensors', cyp)).sensors.map((s) => s.id), cypSensors);
  const cypAlerts = await get<{ alerts: { sensorId: string | null; text: string }[] }>('api/alerts', cyp);
  assert.ok(cypAlerts.alerts.every((a) => !(a.sensorId ?? '').startsWith('JOR-') && !a.text.includes('JOR-')), JSON.stringify(cypAlerts));
  assert.doesNotMatch(stderr(), /internal error/);

  // The run was recorded (serve --record): stop it cleanly, then read the recording back.
  const exited = new Promise<void>((res) => child!.once('exit', () => res()));
  child!.kill('SIGTERM');
  await exited;
  const reader = new RecordingReader(recordFile!);
  const blocks = [...reader.blocks()];
  const frames = reader.frames();
  assert.ok(blocks.length > 100, `${blocks.length} blocks recorded`);
  assert.ok(frames.length > 10, `${frames.length} frames recorded`);
  assert.ok(frames.some((f) => f.audience !== null), 'frames are recorded with their audience');
  // serve --audit: the test's logins are in the hash-chained log, which verifies.
  const audit = verifyAuditLog(join(workDir!, 'audit.log'));
  assert.equal(audit.ok, true, audit.reason ?? '');
  assert.ok(audit.entries >= 1, `${audit.entries} audit entries`);

  // serve --replay: the recording drives the operations room again; the
  // replayed picture holds the recorded tracks, addressed as before.
  const replay = spawn(process.execPath, [join(root, 'bin', 'skyfuse'), 'serve', '--replay', recordFile!, '--speed', '10', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let rout = '';
    const rurl = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error('replay printed no URL in 60 s')), 60_000);
      replay.stdout!.on('data', (d) => {
        rout += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(rout);
        if (m) {
          clearTimeout(timer);
          res(m[1]!);
        }
      });
    });
    const rbase = rurl.slice(0, rurl.indexOf('#'));
    const rtoken = rurl.slice(rurl.indexOf('#token=') + 7);
    let replayed = 0;
    for (let i = 0; i < 40 && replayed === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const r = await fetch(`${rbase}api/tracks`, { headers: { authorization: `Bearer ${rtoken}` } });
      replayed = ((await r.json()) as { tracks: unknown[] }).tracks.length;
    }
    const recorded = Math.max(...frames.filter((f) => f.audience !== null).map((f) => f.tracks.length));
    assert.ok(replayed > 0 && replayed <= recorded, `replayed ${replayed} tracks, recorded at most ${recorded}`);
  } finally {
    replay.kill('SIGTERM');
  }
});
