// The time bar's alert list in a real chromium: the server records every
// alert change (src/alert/journal.ts) to a real SQLite recording, as
// `skyfuse serve` does; scrubbing back shows the alerts recorded at that
// time (read-only), not the live ones, and back to live shows the live list
// again. Alpha's radar is released to no one: its emergency is in Alpha's
// recorded alerts, and never in Bravo's, even while Bravo scrubs over it.
// Leaves screenshots at /tmp/skyfuse-timebar-alerts-{replay,live}.png.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { parseCoalition } from '../src/coalition/coalition.ts';
import { InProcessBus } from '../src/core/bus.ts';
import type { Coalition, SystemTrack, TrackFrame } from '../src/core/types.ts';
import { Recorder } from '../src/record/recorder.ts';
import { Membership, type ServerHandle, UserDirectory, startServer } from '../src/serve/index.ts';
import { chromiumMissing, launchChromium } from './support/chromium.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-timebar-alerts-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const TOKEN = 'timebar-alerts-token-0123456789';
const TOKEN_B = 'timebar-alerts-token-bravo-0123';

const coalition: Coalition = parseCoalition({
  partners: [
    { id: 'AAA', name: 'Alpha', status: 'member', releases: [] },
    { id: 'BBB', name: 'Bravo', status: 'member' },
  ],
  // ADS-B receivers (no rotation): no sensor-outage alert gets in the way.
  sensors: [
    { id: 'AAA-A1', partner: 'AAA', kind: 'adsb', sac: 10, sic: 1, lat: 33, lon: 33, altM: 10, maxRangeM: 400000, sigmaRangeM: 30 },
    { id: 'BBB-A1', partner: 'BBB', kind: 'adsb', sac: 20, sic: 1, lat: 33, lon: 34, altM: 10, maxRangeM: 400000, sigmaRangeM: 30 },
  ],
});

let context: BrowserContext | undefined;
let userDir: string | undefined;
let server: ServerHandle | undefined;
let recorder: Recorder | undefined;
let timer: NodeJS.Timeout | undefined;
after(async () => {
  clearInterval(timer);
  await context?.close();
  await server?.close();
  recorder?.close();
  if (userDir) await rm(userDir, { recursive: true, force: true });
});

const trk = (id: string, t: number, over: Partial<SystemTrack>): SystemTrack => ({
  kind: 'track', id, timeS: t, status: 'confirmed', latDeg: 33.2, lonDeg: 33.2, altM: 9000, velEastMps: 0, velNorthMps: 0,
  sigmaM: 50, icao24: '4c8001', mode3a: '4522', callsign: 'CYP401', sensors: ['AAA-A1'], partners: ['AAA'], ...over,
});

interface Shown { kind: string; state: string; ack: boolean }
const list = (page: Page): Promise<Shown[]> =>
  page.$$eval('#alert-list .alert', (els) => els.map((e) => ({ kind: (e as HTMLElement).dataset.kind!, state: (e as HTMLElement).dataset.state!, ack: e.querySelector('button.ack') !== null })));
const scrub = (page: Page, t: number) =>
  page.$eval('#tb-slider', (el, v) => {
    const s = el as HTMLInputElement;
    s.value = String(v);
    s.dispatchEvent(new Event('input', { bubbles: true }));
    s.dispatchEvent(new Event('change', { bubbles: true }));
  }, t);

test('time bar: the alert list shows the recorded alerts at the scrubbed time, the live ones again back to live', { timeout: 180_000, skip: chromiumMissing }, async () => {
  const file = join(dir, 'rec.db');
  const startS = Math.floor(Date.now() / 1000) - 60;
  recorder = new Recorder({ file, session: { coalition, startOfDayS: startS - (startS % 86400), periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience' }, clock: () => Date.now() / 1000 });
  const bus = new InProcessBus();
  const membership = new Membership(coalition);
  const keyA = membership.audienceOf('AAA')!.key;
  const keyB = membership.audienceOf('BBB')!.key;
  const users = new UserDirectory();
  const rec = recorder;
  server = await startServer({
    host: '127.0.0.1', port: 0, bus, membership, users, recording: { file }, operator: { token: TOKEN, partnerId: 'AAA' },
    alertLog: { record: (e) => rec.recordEvent(e), session: () => rec.session },
  });
  server.sessions.issue({ kind: 'demo', subject: 'bravo', partnerId: 'BBB', role: 'operator', ttlS: Infinity }, TOKEN_B);
  // One frame per second, recorded as the live pipeline records them. Alpha's T1 squawks 7700 from -55 s to -40 s;
  // T9, seen by Bravo's receiver (released to both), has no identity from -30 s on: an unknown aircraft for both.
  const publish = (t: number) => {
    const rel = t - startS;
    const t1 = trk('T1', t, { mode3a: rel >= 5 && rel < 20 ? '7700' : '4522' });
    const t9 = trk('T9', t, { latDeg: 33.4, lonDeg: 33.8, sensors: ['BBB-A1'], partners: ['BBB'], ...(rel >= 30 ? { icao24: null, mode3a: null, callsign: null } : { icao24: '740701', mode3a: '3315', callsign: 'RJA303' }) });
    for (const f of [{ kind: 'frame', timeS: t, audience: keyA, tracks: [t1, t9] }, { kind: 'frame', timeS: t, audience: keyB, tracks: [t9] }] satisfies TrackFrame[]) {
      rec.recordFrame(f);
      bus.publish('tracks', f);
    }
  };
  for (let t = startS; t < startS + 60; t++) publish(t);
  rec.commit();
  let next = startS + 60;
  timer = setInterval(() => {
    while (next <= Date.now() / 1000) publish(next++);
  }, 250);

  ({ context, userDir } = await launchChromium('skyfuse-timebar-alerts-'));
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(server.operatorUrl);
  await page.waitForFunction(() => document.querySelector('#timebar')?.getAttribute('data-state') === 'ready', undefined, { polling: 250 });
  await page.click('#tab-alerts');
  // Live: the unknown aircraft (active, can be acknowledged) and the emergency, cleared at -40 s.
  await page.waitForFunction(() => document.querySelectorAll('#alert-list .alert').length === 2, undefined, { polling: 250 });
  const live = await list(page);
  assert.deepEqual(live, [{ kind: 'unknown-aircraft', state: 'active', ack: true }, { kind: 'emergency', state: 'cleared', ack: false }]);

  // Pause, scrub back to -50 s: the emergency was active then and the unknown aircraft not yet raised.
  await page.click('#tb-pause');
  await scrub(page, startS + 10);
  await page.waitForFunction(() => {
    const items = [...document.querySelectorAll<HTMLElement>('#alert-list .alert')];
    return items.length === 1 && items[0]!.dataset.kind === 'emergency' && items[0]!.dataset.state === 'active';
  }, undefined, { polling: 100 });
  assert.deepEqual(await list(page), [{ kind: 'emergency', state: 'active', ack: false }], 'recorded, read-only: no Ack button');
  assert.match((await page.textContent('#alert-list'))!, /Recorded alerts at the replayed time[\s\S]*EMERGENCY 7700[\s\S]*CYP401 squawks 7700/);
  await page.screenshot({ path: '/tmp/skyfuse-timebar-alerts-replay.png' });
  // Live alert lists keep arriving meanwhile (a new frame's change would push one): none replaces the recorded list.
  const recorded = await page.evaluate(() => (window as unknown as { __skyfuseTimebar: { shownAlerts: { kind: string }[] } }).__skyfuseTimebar.shownAlerts.map((a) => a.kind));
  assert.deepEqual(recorded, ['emergency']);

  // Scrub to -25 s: the emergency cleared (at -40 s) and the unknown aircraft raised (at -30 s).
  await scrub(page, startS + 35);
  await page.waitForFunction(() => document.querySelectorAll('#alert-list .alert').length === 2, undefined, { polling: 100 });
  assert.deepEqual(await list(page), [{ kind: 'unknown-aircraft', state: 'active', ack: false }, { kind: 'emergency', state: 'cleared', ack: false }]);

  // Back to live: the live list again, acknowledgeable.
  await page.click('#tb-live');
  await page.waitForFunction(() => document.body.dataset.replay === '');
  await page.waitForFunction(() => document.querySelector('#alert-list .alert button.ack') !== null, undefined, { polling: 100 });
  assert.deepEqual(await list(page), live);
  assert.equal(await page.$('#alert-list .recorded'), null);
  await page.screenshot({ path: '/tmp/skyfuse-timebar-alerts-live.png' });

  // Bravo scrubbing over the same moment: its own audience's alerts only, never Alpha's emergency.
  const pageB = await context.newPage();
  await pageB.goto(server.operatorUrl.replace(TOKEN, TOKEN_B));
  await pageB.waitForFunction(() => document.querySelector('#timebar')?.getAttribute('data-state') === 'ready', undefined, { polling: 250 });
  await pageB.click('#tab-alerts');
  await pageB.click('#tb-pause');
  await scrub(pageB, startS + 35);
  await pageB.waitForFunction(() => document.querySelector('#alert-list .recorded') !== null && document.querySelectorAll('#alert-list .alert').length === 1, undefined, { polling: 100 });
  assert.deepEqual(await list(pageB), [{ kind: 'unknown-aircraft', state: 'active', ack: false }]);
  await scrub(pageB, startS + 10);
  await pageB.waitForFunction(() => document.querySelector('#alert-list .recorded') !== null && document.querySelectorAll('#alert-list .alert').length === 0, undefined, { polling: 100 });
  assert.doesNotMatch((await pageB.textContent('#alert-list'))!, /7700|EMERGENCY/);
});
