// The time bar on a replay server, end to end: a real `serve --replay`
// server (startReplay) over a real 90 s recording of the `small` coalition,
// a real chromium. A coalition administrator's page shows the bar spanning
// the recording; pausing and seeking on the bar (as a drag on the slider
// does) moves the server's replay, the bar says "seeking..." until the
// picture arrives, and the track table then holds exactly the tracks of a
// replay that ran straight to that time, back and forth. An operator's page
// on the same server shows the same bar with its controls disabled.
// Leaves /tmp/skyfuse-replay-control-{admin,operator}.png.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { Chain, Replayer } from '../src/record/index.ts';
import type { TrackFrame } from '../src/core/types.ts';
import { runLive } from '../src/record/testing.ts';
import { startReplay, type ReplaySystem } from '../src/app/replay.ts';
import { chromiumMissing, launchChromium } from './support/chromium.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-replay-control-browser-'));
let sys: ReplaySystem | undefined;
let context: BrowserContext | undefined;
let userDir: string | undefined;
after(async () => {
  await context?.close();
  await sys?.close();
  if (userDir) await rm(userDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

interface Bar { server: { atS: number; paused: boolean; seeking: boolean; control: boolean } | null; seeking: boolean }
const bar = (page: Page) =>
  page.evaluate(() => {
    const b = (window as unknown as { __skyfuseTimebar: Bar }).__skyfuseTimebar;
    return { server: b.server, seeking: b.seeking };
  });

/** Drag the slider to `t` and let go, as a user does; what the bar says at once. */
const dragTo = (page: Page, t: number) =>
  page.$eval('#tb-slider', (el, v) => {
    const s = el as HTMLInputElement;
    s.value = String(v);
    s.dispatchEvent(new Event('input', { bubbles: true }));
    s.dispatchEvent(new Event('change', { bubbles: true }));
    return { seeking: (window as unknown as { __skyfuseTimebar: Bar }).__skyfuseTimebar.seeking, text: document.querySelector('#tb-window')!.textContent };
  }, t);

test('time bar on a replay server: the administrator seeks the replay from the bar, the table shows the picture of that time; an operator sees the bar disabled', { timeout: 240_000, skip: chromiumMissing }, async () => {
  const file = join(dir, 'rec.db');
  const run = runLive({ durationS: 90, file });
  run.recorder!.close();
  const startS = run.startS;
  // A replay run straight through: Egypt's frames (the administrator's partner) by data time.
  const egy = new Chain(run.config, { onFrame: () => {} }).fusion!.audienceOf('EGY')!.key;
  const straight = new Map<number, TrackFrame>();
  const rp = new Replayer(file, { speed: 'max', onFrame: (f) => { if (f.audience === egy) straight.set(f.timeS, f); } });
  rp.runToEnd();
  rp.stop();

  sys = await startReplay({ file, speed: 1, host: '127.0.0.1', port: 0, demoAccounts: true, log: () => {} });
  const admin = sys.demoAccounts.find((a) => a.username === 'coalition-admin')!;
  assert.equal(admin.partnerId, 'EGY');
  const login = await fetch(new URL('/api/login', sys.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: admin.username, password: admin.password }) });
  const { token } = (await login.json()) as { token: string };

  ({ context, userDir } = await launchChromium('skyfuse-replay-control-'));
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${sys.url}#token=${token}`);
  await page.waitForFunction(() => document.querySelector('#timebar')?.getAttribute('data-server') === 'replay', undefined, { polling: 100 });
  await page.waitForFunction(() => (window.__skyfuse?.trackCount() ?? 0) >= 5, undefined, { polling: 250 });
  assert.equal(await page.getAttribute('#tb-slider', 'min'), String(Math.floor(startS)));
  assert.ok(Math.abs(Number(await page.getAttribute('#tb-slider', 'max')) - (startS + 90)) <= 1);
  assert.equal(await page.isDisabled('#tb-slider'), false);
  assert.equal(await page.textContent('#tb-play'), 'Pause', 'the replay plays');

  // Pause from the bar: the server's replay pauses.
  await page.click('#tb-play');
  await page.waitForFunction(() => (window as unknown as { __skyfuseTimebar: Bar }).__skyfuseTimebar.server?.paused === true);
  assert.equal(await page.textContent('#tb-play'), 'Play');
  assert.equal(sys.replayer.playing, false);

  const tableIds = () => page.evaluate(() => [...window.__skyfuse!.tableOrder()].sort());
  /** The table's rows as shown (track, callsign, code, FL, speed, status, sensors). */
  const tableRows = () => page.$$eval('#track-table tbody tr[data-id]', (rows) => rows.map((r) => [...(r as HTMLTableRowElement).cells].map((c) => c.textContent).join('|')));
  const seekAndCheck = async (t: number) => {
    const before = await tableRows();
    const now = await dragTo(page, t);
    // Until the picture of that time is in, the bar says so.
    assert.equal(now.seeking, true);
    assert.match(now.text!, /seeking/);
    // The picture of time x: each audience's latest frame then (frames trail their tick by the reordering window).
    await page.waitForFunction((x) => {
      const f = window.__skyfuse!.frameTime();
      return f !== null && f <= x && f > x - 5 && document.querySelector('#timebar')?.getAttribute('data-seeking') === '';
    }, t, { polling: 50 });
    const shownT = (await page.evaluate(() => window.__skyfuse!.frameTime()))!;
    const want = straight.get(shownT);
    assert.ok(want, `a straight replay has Egypt's frame of +${shownT - startS} s`);
    const ids = await tableIds();
    assert.deepEqual(ids, want.tracks.map((k) => k.id).sort(), `the table holds the tracks of +${shownT - startS} s`);
    const rows = await tableRows();
    assert.ok(rows.length >= 5, `${rows.length} rows shown`);
    assert.notDeepEqual(rows, before, 'the table changed');
    // The map draws the tracks where a straight replay had them then.
    const drawn = await page.evaluate(() => window.__skyfuse!.renderedTrackPositions());
    assert.ok(Object.keys(drawn).length >= 5, `${Object.keys(drawn).length} tracks drawn`);
    for (const [id, [lon, lat]] of Object.entries(drawn)) {
      const k = want.tracks.find((x) => x.id === id);
      assert.ok(k, `${id} drawn is in the straight replay's frame`);
      assert.ok(Math.abs(k.latDeg - lat) < 1e-4 && Math.abs(k.lonDeg - lon) < 1e-4, `${id} at ${lat},${lon}, straight ${k.latDeg},${k.lonDeg}`);
    }
    assert.ok(Math.abs(sys!.replayer.positionS - t) < 1e-6, 'the server replay is at the time sought');
    assert.equal(sys!.replayer.playing, false, 'and stays paused');
    assert.match((await page.textContent('#tb-window'))!, /paused/);
    return ids.length;
  };
  const n70 = await seekAndCheck(Math.round(startS + 70));
  await page.screenshot({ path: '/tmp/skyfuse-replay-control-admin.png' });
  const n25 = await seekAndCheck(Math.round(startS + 25));
  assert.ok(n70 >= 5 && n25 >= 1, `${n70} and ${n25} tracks`);

  // Egypt's demo operator (the operator session startReplay opens) on the same server: the same bar, controls disabled.
  const op = await context.newPage();
  await op.goto(sys.operatorUrl);
  await op.waitForFunction(() => (window as unknown as { __skyfuseTimebar: Bar }).__skyfuseTimebar.server !== null, undefined, { polling: 100 });
  assert.equal((await bar(op)).server!.control, false);
  assert.equal(await op.isDisabled('#tb-slider'), true);
  assert.equal(await op.isDisabled('#tb-play'), true);
  assert.equal(await op.isDisabled('#tb-speed'), true);
  assert.match((await op.textContent('#tb-window'))!, /controlled by a coalition administrator/);
  assert.ok(Math.abs(Number(await op.inputValue('#tb-slider')) - Math.round(startS + 25)) <= 1, 'the operator sees the replay time');
  await op.screenshot({ path: '/tmp/skyfuse-replay-control-operator.png' });

  // The administrator plays on at 10x from the bar: the replay time runs.
  await page.selectOption('#tb-speed', '10');
  await page.waitForFunction(() => (window as unknown as { __skyfuseTimebar: { server: { speed: number } } }).__skyfuseTimebar.server.speed === 10);
  await page.click('#tb-play');
  await page.waitForFunction((x) => (window.__skyfuse!.frameTime() ?? 0) > x + 5, startS + 25, { polling: 100 });
  assert.equal(sys.replayer.currentSpeed, 10);
});
