// The operations-room page in a real browser (Debian chromium, headless,
// software WebGL): an operator logs in through the form, tracks published on
// the bus must be drawn by MapLibre (read back from the rendered layer, not
// just received), move, fill the table, the status bar names the partner,
// logout returns to the form, and the page must not contact any host but
// its own server.
// Leaves a screenshot at /tmp/skyfuse-browser.png for a person to look at.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';
import { InProcessBus } from '../src/core/bus.ts';
import type { Coalition, SystemTrack, TrackFrame } from '../src/core/types.ts';
import { Membership, type ServerHandle, UserDirectory, startServer } from '../src/serve/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const DEG = Math.PI / 180;
const TOKEN = 'browser-test-token-0123456789';
const USER = 'cyp-operator';
const PASSWORD = 'browser test password 1';
const T0 = 1763900000;
/** Data seconds per published frame: faster than real time so movement shows within a few frames. */
const DATA_STEP_S = 4;
const PUBLISH_MS = 200;
const SCREENSHOT = '/tmp/skyfuse-browser.png';

const coalition: Coalition = {
  partners: [
    { id: 'EGY', name: 'Egypt', status: 'member', releases: null },
    { id: 'CYP', name: 'Cyprus', status: 'member', releases: null },
    { id: 'JOR', name: 'Jordan', status: 'member', releases: null },
  ],
  sensors: [
    {
      id: 'EGY-CAI-1', partnerId: 'EGY', kind: 'psr+ssr', sac: 10, sic: 1, latRad: 30.12 * DEG, lonRad: 31.41 * DEG,
      altM: 120, rotationS: 4.8, maxRangeM: 250000, psrMaxRangeM: 120000, sigmaRangeM: 70, sigmaAzimuthRad: 0.08 * DEG,
    },
    {
      id: 'CYP-LCA-1', partnerId: 'CYP', kind: 'mode-s', sac: 20, sic: 1, latRad: 34.88 * DEG, lonRad: 33.63 * DEG,
      altM: 40, rotationS: 4, maxRangeM: 300000, psrMaxRangeM: null, sigmaRangeM: 40, sigmaAzimuthRad: 0.05 * DEG,
    },
    {
      id: 'JOR-AMM-1', partnerId: 'JOR', kind: 'ssr', sac: 30, sic: 2, latRad: 31.72 * DEG, lonRad: 35.99 * DEG,
      altM: 780, rotationS: 5, maxRangeM: 250000, psrMaxRangeM: null, sigmaRangeM: 60, sigmaAzimuthRad: 0.07 * DEG,
    },
  ],
};

interface Flight {
  id: string;
  lat0: number;
  lon0: number;
  vE: number;
  vN: number;
  altM: number | null;
  callsign: string | null;
  mode3a: string | null;
  icao24: string | null;
  status: SystemTrack['status'];
  sensors: string[];
  partners: string[];
}

// Spread over the coalition region, one per altitude band, one coasting, one without altitude.
const FLIGHTS: Flight[] = [
  { id: 'T1', lat0: 31.2, lon0: 30.0, vE: 220, vN: 60, altM: 11280, callsign: 'MSR777', mode3a: '2101', icao24: '010203', status: 'confirmed', sensors: ['EGY-CAI-1'], partners: ['EGY'] },
  { id: 'T2', lat0: 33.6, lon0: 32.6, vE: -150, vN: -180, altM: 8530, callsign: 'CYP401', mode3a: '4522', icao24: '4c8001', status: 'confirmed', sensors: ['CYP-LCA-1', 'EGY-CAI-1'], partners: ['CYP', 'EGY'] },
  { id: 'T3', lat0: 32.0, lon0: 35.2, vE: 120, vN: 140, altM: 4570, callsign: null, mode3a: '6107', icao24: null, status: 'confirmed', sensors: ['JOR-AMM-1'], partners: ['JOR'] },
  { id: 'T4', lat0: 29.4, lon0: 33.5, vE: -90, vN: 200, altM: 1520, callsign: 'RJA303', mode3a: '3315', icao24: '740701', status: 'confirmed', sensors: ['EGY-CAI-1', 'JOR-AMM-1'], partners: ['EGY', 'JOR'] },
  { id: 'T5', lat0: 34.3, lon0: 30.8, vE: 230, vN: -20, altM: null, callsign: null, mode3a: null, icao24: null, status: 'tentative', sensors: ['CYP-LCA-1'], partners: ['CYP'] },
  { id: 'T6', lat0: 28.6, lon0: 35.0, vE: -200, vN: -100, altM: 10060, callsign: 'SVA112', mode3a: '1234', icao24: '710101', status: 'coasting', sensors: [], partners: [] },
];
const IDS = FLIGHTS.map((f) => f.id).sort();

// Every partner releases everything: one audience, whose frames every session sees.
const membership = new Membership(coalition);
const AUDIENCE = membership.audienceOf('CYP')!.key;

function frameAt(k: number): TrackFrame {
  const dt = k * DATA_STEP_S;
  const timeS = T0 + dt;
  return {
    kind: 'frame',
    audience: AUDIENCE,
    timeS,
    tracks: FLIGHTS.map((f) => ({
      kind: 'track',
      id: f.id,
      timeS,
      status: f.status,
      // Flat-earth motion is plenty for a display test (a few km).
      latDeg: f.lat0 + (f.vN * dt) / 111_320,
      lonDeg: f.lon0 + (f.vE * dt) / (111_320 * Math.cos(f.lat0 * DEG)),
      altM: f.altM,
      velEastMps: f.vE,
      velNorthMps: f.vN,
      sigmaM: 80,
      icao24: f.icao24,
      mode3a: f.mode3a,
      callsign: f.callsign,
      sensors: f.sensors,
      partners: f.partners,
    })),
  };
}

const hasChromium = existsSync(CHROMIUM);

describe('operations-room page in chromium', { skip: hasChromium ? false : `${CHROMIUM} not found: install Debian chromium (apt-get install -y chromium) to run the browser test` }, () => {
  let bus: InProcessBus;
  let server: ServerHandle;
  let context: BrowserContext;
  let userDir: string;
  let timer: NodeJS.Timeout | undefined;
  let k = 0;

  before(async () => {
    bus = new InProcessBus();
    const users = new UserDirectory();
    await users.add({ username: USER, partnerId: 'CYP', role: 'operator' }, PASSWORD);
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users, demo: true, operator: { token: TOKEN, partnerId: 'EGY' } });
    timer = setInterval(() => {
      bus.publish('tracks', frameAt(k));
      if (k % 5 === 0) {
        bus.publish('events', coalition.sensors.filter((s) => s.id !== 'JOR-AMM-1').map((s) => ({ kind: 'north-marker' as const, sensorId: s.id, timeS: T0 + k * DATA_STEP_S })));
      }
      k++;
    }, PUBLISH_MS);
    userDir = await mkdtemp(join(tmpdir(), 'skyfuse-chromium-'));
    context = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 860 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
    });
  });

  after(async () => {
    if (timer) clearInterval(timer);
    await context?.close();
    await server?.close();
    await bus?.close();
    if (userDir) await rm(userDir, { recursive: true, force: true });
  });

  test('logs in through the form, draws the published tracks, follows their motion, fills the table, logs out, and talks only to 127.0.0.1', { timeout: 120_000 }, async () => {
    const requests: string[] = [];
    const problems: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    page.on('websocket', (ws) => requests.push(ws.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));

    page.setDefaultTimeout(45_000);
    await page.goto(server.url);

    // No session: the login form, the demo warning, nothing drawn.
    await page.locator('#login-form').waitFor({ state: 'visible' });
    assert.ok(await page.locator('#demo-banner').isVisible());
    assert.match(await page.locator('#demo-banner').innerText(), /DEMO ACCOUNTS/);
    assert.equal(await page.evaluate(() => window.__skyfuse!.trackCount()), 0);
    // A wrong password is refused in the form.
    await page.locator('#login-user').fill(USER);
    await page.locator('#login-password').fill('not the password');
    await page.locator('#login-submit').click();
    await page.waitForFunction(() => (document.querySelector('#login-error')?.textContent ?? '').includes('wrong username or password'));
    assert.ok(await page.locator('#login-form').isVisible());
    // The right one opens the picture.
    await page.locator('#login-password').fill(PASSWORD);
    await page.locator('#login-password').press('Enter');
    await page.locator('#login').waitFor({ state: 'hidden' });
    await page.waitForFunction(() => (document.querySelector('#who')?.textContent ?? '').includes('Cyprus'));
    assert.equal(await page.locator('#who').innerText(), `Cyprus (CYP) - ${USER}, operator`);

    // Drawn, not just received: the ids come back from MapLibre's rendered track layer.
    await page.waitForFunction(
      (ids) => {
        const s = window.__skyfuse;
        if (!s) return false;
        const drawn = s.renderedTrackIds();
        return ids.every((id) => drawn.includes(id));
      },
      IDS,
      { timeout: 60_000, polling: 200 },
    );
    assert.deepEqual(await page.evaluate(() => window.__skyfuse!.renderedTrackIds()), IDS);
    assert.equal(await page.evaluate(() => window.__skyfuse!.trackCount()), FLIGHTS.length);

    // The session token never appears in the address bar.
    assert.ok(!page.url().includes('token'), page.url());

    // Tracks move: data time advances and the rendered T1 symbol moves east.
    const t1 = await page.evaluate(() => window.__skyfuse!.frameTime());
    assert.ok(t1 !== null && t1 >= T0);
    const p1 = await page.evaluate(() => window.__skyfuse!.renderedTrackPositions()['T1']);
    await page.waitForFunction(({ t, step }) => (window.__skyfuse!.frameTime() ?? 0) >= t + 5 * step, { t: t1, step: DATA_STEP_S }, { polling: 100 });
    await page.waitForFunction(
      (lon) => {
        const p = window.__skyfuse!.renderedTrackPositions()['T1'];
        return p !== undefined && p[0] > lon + 0.05;
      },
      p1![0],
      { timeout: 30_000, polling: 200 },
    );

    // The table has one row per track with the identities.
    const rows = page.locator('#track-table tbody tr');
    assert.equal(await rows.count(), FLIGHTS.length);
    const tableText = await page.locator('#track-table tbody').innerText();
    for (const s of ['MSR777', 'CYP401', '6107', 'RJA303', 'coasting', 'tentative', 'CYP-LCA-1 EGY-CAI-1']) assert.ok(tableText.includes(s), `${s} in table`);

    // Sorting by the FL column orders rows by flight level (unknown last).
    await page.locator('#track-table th', { hasText: 'FL' }).click();
    const byFl = await page.locator('#track-table tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.id));
    assert.deepEqual(byFl, ['T4', 'T3', 'T2', 'T6', 'T1', 'T5']);
    await page.locator('#track-table th', { hasText: 'FL' }).click();
    const byFlDesc = await page.locator('#track-table tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.id));
    assert.deepEqual(byFlDesc.slice(0, 5), ['T1', 'T6', 'T2', 'T3', 'T4']);

    // Selecting a row shows identities, contributing sensors and partner names.
    await page.locator('#track-table tbody tr[data-id="T2"]').click();
    await page.waitForFunction(() => document.querySelector('#details')?.textContent?.includes('CYP401'));
    const details = await page.locator('#details').innerText();
    for (const s of ['T2', 'CYP401', '4522', '4c8001', 'CYP-LCA-1', 'Cyprus', 'Egypt', 'FL280']) assert.ok(details.includes(s), `${s} in details: ${details}`);
    assert.equal(await page.locator('#track-table tbody tr.selected').getAttribute('data-id'), 'T2');

    // Clicking a symbol on the map selects that track.
    const pt = await page.evaluate(() => window.__skyfuse!.trackScreenPoint('T4'));
    assert.ok(pt);
    await page.mouse.click(pt[0], pt[1]);
    await page.waitForFunction(() => document.querySelector('#details')?.textContent?.includes('RJA303'));
    assert.equal(await page.locator('#track-table tbody tr.selected').getAttribute('data-id'), 'T4');
    await page.locator('#track-table tbody tr[data-id="T2"]').click();
    await page.waitForFunction(() => document.querySelector('#details')?.textContent?.includes('CYP401'));

    // Labels are drawn on the overlay; the status bar shows the link, data time and count.
    assert.ok((await page.evaluate(() => window.__skyfuse!.labelCount())) >= 4);
    await page.waitForFunction(() => document.querySelector('#conn')?.getAttribute('data-state') === 'live');
    assert.match(await page.locator('#data-time').innerText(), /data time 2025-11-23 \d\d:\d\d:\d\dZ/);
    assert.equal(await page.locator('#track-count').innerText(), '6 tracks');

    // Let a couple more frames land with T2 selected, then keep the picture for a person to check.
    await page.waitForTimeout(1000);
    await page.screenshot({ path: SCREENSHOT });

    // Logout: the session ends on the server, the picture is cleared, the form is back.
    const token = await page.evaluate(() => sessionStorage.getItem('skyfuse.token'));
    assert.ok(token && token.length >= 40);
    await page.locator('#logout').click();
    await page.locator('#login-form').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('skyfuse.token')), null);
    await page.waitForTimeout(3 * PUBLISH_MS);
    assert.equal(await page.evaluate(() => window.__skyfuse!.trackCount()), 0, 'no frame after logout');
    assert.equal(await page.locator('#track-table tbody tr').count(), 0);
    assert.equal((await fetch(new URL('/api/status', server.url), { headers: { authorization: `Bearer ${token}` } })).status, 401);

    const outside = requests.filter((u) => {
      const url = new URL(u);
      // data: and blob: URLs are in-page (MapLibre's CSS icons, its worker fallback), not network.
      if (url.protocol === 'data:' || url.protocol === 'blob:') return false;
      return url.hostname !== '127.0.0.1';
    });
    assert.deepEqual(outside, [], 'the page contacted another host');
    assert.ok(requests.some((u) => u.endsWith('/assets/maplibre-gl-worker.mjs')), 'MapLibre worker served by us');
    assert.ok(requests.some((u) => u.endsWith('/assets/countries-50m.json')), 'outlines served by us');
    assert.ok(requests.some((u) => u.startsWith('ws://127.0.0.1:') && u.endsWith('/api/ws')), 'picture streamed by our WebSocket');
    // The browser reports the deliberately wrong password's 401 on the console; that one only.
    const refusedLogin = problems.filter((p) => /status of 401/.test(p));
    assert.equal(refusedLogin.length, 1, problems.join('\n'));
    assert.deepEqual(problems.filter((p) => !refusedLogin.includes(p)), []);
    await page.close();
  });

  test('a wrong token in the address shows "credentials refused", the login form, and draws nothing', { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}#token=not-the-token-0123456789`);
    await page.waitForFunction(() => document.querySelector('#conn')?.getAttribute('data-state') === 'unauthorized', undefined, { timeout: 30_000 });
    assert.ok(await page.locator('#login-form').isVisible());
    assert.equal(await page.evaluate(() => window.__skyfuse!.trackCount()), 0);
    await page.close();
  });

  test('the printed address (#token=) opens the demo session of its partner without the form', { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    await page.goto(server.operatorUrl);
    await page.waitForFunction(() => (document.querySelector('#who')?.textContent ?? '').includes('Egypt'), undefined, { timeout: 30_000 });
    assert.ok(!(await page.locator('#login-form').isVisible()));
    await page.waitForFunction(() => (window.__skyfuse?.trackCount() ?? 0) === 6, undefined, { timeout: 30_000 });
    await page.close();
  });
});
