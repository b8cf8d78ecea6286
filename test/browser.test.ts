// The operations-room page in a real browser (Debian chromium, headless,
// software WebGL): an operator logs in through the form, tracks published on
// the bus must be drawn (read back from what the track layer uploaded and
// drew in view, not just received), move, fill the table, the status bar names the partner,
// logout returns to the form, and the page must not contact any host but
// its own server.
// Alerts computed by the server from the partner's frames are listed and
// acknowledged, an emergency squawk flashes on the map, APP-6 symbols are
// read back from the track layer and the icon atlas (pixels: tracklayer.test.ts), and the table
// stays virtualised at 2,000 tracks, where the page's own main-thread time
// per update is measured (/tmp/skyfuse-perf.json).
// Leaves screenshots at /tmp/skyfuse-browser.png, /tmp/skyfuse-alerts.png and
// /tmp/skyfuse-2000.png for a person to look at.

import assert from 'node:assert/strict';
import { chromiumMissing, launchChromium } from './support/chromium.ts';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { InProcessBus } from '../src/core/bus.ts';
import type { Coalition, SystemTrack, TrackFrame } from '../src/core/types.ts';
import { Membership, type ServerHandle, UserDirectory, startServer } from '../src/serve/index.ts';

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
  // An emergency (7700, Mode 3/A only), far west so it never crosses T4 (clicked on the map), and a primary-only aircraft.
  { id: 'T7', lat0: 33.0, lon0: 27.5, vE: 100, vN: -20, altM: 6100, callsign: null, mode3a: '7700', icao24: null, status: 'confirmed', sensors: ['EGY-CAI-1'], partners: ['EGY'] },
  { id: 'T8', lat0: 33.0, lon0: 34.5, vE: -120, vN: 60, altM: 2400, callsign: null, mode3a: null, icao24: null, status: 'confirmed', sensors: ['CYP-LCA-1'], partners: ['CYP'] },
];
/** Affiliation by the page's rule: Mode S of a member state (EGY, CYP, JOR here) friend; other transponders neutral; none unknown; tentative pending. */
const AFFILIATION: Record<string, string> = { T1: 'friend', T2: 'friend', T3: 'neutral', T4: 'friend', T5: 'pending', T6: 'neutral', T7: 'neutral', T8: 'unknown' };
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


describe('operations-room page in chromium', { skip: chromiumMissing }, () => {
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
    // Ingest counters as a live server would report them: Egypt's radar 25 plots/s of wall time, 0.8 s behind;
    // Cyprus's in step with the frames; Jordan's never heard (its outage is the north-marker alert's).
    const startMs = Date.now();
    const feedStatsOf = () => {
      const dataS = T0 + k * DATA_STEP_S;
      const plots = Math.floor(((Date.now() - startMs) / 1000) * 25);
      return {
        'EGY-CAI-1': { records: plots, plots, lastDataS: dataS, lastArrivalS: dataS + 0.8 },
        'CYP-LCA-1': { records: 10 * k, plots: 10 * k, lastDataS: dataS, lastArrivalS: dataS + 0.3 },
      };
    };
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users, demo: true, operator: { token: TOKEN, partnerId: 'EGY' }, feedStatsOf });
    timer = setInterval(() => {
      bus.publish('tracks', frameAt(k));
      // Egypt's and Cyprus's radars are heard every frame (4 s of data), Jordan's never: an outage.
      {
        bus.publish('events', coalition.sensors.filter((s) => s.id !== 'JOR-AMM-1').map((s) => ({ kind: 'north-marker' as const, sensorId: s.id, timeS: T0 + k * DATA_STEP_S })));
      }
      k++;
    }, PUBLISH_MS);
    ({ context, userDir } = await launchChromium('skyfuse-chromium-'));
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
    // 404s by path: the time bar asks GET /api/history/span, which a server without a recording answers 404 SKY_NO_RECORDING.
    const notFound: string[] = [];
    context.on('response', (r) => {
      if (r.status() === 404) notFound.push(new URL(r.url()).pathname);
    });
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

    // Frames come over skyfuse.v2 (binary keyframe + deltas): the drawn tracks above arrived that way.
    assert.equal(await page.evaluate(() => window.__skyfuse!.wire()), 'skyfuse.v2');
    // The basemap's airports (airport-data-js): the large ones in the coalition view, the medium ones zoomed in.
    await page.waitForFunction(() => ['HECA', 'LCLK', 'OLBA'].every((c) => window.__skyfuse!.renderedAirports().includes(c)), undefined, { polling: 200 });
    assert.ok(!(await page.evaluate(() => window.__skyfuse!.renderedAirports())).includes('LCRA'), 'a medium airport is not drawn at the coalition view');
    assert.deepEqual(await page.evaluate(() => window.__skyfuse!.airportLabels()), [], 'no airport code at the coalition view');
    const view = await page.evaluate(() => window.__skyfuse!.view());
    await page.evaluate(() => window.__skyfuse!.jumpTo({ lon: 33.2, lat: 34.8, zoom: 8 }));
    await page.waitForFunction(() => window.__skyfuse!.renderedAirports().includes('LCRA'), undefined, { polling: 200 });
    // Their ICAO codes are written beside them (the label overlay: the map has no glyphs).
    await page.waitForFunction(() => ['LCLK', 'LCPH', 'LCRA'].every((c) => window.__skyfuse!.airportLabels().includes(c)), undefined, { polling: 200 });
    await page.screenshot({ path: '/tmp/skyfuse-airports.png' });
    await page.evaluate((v) => window.__skyfuse!.jumpTo(v), view);
    // ... and were decoded in the decoder worker (web/src/decoder-worker.ts), not on the page's main thread.
    const decoded = await page.evaluate(() => window.__skyfuse!.decoded());
    assert.ok(decoded.worker > 0 && decoded.main === 0, JSON.stringify(decoded));

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
    const rows = page.locator('#track-table tbody tr[data-id]');
    assert.equal(await rows.count(), FLIGHTS.length);
    const tableText = await page.locator('#track-table tbody').innerText();
    for (const s of ['MSR777', 'CYP401', '6107', 'RJA303', 'coasting', 'tentative', 'CYP-LCA-1 EGY-CAI-1']) assert.ok(tableText.includes(s), `${s} in table`);

    // Sorting by the FL column orders rows by flight level (unknown last).
    // The table redraws its rows on the next animation frame: read them once they are there.
    const rowIds = async () => {
      await page.waitForFunction((n) => document.querySelectorAll('#track-table tbody tr[data-id]').length === n, FLIGHTS.length, { timeout: 10_000, polling: 50 });
      return page.locator('#track-table tbody tr[data-id]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.id));
    };
    await page.locator('#track-table th', { hasText: 'FL' }).click();
    const byFl = await rowIds();
    assert.deepEqual(byFl, ['T4', 'T8', 'T3', 'T7', 'T2', 'T6', 'T1', 'T5']);
    await page.locator('#track-table th', { hasText: 'FL' }).click();
    const byFlDesc = await rowIds();
    assert.deepEqual(byFlDesc.slice(0, 7), ['T1', 'T6', 'T2', 'T7', 'T3', 'T8', 'T4']);

    // The filter box: callsign, Mode 3/A or id.
    await page.locator('#track-filter').fill('msr');
    await page.waitForFunction(() => window.__skyfuse!.tableOrder().join() === 'T1');
    assert.equal(await rows.count(), 1);
    await page.locator('#track-filter').fill('7700');
    await page.waitForFunction(() => window.__skyfuse!.tableOrder().join() === 'T7');
    assert.equal(await page.locator('#tracks-count').innerText(), `1/${FLIGHTS.length}`);
    await page.locator('#track-filter').fill('');
    await page.waitForFunction((n) => window.__skyfuse!.tableOrder().length === n, FLIGHTS.length);

    // APP-6 symbols: every track drawn with its affiliation's icon (read back from the track layer),
    // the atlas on the GPU, drawn in the atlas in its standard colour.
    await page.waitForFunction((n) => Object.keys(window.__skyfuse!.renderedSymbols()).length === n, FLIGHTS.length, { polling: 200 });
    const symbols = await page.evaluate(() => window.__skyfuse!.renderedSymbols());
    assert.deepEqual(symbols, Object.fromEntries(Object.entries(AFFILIATION).map(([id, a]) => [id, `sym-${a}`])));
    const atlas = await page.evaluate(() => window.__skyfuse!.atlas());
    for (const [a, c] of Object.entries(atlas)) {
      assert.ok(c.inMap, `${a}: atlas on the GPU`);
      assert.ok(c.opaque > 40, `${a} symbol drawn in the atlas: ${c.opaque} px`);
    }
    const [fr, ne, un] = [atlas.friend.rgb, atlas.neutral.rgb, atlas.unknown.rgb];
    assert.ok(fr[2] > fr[0] + 60, `friend is blue: ${fr}`);
    assert.ok(ne[1] > ne[0] + 40 && ne[1] > ne[2] + 40, `neutral is green: ${ne}`);
    assert.ok(un[0] > un[2] + 60 && un[1] > un[2] + 60, `unknown is yellow: ${un}`);
    // Pending is hollow (frame only): far fewer drawn pixels than the filled unknown, so the two differ at a glance.
    assert.ok(atlas.pending.opaque < 0.6 * atlas.unknown.opaque, `pending ${atlas.pending.opaque} px vs unknown ${atlas.unknown.opaque} px`);
    assert.equal(await page.locator('#legend .legend-symbol').count(), 4);

    // Alerts, from the server, for this partner's picture: the 7700, the unknown aircraft and Jordan's silent radar.
    await page.waitForFunction(() => {
      const kinds = window.__skyfuse!.alerts().filter((a) => a.state === 'active').map((a) => `${a.kind}:${a.trackId ?? a.sensorId}`);
      return ['emergency:T7', 'unknown-aircraft:T8', 'sensor-outage:JOR-AMM-1'].every((k) => kinds.includes(k));
    }, undefined, { polling: 200 });
    assert.match(await page.locator('#alert-badge').innerText(), /3 alerts: EMERGENCY/);
    // The audible cue (cue.ts): the emergency sounded (its tones read back from the audio graph's analyser), and
    // every alert raised so far was announced; nothing sounded muted.
    await page.waitForFunction(() => window.__skyfuse!.cues().some((c) => c.kind === 'emergency' && c.peak !== null), undefined, { polling: 100 });
    const cues = await page.evaluate(() => window.__skyfuse!.cues());
    const alertIds = await page.evaluate(() => window.__skyfuse!.alerts().filter((a) => a.state === 'active').map((a) => `${a.kind}:${a.id}`));
    const sosCue = cues.find((c) => c.kind === 'emergency' && c.ids.length > 0)!;
    assert.ok(sosCue.played && sosCue.peak! > 0.05, JSON.stringify(cues));
    for (const k of alertIds) assert.ok(cues.some((c) => c.ids.includes(k.slice(k.indexOf(':') + 1))), `${k} announced: ${JSON.stringify(cues)}`);
    // Muted by the operator, and back on (remembered in this browser).
    await page.locator('#sound').click();
    assert.equal(await page.locator('#sound').getAttribute('aria-pressed'), 'false');
    assert.equal(await page.evaluate(() => localStorage.getItem('skyfuse.sound')), 'off');
    await page.locator('#sound').click();
    assert.equal(await page.locator('#sound').innerText(), 'Sound on');
    // The emergency flashes red on the map, as a halo read back from the track layer.
    assert.deepEqual(await page.evaluate(() => window.__skyfuse!.renderedEmergencies()), ['T7']);
    await page.locator('#alert-badge').click();
    const sos = page.locator('#alert-list .alert[data-kind="emergency"]');
    assert.equal(await sos.getAttribute('data-state'), 'active');
    assert.match(await sos.innerText(), /EMERGENCY 7700[\s\S]*A7700 squawks 7700 \(emergency\)/);
    // Clicking the alert selects its track.
    await sos.locator('.alert-text').click();
    await page.waitForFunction(() => document.querySelector('#details')?.textContent?.includes('7700'));
    assert.equal(await page.evaluate(() => document.querySelector('#details .emergency-text')?.textContent), '7700');
    await page.waitForTimeout(600);
    await page.screenshot({ path: '/tmp/skyfuse-alerts.png' });
    // Acknowledge: the server records it for this partner; the badge counts two.
    await sos.locator('button.ack').click();
    await page.waitForFunction(() => document.querySelector('#alert-list .alert[data-kind="emergency"]')?.getAttribute('data-state') === 'acknowledged');
    assert.match(await page.locator('#alert-list .alert[data-kind="emergency"]').innerText(), new RegExp(`ack ${USER}`));
    assert.equal(await page.locator('#alert-badge').innerText(), '2 alerts');

    // Sensors: the granted ones with owner, status and a coverage toggle that removes the ring.
    await page.locator('#tab-sensors').click();
    await page.waitForFunction(() => document.querySelectorAll('#sensor-panel tr[data-id]').length === 3);
    assert.match(await page.locator('#sensor-panel tr[data-id="JOR-AMM-1"]').innerText(), /ssr\s+Jordan\s+OUTAGE/);
    assert.match(await page.locator('#sensor-panel tr[data-id="EGY-CAI-1"]').innerText(), /Egypt\s+ok, \d+ s ago/);
    // Data rate from two polls of the ingest counters (25 plots/s by construction), latency arrival - data time.
    await page.waitForFunction(() => (window.__skyfuse!.sensorRates()['EGY-CAI-1'] ?? null) !== null, undefined, { timeout: 20_000, polling: 250 });
    const rate = (await page.evaluate(() => window.__skyfuse!.sensorRates()['EGY-CAI-1']))!;
    assert.ok(rate > 20 && rate < 30, `EGY-CAI-1 at ${rate} plots/s, 25 expected`);
    assert.match(await page.locator('#sensor-panel tr[data-id="EGY-CAI-1"] td.rate').innerText(), /^2\d\.\d plots\/s$/);
    assert.equal(await page.locator('#sensor-panel tr[data-id="EGY-CAI-1"] td.latency').innerText(), '0.8 s');
    assert.equal(await page.locator('#sensor-panel tr[data-id="CYP-LCA-1"] td.latency').innerText(), '0.3 s');
    assert.equal(await page.locator('#sensor-panel tr[data-id="JOR-AMM-1"] td.rate').innerText(), '-', 'no counters, no rate');
    // Range rings every 50 NM inside each coverage (250 km: 2 rings; 300 km: 3), read back from the rendered layer.
    await page.waitForFunction(() => Object.keys(window.__skyfuse!.renderedRings()).length === 3, undefined, { polling: 200 });
    assert.deepEqual(await page.evaluate(() => window.__skyfuse!.renderedRings()), { 'CYP-LCA-1': 3, 'EGY-CAI-1': 2, 'JOR-AMM-1': 2 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: '/tmp/skyfuse-sensors.png' });
    // The sensor's coverage toggle takes its rings too; the rings toggle removes all.
    await page.locator('#sensor-panel input[data-coverage="JOR-AMM-1"]').uncheck();
    await page.waitForFunction(() => !('JOR-AMM-1' in window.__skyfuse!.renderedRings()), undefined, { polling: 200 });
    await page.locator('#range-rings').uncheck();
    await page.waitForFunction(() => Object.keys(window.__skyfuse!.renderedRings()).length === 0, undefined, { polling: 200 });
    await page.locator('#range-rings').check();
    await page.locator('#sensor-panel input[data-coverage="JOR-AMM-1"]').check();
    await page.locator('#tab-tracks').click();

    // Selecting a row shows identities, contributing sensors and partner names.
    await page.locator('#track-table tbody tr[data-id="T2"]').click();
    await page.waitForFunction(() => document.querySelector('#details')?.textContent?.includes('CYP401'));
    const details = await page.locator('#details').innerText();
    for (const s of ['T2', 'CYP401', '4522', '4c8001', 'CYP-LCA-1', 'Cyprus', 'Egypt', 'FL280', 'friend', 'History since']) assert.ok(details.includes(s), `${s} in details: ${details}`);
    // History: the positions this page received, newest first, with levels.
    assert.ok((await page.locator('#details table.history tbody tr').count()) >= 3);
    assert.match(await page.locator('#details table.history tbody tr').first().innerText(), /\d\d:\d\d:\d\d\s+280\s+3\d\.\d{3}\s+3\d\.\d{3}/);
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
    assert.equal(await page.locator('#track-count').innerText(), `${FLIGHTS.length} tracks`);

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
    assert.equal(await page.locator('#track-table tbody tr[data-id]').count(), 0);
    assert.equal(await page.locator('#alert-list .alert').count(), 0, 'alerts cleared at logout');
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
    // Besides it, only the time bar's "no recording" answers, one console line each.
    assert.deepEqual(notFound.filter((p) => !p.startsWith('/api/history')), [], 'no other resource missing');
    const noRecording = problems.filter((p) => /status of 404/.test(p));
    assert.ok(noRecording.length <= notFound.length, problems.join('\n'));
    assert.deepEqual(problems.filter((p) => !refusedLogin.includes(p) && !noRecording.includes(p)), []);
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
    await page.waitForFunction((n) => (window.__skyfuse?.trackCount() ?? 0) === n, FLIGHTS.length, { timeout: 30_000 });
    await page.close();
  });

  test('a page that asks for skyfuse.v1 (?wire=v1) still gets JSON frames, and its tracks move', { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    const binary: number[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => typeof payload !== 'string' && binary.push(payload.length)));
    await page.goto(server.operatorUrl.replace('/#token=', '/?wire=v1#token='));
    await page.waitForFunction((n) => (window.__skyfuse?.trackCount() ?? 0) === n, FLIGHTS.length, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.__skyfuse!.wire()), 'skyfuse.v1');
    const t1 = (await page.evaluate(() => window.__skyfuse!.frameTime()))!;
    await page.waitForFunction((t) => (window.__skyfuse!.frameTime() ?? 0) >= t + 3 * 4, t1, { polling: 100 });
    assert.deepEqual(binary, [], 'no binary frame to a v1 page');
    await page.close();
  });

  test('without its decoder worker (the script fails to load) the page decodes skyfuse.v2 on the main thread, and its tracks move', { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    await page.route('**/assets/decoder.js', (route) => route.fulfill({ status: 404, body: 'gone' }));
    await page.goto(server.operatorUrl);
    await page.waitForFunction((n) => (window.__skyfuse?.trackCount() ?? 0) === n, FLIGHTS.length, { timeout: 30_000 });
    const t1 = (await page.evaluate(() => window.__skyfuse!.frameTime()))!;
    await page.waitForFunction((t) => (window.__skyfuse!.frameTime() ?? 0) >= t + 3 * 4, t1, { polling: 100 });
    assert.equal(await page.evaluate(() => window.__skyfuse!.wire()), 'skyfuse.v2');
    const decoded = await page.evaluate(() => window.__skyfuse!.decoded());
    assert.ok(decoded.main >= 3 && decoded.worker === 0, JSON.stringify(decoded));
    await page.close();
  });
});

/** 2,000 synthetic tracks over the region, deterministic, moving at 1 Hz of data time. */
function bigFrame(k: number, audience: string, n: number): TrackFrame {
  const timeS = T0 + k;
  const tracks: SystemTrack[] = [];
  for (let i = 0; i < n; i++) {
    // A low-discrepancy spread over 26-36N, 27-40E; headings and speeds from the index.
    const lat0 = 26 + ((i * 0.618034) % 1) * 10;
    const lon0 = 27 + ((i * 0.414214) % 1) * 13;
    const hdg = ((i * 137.508) % 360) * DEG;
    const v = 120 + (i % 13) * 10;
    const vE = v * Math.sin(hdg);
    const vN = v * Math.cos(hdg);
    const id = i % 10;
    tracks.push({
      kind: 'track', id: `T${i + 1}`, timeS, status: id === 9 ? 'tentative' : id === 8 ? 'coasting' : 'confirmed',
      latDeg: lat0 + (vN * k) / 111_320, lonDeg: lon0 + (vE * k) / (111_320 * Math.cos(lat0 * DEG)),
      altM: id === 7 ? null : 600 + ((i * 397) % 12000), velEastMps: vE, velNorthMps: vN, sigmaM: 80,
      icao24: id < 5 ? (0x010000 + i * 97).toString(16).padStart(6, '0') : null,
      mode3a: id < 7 ? (0o1000 + (i % 3000)).toString(8).padStart(4, '0') : null,
      callsign: id < 5 ? `SKY${i + 1}` : null,
      sensors: id === 8 ? [] : ['EGY-CAI-1'], partners: id === 8 ? [] : ['EGY'],
    });
  }
  return { kind: 'frame', audience, timeS, tracks };
}

const N_BIG = 2000;

describe('operations room at 2,000 tracks, 1 Hz', { skip: chromiumMissing }, () => {
  let bus: InProcessBus;
  let server: ServerHandle;
  let context: BrowserContext;
  let userDir: string;
  let timer: NodeJS.Timeout | undefined;

  before(async () => {
    bus = new InProcessBus();
    const token = 'perf-test-token-0123456789';
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users: new UserDirectory(), operator: { token, partnerId: 'EGY' } });
    let k = 0;
    const send = () => {
      bus.publish('events', coalition.sensors.map((s) => ({ kind: 'north-marker' as const, sensorId: s.id, timeS: T0 + k })));
      bus.publish('tracks', bigFrame(k++, AUDIENCE, N_BIG));
    };
    send();
    timer = setInterval(send, 1000);
    ({ context, userDir } = await launchChromium('skyfuse-chromium-perf-'));
  });

  after(async () => {
    if (timer) clearInterval(timer);
    await context?.close();
    await server?.close();
    await bus?.close();
    if (userDir) await rm(userDir, { recursive: true, force: true });
  });

  test('the table stays virtualised, symbols are drawn, and the page\'s main-thread time per update is measured', { timeout: 150_000 }, async (t) => {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(server.operatorUrl);
    await page.waitForFunction((n) => (window.__skyfuse?.trackCount() ?? 0) === n, N_BIG, { polling: 250 });
    // Virtualised: a few dozen rows in the DOM for 2,000 tracks; the whole order is still sorted and filterable.
    const domRows = await page.evaluate(() => window.__skyfuse!.tableDomRows());
    assert.ok(domRows > 10 && domRows < 100, `${domRows} DOM rows for ${N_BIG} tracks`);
    assert.equal(await page.locator('#track-table tbody tr[data-id]').count(), domRows);
    assert.equal((await page.evaluate(() => window.__skyfuse!.tableOrder())).length, N_BIG);
    // Scrolling to the end draws the last rows (by natural id order) and still only a few dozen.
    await page.locator('#table-wrap').evaluate((e) => (e.scrollTop = e.scrollHeight));
    await page.waitForFunction((n) => [...document.querySelectorAll('#track-table tbody tr[data-id]')].at(-1)?.getAttribute('data-id') === `T${n}`, N_BIG);
    assert.ok((await page.evaluate(() => window.__skyfuse!.tableDomRows())) < 100);
    await page.locator('#table-wrap').evaluate((e) => (e.scrollTop = 0));
    // Symbols come back from the rendered layer (those in view).
    await page.waitForFunction(() => Object.keys(window.__skyfuse!.renderedSymbols()).length > 500, undefined, { polling: 500 });

    // Measure over 15 updates: the page's own work (decode, apply, label redraws) and the renderer
    // main thread's total busy time (CDP TaskDuration, which includes MapLibre's frames).
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metric = async (name: string) => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? 0);
    await page.evaluate(() => window.__skyfuse!.updateStats(true));
    const task0 = await metric('TaskDuration');
    const script0 = await metric('ScriptDuration');
    const f0 = await page.evaluate(() => window.__skyfuse!.frameTime() ?? 0);
    await page.waitForFunction((f) => (window.__skyfuse!.frameTime() ?? 0) >= f + 15, f0, { timeout: 60_000, polling: 250 });
    const task1 = await metric('TaskDuration');
    const script1 = await metric('ScriptDuration');
    const st = await page.evaluate(() => window.__skyfuse!.updateStats(true));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
    const perUpdate = st.applyMs.map((a, i) => a + (st.parseMs[i] ?? 0));
    const figures = {
      tracks: N_BIG,
      updates: st.frames,
      decodePlusApplyMs: { mean: +mean(perUpdate).toFixed(1), p50: +pct(perUpdate, 0.5).toFixed(1), p95: +pct(perUpdate, 0.95).toFixed(1) },
      decodeMs: +mean(st.parseMs).toFixed(1),
      labelRedrawMs: { mean: +mean(st.labelMs).toFixed(1), p95: +pct(st.labelMs, 0.95).toFixed(1), redrawsPerUpdate: +(st.labelMs.length / Math.max(1, st.frames)).toFixed(1) },
      rendererMainThreadMsPerUpdate: +(((task1 - task0) * 1000) / Math.max(1, st.frames)).toFixed(1),
      rendererScriptMsPerUpdate: +(((script1 - script0) * 1000) / Math.max(1, st.frames)).toFixed(1),
    };
    t.diagnostic(`main thread at ${N_BIG} tracks: ${JSON.stringify(figures)}`);
    await writeFile('/tmp/skyfuse-perf.json', `${JSON.stringify(figures, null, 2)}\n`);
    assert.ok(st.frames >= 12, `${st.frames} updates applied in 15 s of data`);
    // Generous bound: this checks that nothing degenerated (e.g. a full DOM table), not a target.
    assert.ok(figures.decodePlusApplyMs.p50 < 250, JSON.stringify(figures));
    await page.screenshot({ path: '/tmp/skyfuse-2000.png' });
    await page.close();
  });
});
