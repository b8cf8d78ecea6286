// The time bar, end to end: `skyfuse serve` WITHOUT --record (so the
// default scratch recording is what the bar scrubs over), a real chromium
// opening the printed URL. Pause, scrub back 35 s and check the page shows
// exactly the recorded frame of that time (compared with GET /api/history),
// that no live frame gets into the picture while paused, play at 10x, then
// back to live. The scratch file must be gone when serve exits.
// Leaves screenshots at /tmp/skyfuse-timebar-{live,paused,playing,back}.png.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from './support/chromium.ts';

const root = resolve(import.meta.dirname, '..');
let child: ChildProcess | undefined;
let context: BrowserContext | undefined;
let userDir: string | undefined;

after(async () => {
  await context?.close();
  child?.kill('SIGTERM');
  if (userDir) await rm(userDir, { recursive: true, force: true });
});

interface Bar {
  mode: 'live' | 'replay';
  playing: boolean;
  speed: number;
  positionS: number;
  shownT: number | null;
}
const bar = (page: Page): Promise<Bar> =>
  page.evaluate(() => {
    const b = (window as unknown as { __skyfuseTimebar: Bar }).__skyfuseTimebar;
    return { mode: b.mode, playing: b.playing, speed: b.speed, positionS: b.positionS, shownT: b.shownT };
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('time bar: pause, scrub back over the recording, replay at speed, back to live', { timeout: 240_000, skip: chromiumMissing }, async () => {
  // A scratch recording left by a serve that was killed (no such process): the next serve deletes it.
  const stale = join(tmpdir(), 'skyfuse-serve-4194303.sqlite');
  writeFileSync(stale, 'x');
  child = spawn(process.execPath, [join(root, 'bin', 'skyfuse'), 'serve', '--scenario', 'small', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const operatorUrl = await new Promise<string>((res, rej) => {
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
  // Without --record, serve records to a scratch file and says where.
  const scratch = /live: recording to (\S+), keeping 2 h \(scratch file/.exec(err)?.[1];
  assert.ok(scratch, `serve names its scratch recording: ${err}`);
  assert.ok(existsSync(scratch));
  assert.equal(existsSync(stale), false, 'a dead serve\'s scratch recording is swept');
  const base = operatorUrl.slice(0, operatorUrl.indexOf('#'));
  const token = operatorUrl.slice(operatorUrl.indexOf('#token=') + 7);
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, path);
    return (await res.json()) as T;
  };

  // Let 50 s of picture accumulate: enough to scrub back 35 s into a picture with tracks.
  for (;;) {
    const s = await get<{ from: number | null; to: number | null }>('api/history/span');
    if (s.from !== null && s.to !== null && s.to - s.from >= 50) break;
    await sleep(2000);
  }

  ({ context, userDir } = await launchChromium('skyfuse-timebar-'));
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(operatorUrl);
  await page.waitForFunction(() => (window.__skyfuse?.trackCount() ?? 0) >= 20, undefined, { polling: 250 });
  await page.waitForFunction(() => document.querySelector('#timebar')?.getAttribute('data-state') === 'ready', undefined, { polling: 250 });
  await page.screenshot({ path: '/tmp/skyfuse-timebar-live.png' });
  assert.equal(await page.textContent('#tb-time'), 'LIVE');

  // Pause: the picture freezes on the recorded frame of the live moment.
  await page.click('#tb-pause');
  await page.waitForFunction(() => document.body.dataset.replay === '1');
  assert.equal((await bar(page)).mode, 'replay');

  // Scrub back 35 s (the slider, as a user drags it).
  const liveT = (await page.evaluate(() => window.__skyfuse!.frameTime()))!;
  const target = Math.round(liveT - 35);
  await page.$eval('#tb-slider', (el, v) => {
    const s = el as HTMLInputElement;
    s.value = String(v);
    s.dispatchEvent(new Event('input', { bubbles: true }));
    s.dispatchEvent(new Event('change', { bubbles: true }));
  }, target);
  await page.waitForFunction((t) => {
    const b = (window as unknown as { __skyfuseTimebar: Bar }).__skyfuseTimebar;
    return b.shownT !== null && b.shownT <= t && b.shownT > t - 3;
  }, target, { polling: 100 });
  const shown = (await bar(page)).shownT!;
  assert.equal(await page.evaluate(() => window.__skyfuse!.frameTime()), shown);
  // The page shows the recorded frame of that time: the newest frame at or before the target, exactly.
  type H = { frames: { t: number; tracks: { id: string; lat: number; lon: number }[] }[] };
  const h = await get<H>(`api/history?from=${target - 5}&to=${target + 0.001}`);
  const want = h.frames[h.frames.length - 1]!;
  assert.equal(shown, want.t);
  assert.ok(want.tracks.length >= 10, `${want.tracks.length} tracks recorded at -35 s`);
  const ids = await page.evaluate(() => window.__skyfuse!.tableOrder());
  assert.deepEqual([...ids].sort(), want.tracks.map((k) => k.id).sort());
  // Drawn where the recording has them: read back from MapLibre's rendered tiles once they show this frame
  // (software WebGL under load may take a few seconds); tiles quantise GeoJSON (~0.001 deg at this zoom).
  const rec: Record<string, [number, number]> = Object.fromEntries(want.tracks.map((k) => [k.id, [k.lon, k.lat] as [number, number]]));
  const drawn = await page.waitForFunction((r) => {
    const pos = window.__skyfuse!.renderedTrackPositions();
    let n = 0;
    for (const [id, p] of Object.entries(pos)) {
      const k = r[id];
      if (!k) return null; // a track not in the recorded frame is drawn
      if (Math.abs(p[0] - k[0]) > 3e-3 || Math.abs(p[1] - k[1]) > 3e-3) return null;
      n++;
    }
    return n >= 5 ? n : null;
  }, rec, { polling: 250, timeout: 30_000 }).then((h) => h.jsonValue());
  assert.ok(drawn! >= 5, `${drawn} drawn tracks match the recording`);
  // The replayed time is shown prominently; the status bar shows that frame's time too.
  const label = (await page.textContent('#tb-time'))!;
  assert.match(label, new RegExp(`^REPLAY ${new Date(target * 1000).toISOString().slice(0, 19).replace('T', ' ')}Z$`));

  // Paused: live frames keep arriving on the socket, none enters the picture.
  const liveBefore = (await get<{ t: number }>('api/tracks')).t;
  await sleep(2500);
  assert.ok((await get<{ t: number }>('api/tracks')).t >= liveBefore + 2, 'live went on');
  assert.equal(await page.evaluate(() => window.__skyfuse!.frameTime()), shown, 'no live frame mixed into the paused replay');
  await page.screenshot({ path: '/tmp/skyfuse-timebar-paused.png' });

  // Play at 10x: about 10 s of recording per second (timed with the page's own clock).
  await page.selectOption('#tb-speed', '10');
  await page.click('#tb-play');
  const head = () => page.evaluate(() => [(window as unknown as { __skyfuseTimebar: Bar }).__skyfuseTimebar.positionS, performance.now(), window.__skyfuse!.frameTime()!] as const);
  const [p0, w0] = await head();
  await sleep(1500);
  const [p1, w1, t1] = await head();
  // Slow to 1x before the (slow, under load) screenshot, so the play head stays well short of the live edge.
  await page.selectOption('#tb-speed', '1');
  await page.screenshot({ path: '/tmp/skyfuse-timebar-playing.png' });
  await page.click('#tb-play'); // pause
  const b1 = await bar(page);
  assert.equal(b1.mode, 'replay');
  assert.equal(b1.playing, false);
  const rate = (p1 - p0) / ((w1 - w0) / 1000);
  // Wide bounds: it tells 10x from 1x, 2x or 30x; under CI load the page's
  // animation frames stall and the play head has measured 7.2 (a run at
  // load ~10 failed on a bound of 8).
  assert.ok(rate > 5 && rate < 15, `10x: ${rate.toFixed(1)} s of recording per second`);
  assert.ok(t1 > shown + 10 && t1 <= p1 + 0.01 && t1 > p1 - 2, `frame ${t1 - shown} s on, play head ${p1 - shown} s on`);
  // The frame on screen during play is a recorded one of this partner.
  const h1 = await get<H>(`api/history?from=${t1}&to=${t1 + 0.001}`);
  assert.equal(h1.frames.length, 1);

  // Back to live.
  await page.click('#tb-live');
  await page.waitForFunction(() => document.body.dataset.replay === '');
  assert.equal((await bar(page)).mode, 'live');
  await page.waitForFunction(() => Math.abs((window.__skyfuse!.frameTime() ?? 0) - Date.now() / 1000) < 4, undefined, { polling: 100 });
  assert.equal(await page.textContent('#tb-time'), 'LIVE');
  await page.screenshot({ path: '/tmp/skyfuse-timebar-back.png' });

  // 60x from 30 s back reaches the live edge by itself and returns to live.
  await page.click('#tb-pause');
  await page.$eval('#tb-slider', (el, v) => {
    const s = el as HTMLInputElement;
    s.value = String(v);
    s.dispatchEvent(new Event('change', { bubbles: true }));
  }, Math.round(Date.now() / 1000 - 30));
  await page.selectOption('#tb-speed', '60');
  await page.click('#tb-play');
  await page.waitForFunction(() => document.body.dataset.replay === '', undefined, { timeout: 10_000 });

  // serve deletes its scratch recording when it stops.
  const size = statSync(scratch).size;
  assert.ok(size > 0);
  const exited = new Promise<void>((res) => child!.once('exit', () => res()));
  child.kill('SIGTERM');
  await exited;
  child = undefined;
  for (const x of ['', '-wal', '-shm']) assert.equal(existsSync(scratch + x), false, `${scratch}${x} left behind`);
  assert.doesNotMatch(err, /internal error|SKY_SERVE_INTERNAL/);
});
