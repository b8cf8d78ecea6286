// What `npm start` does, end to end: `skyfuse serve` runs the simulated
// coalition live (real UDP on loopback, ingest, tracker, bus, server), and a
// real browser opening the printed URL draws the tracks and sees them move.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const root = resolve(import.meta.dirname, '..');
let child: ChildProcess | undefined;
let context: BrowserContext | undefined;
let userDir: string | undefined;

after(async () => {
  await context?.close();
  child?.kill('SIGTERM');
  if (userDir) await rm(userDir, { recursive: true, force: true });
});

async function startServe(): Promise<{ operatorUrl: string; stderr: () => string }> {
  child = spawn(process.execPath, [join(root, 'bin', 'skyfuse'), 'serve', '--scenario', 'small', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`serve printed no URL in 60 s; stderr: ${err}`)), 60_000);
    child!.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    child!.once('exit', (code) => rej(new Error(`serve exited with ${code}: ${err}`)));
  });
  return { operatorUrl: url, stderr: () => err };
}

test('skyfuse serve shows the live coalition picture in a browser, with tracks moving', { timeout: 150_000, skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (apt-get install chromium)` }, async () => {
  const { operatorUrl, stderr } = await startServe();
  const base = operatorUrl.slice(0, operatorUrl.indexOf('#'));
  const token = operatorUrl.slice(operatorUrl.indexOf('#token=') + 7);

  // The API refuses a request without the token and answers with it.
  assert.equal((await fetch(`${base}api/status`)).status, 401);
  const ok = await fetch(`${base}api/coalition`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { sensors: unknown[] }).sensors.length, 5);

  userDir = await mkdtemp(join(tmpdir(), 'skyfuse-live-'));
  context = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
  });
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
  assert.doesNotMatch(stderr(), /internal error/);
});
