// Export from the time bar, end to end: `skyfuse serve --scenario small`
// (scratch recording), a real chromium on the printed URL. Pause, scrub a
// few seconds back (so every frame of the window is committed), choose CSV,
// click Export: the browser saves a file whose content is exactly what
// GET /api/export answers for the same window (header, and one line per
// track per frame); then GeoJSON, which must parse as a FeatureCollection.
// Leaves a screenshot at /tmp/skyfuse-export-ui.png.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
interface Bar { exportRange(): { from: number; to: number } | null; positionS: number; exporting: boolean }
const range = (page: Page) => page.evaluate(() => (window as unknown as { __skyfuseTimebar: Bar }).__skyfuseTimebar.exportRange());

test('time bar Export: the saved CSV is the export API\'s answer for the window shown', { timeout: 180_000, skip: chromiumMissing }, async () => {
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
  const base = operatorUrl.slice(0, operatorUrl.indexOf('#'));
  const token = operatorUrl.slice(operatorUrl.indexOf('#token=') + 7);
  const api = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

  for (;;) {
    const s = (await (await api('api/history/span')).json()) as { from: number | null; to: number | null };
    if (s.from !== null && s.to !== null && s.to - s.from >= 20) break;
    await sleep(2000);
  }

  ({ context, userDir } = await launchChromium('skyfuse-export-'));
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(operatorUrl);
  await page.waitForFunction(() => document.querySelector('#timebar')?.getAttribute('data-state') === 'ready', undefined, { polling: 250 });
  assert.equal(await page.isEnabled('#tb-export'), true);
  assert.deepEqual(await page.$$eval('#tb-format option', (os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent])), [['csv', 'CSV'], ['geojson', 'GeoJSON'], ['kml', 'KML']]);

  // Pause, then 5 s back: the window [start of recording, play head] is fixed and fully recorded.
  await page.click('#tb-pause');
  await page.waitForFunction(() => document.body.dataset.replay === '1');
  const head = await page.evaluate(() => (window as unknown as { __skyfuseTimebar: Bar }).__skyfuseTimebar.positionS);
  await page.$eval('#tb-slider', (el, v) => {
    const s = el as HTMLInputElement;
    s.value = String(v);
    s.dispatchEvent(new Event('change', { bubbles: true }));
  }, Math.round(head - 5));
  const w = (await range(page))!;
  assert.ok(w && w.to - w.from >= 10, `window ${JSON.stringify(w)}`);

  await page.selectOption('#tb-format', 'csv');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tb-export')]);
  const saved = await readFile((await download.path())!, 'utf8');
  await page.screenshot({ path: '/tmp/skyfuse-export-ui.png' });

  const res = await api(`api/export?from=${w.from}&to=${w.to}&format=csv`);
  assert.equal(res.status, 200);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  assert.equal(download.suggestedFilename(), name);
  assert.match(name!, /^skyfuse-\w+-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv$/);
  const want = await res.text();
  const lines = saved.trimEnd().split('\n');
  const header = want.slice(0, want.indexOf('\n'));
  assert.equal(header, 't,utc,id,status,lat,lon,altM,vE,vN,sigmaM,icao24,mode3a,callsign,sensors,partners');
  assert.equal(lines[0], header);
  assert.equal(lines.length, want.trimEnd().split('\n').length);
  assert.ok(lines.length > 50, `${lines.length} lines: tracks over ${w.to - w.from} s`);
  assert.equal(saved, want);
  // Every line inside the window (the first column is the time, s since the epoch).
  for (const l of lines.slice(1)) {
    const t = Number(l.slice(0, l.indexOf(',')));
    assert.ok(t >= w.from && t <= w.to, `line at ${t} outside [${w.from}, ${w.to}]`);
  }

  // GeoJSON of the same window: a FeatureCollection with one feature per track path.
  await page.selectOption('#tb-format', 'geojson');
  const [dl2] = await Promise.all([page.waitForEvent('download'), page.click('#tb-export')]);
  assert.match(dl2.suggestedFilename(), /\.geojson$/);
  const gj = JSON.parse(await readFile((await dl2.path())!, 'utf8')) as { type: string; features: unknown[] };
  assert.equal(gj.type, 'FeatureCollection');
  assert.ok(gj.features.length >= 5, `${gj.features.length} features`);
  await page.waitForFunction(() => !(window as unknown as { __skyfuseTimebar: Bar }).__skyfuseTimebar.exporting);
  assert.equal(await page.textContent('#tb-export'), 'Export');
});
