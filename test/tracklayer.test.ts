// The track layer (web/src/tracklayer.ts: symbols, rings, halos and vectors
// drawn by our own WebGL layer from typed arrays) in a real browser: the
// pixels of a screenshot around each track must show its altitude ring and
// its affiliation's symbol colour, an empty patch of sea must not; clicking a
// symbol selects that track (CPU hit-test over the layer's arrays) and its
// ring turns white; clicking empty sea clears the selection.
// Leaves /tmp/skyfuse-tracklayer.png and /tmp/skyfuse-tracklayer-selected.png.

import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from './support/chromium.ts';
import { InProcessBus } from '../src/core/bus.ts';
import type { Coalition, SystemTrack, TrackFrame } from '../src/core/types.ts';
import { Membership, type ServerHandle, UserDirectory, startServer } from '../src/serve/index.ts';

const DEG = Math.PI / 180;
const TOKEN = 'tracklayer-test-token-0123456789';
const T0 = 1763900000;

// One radar far east of the view, so no coverage line (cyan, like the friend fill) crosses the tracks.
const coalition: Coalition = {
  partners: [
    { id: 'EGY', name: 'Egypt', status: 'member', releases: null },
    { id: 'JOR', name: 'Jordan', status: 'member', releases: null },
  ],
  sensors: [
    {
      id: 'JOR-FAR-1', partnerId: 'JOR', kind: 'ssr', sac: 30, sic: 2, latRad: 20 * DEG, lonRad: 55 * DEG,
      altM: 700, rotationS: 5, maxRangeM: 50000, psrMaxRangeM: null, sigmaRangeM: 60, sigmaAzimuthRad: 0.07 * DEG,
    },
  ],
};
const membership = new Membership(coalition);

const track = (id: string, lat: number, lon: number, over: Partial<SystemTrack>): SystemTrack => ({
  kind: 'track', id, timeS: T0, status: 'confirmed', latDeg: lat, lonDeg: lon, altM: 11600, velEastMps: 0, velNorthMps: 150, sigmaM: 80,
  icao24: null, mode3a: null, callsign: null, sensors: [], partners: [], ...over,
});

// Static positions, well apart on screen at the initial zoom (about 32 px per degree).
const TRACKS: SystemTrack[] = [
  // Friend (an Egyptian Mode S address), FL380: a purple ring around a light blue symbol.
  track('T1', 31.0, 30.5, { icao24: '010203', mode3a: '2101', callsign: 'MSR100' }),
  // Neutral (a Mode S address of no member), FL380: purple ring, green symbol.
  track('T2', 29.0, 34.5, { icao24: 'a00001', mode3a: '1200', callsign: 'N100' }),
  // Emergency squawk (neutral): the red halo.
  track('T3', 32.5, 35.5, { mode3a: '7700' }),
];
// T4 jumps 0.1 degree east per frame (3 px at this zoom) with no velocity (so no vector): only its trail lies west of it.
const T4_START_LON = 30.5;
const frameAt = (k: number): TrackFrame => ({
  kind: 'frame', audience: membership.audienceOf('EGY')!.key, timeS: T0 + k,
  tracks: [
    ...TRACKS.map((t) => ({ ...t, timeS: T0 + k })),
    track('T4', 27.5, T4_START_LON + 0.1 * Math.min(k, 40), { timeS: T0 + k, altM: 5000, velNorthMps: 0, mode3a: '3001' }),
  ],
});

/** Pixels in a box around a page point that satisfy a colour test, counted in a PNG screenshot (decoded by the page). */
type Kind = 'purple' | 'lightblue' | 'green' | 'red' | 'white' | 'yellow';
async function countPixels<K extends string>(page: Page, png: Buffer, named: Record<K, { x: number; y: number; r: number; kind: Kind }>): Promise<Record<K, number>> {
  const keys = Object.keys(named) as K[];
  const boxes = keys.map((k) => named[k]);
  const counts = await page.evaluate(
    async ({ b64, boxes }) => {
      // Decoded from bytes, not a data: URL (the page's CSP allows no such fetch).
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const img = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      return boxes.map(({ x, y, r, kind }) => {
        const d = ctx.getImageData(Math.round(x - r), Math.round(y - r), 2 * r + 1, 2 * r + 1).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
          const [R, G, B] = [d[i]!, d[i + 1]!, d[i + 2]!];
          const hit =
            kind === 'purple' ? R > 110 && B > 130 && G < 0.75 * R && G < 0.75 * B
            : kind === 'lightblue' ? B > 200 && G > 170 && R > 90 && R < 170
            : kind === 'green' ? G > 170 && R < 0.8 * G && B < 0.8 * G
            : kind === 'red' ? R > 150 && G < 0.5 * R && B < 0.5 * R
            : kind === 'yellow' ? R > 90 && G > 80 && B < 0.5 * G && Math.abs(R - G) < 60
            : R > 230 && G > 230 && B > 230;
          if (hit) n++;
        }
        return n;
      });
    },
    { b64: png.toString('base64'), boxes },
  );
  return Object.fromEntries(keys.map((k, i) => [k, counts[i] ?? 0])) as Record<K, number>;
}

describe('track layer (WebGL custom layer) in chromium', { skip: chromiumMissing }, () => {
  let bus: InProcessBus;
  let server: ServerHandle;
  let context: BrowserContext;
  let userDir: string;
  let timer: NodeJS.Timeout | undefined;

  before(async () => {
    bus = new InProcessBus();
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users: new UserDirectory(), operator: { token: TOKEN, partnerId: 'EGY' }, log: () => {} });
    let k = 0;
    bus.publish('tracks', frameAt(k++));
    timer = setInterval(() => bus.publish('tracks', frameAt(k++)), 1000);
    ({ context, userDir } = await launchChromium('skyfuse-tracklayer-'));
  });

  after(async () => {
    if (timer) clearInterval(timer);
    await context?.close();
    await server?.close();
    await bus?.close();
    if (userDir) await rm(userDir, { recursive: true, force: true });
  });

  test('draws each track\'s ring and symbol where the track is, and a click on a symbol selects it', { timeout: 120_000 }, async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems: string[] = [];
    page.on('console', (m) => {
      // 404s are the recording the time bar asks for (this server records nothing).
      if (m.type() === 'error' && !/status of 404/.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(server.operatorUrl);
    await page.waitForFunction(() => (window.__skyfuse?.renderedTrackIds().join() ?? '') === 'T1,T2,T3,T4', undefined, { polling: 250, timeout: 30_000 }).catch(async (err: unknown) => {
      const state = await page.evaluate(() => ({ n: window.__skyfuse?.trackCount(), drawn: window.__skyfuse?.renderedTrackIds() }));
      throw new Error(`${String(err)}; page: ${JSON.stringify(state)}; console: ${problems.join(' | ')}`);
    });
    assert.deepEqual(await page.evaluate(() => window.__skyfuse!.renderedSymbols()), { T1: 'sym-friend', T2: 'sym-neutral', T3: 'sym-neutral', T4: 'sym-neutral' });
    assert.deepEqual(await page.evaluate(() => window.__skyfuse!.renderedEmergencies()), ['T3']);
    // Read back from the layer's arrays: where the tracks are (Float32 Mercator: well under 1e-4 degree).
    const pos = await page.evaluate(() => window.__skyfuse!.renderedTrackPositions());
    for (const t of TRACKS) {
      assert.ok(Math.abs(pos[t.id]![0] - t.lonDeg) < 1e-4 && Math.abs(pos[t.id]![1] - t.latDeg) < 1e-4, `${t.id} at ${pos[t.id]}`);
    }
    await page.waitForTimeout(1500); // a few renders with the atlas on the GPU
    const pt = async (id: string) => {
      const p = await page.evaluate((i) => window.__skyfuse!.trackScreenPoint(i), id);
      assert.ok(p, id);
      return { x: p[0], y: p[1] };
    };
    // Enough frames for T4's trail to be 30 px or more long.
    await page.waitForFunction((t) => (window.__skyfuse!.frameTime() ?? 0) >= t, T0 + 14, { polling: 250 });
    const [p1, p2, p3, p4] = [await pt('T1'), await pt('T2'), await pt('T3'), await pt('T4')];
    // Empty ground 90 px west of T1 (no track, label or coverage line there).
    const sea = { x: p1.x - 90, y: p1.y + 30 };
    const shot = await page.screenshot({ path: '/tmp/skyfuse-tracklayer.png' });
    const { ring1, sym1, ring2, sym2, halo3, seaPurple, seaBlue, seaRed, white1, trail4, ahead4 } = await countPixels(page, shot, {
      ring1: { ...p1, r: 14, kind: 'purple' },
      sym1: { ...p1, r: 8, kind: 'lightblue' },
      ring2: { ...p2, r: 14, kind: 'purple' },
      sym2: { ...p2, r: 8, kind: 'green' },
      halo3: { ...p3, r: 21, kind: 'red' },
      seaPurple: { ...sea, r: 14, kind: 'purple' },
      seaBlue: { ...sea, r: 14, kind: 'lightblue' },
      seaRed: { ...sea, r: 21, kind: 'red' },
      white1: { ...p1, r: 16, kind: 'white' },
      // T4 flies east: its trail (FL164, yellow) lies west of it, nothing east of its ring.
      trail4: { x: p4.x - 28, y: p4.y, r: 6, kind: 'yellow' },
      ahead4: { x: p4.x + 28, y: p4.y, r: 6, kind: 'yellow' },
    });
    // The halo flashes at 2 Hz (bright, then dim): the brightest of a few shots 260 ms apart.
    let halo3Max = halo3;
    for (let i = 0; i < 4; i++) {
      await page.waitForTimeout(260);
      const { h } = await countPixels(page, await page.screenshot(), { h: { ...p3, r: 21, kind: 'red' } });
      halo3Max = Math.max(halo3Max, h);
    }
    const figures = { ring1, sym1, ring2, sym2, halo3, halo3Max, seaPurple, seaBlue, seaRed, white1, trail4, ahead4 };
    await writeFile('/tmp/skyfuse-tracklayer.json', `${JSON.stringify(figures)}\n`);
    // A 10 px ring 1.5 px wide is ~90 pixels round; a friend symbol's fill several dozen.
    assert.ok(ring1 > 30 && ring2 > 30, `rings drawn: ${JSON.stringify(figures)}`);
    assert.ok(sym1 > 20, `friend symbol (light blue) drawn at T1: ${JSON.stringify(figures)}`);
    assert.ok(sym2 > 20, `neutral symbol (green) drawn at T2: ${JSON.stringify(figures)}`);
    assert.ok(halo3Max > 100, `emergency halo (red) at T3: ${JSON.stringify(figures)}`);
    assert.ok(trail4 > 8 && ahead4 === 0, `T4's trail drawn behind it (GPU ring buffer): ${JSON.stringify(figures)}`);
    assert.equal(seaPurple + seaBlue + seaRed, 0, `nothing drawn on empty sea: ${JSON.stringify(figures)}`);

    // Click on T1's symbol: T1 selected (table row, details), and its ring drawn white.
    await page.mouse.click(p1.x + 2, p1.y - 2);
    await page.waitForFunction(() => document.querySelector('#details')?.textContent?.includes('MSR100'));
    assert.equal(await page.locator('#track-table tbody tr.selected').getAttribute('data-id'), 'T1');
    await page.mouse.move(sea.x, sea.y); // no hover cursor over the symbol for the screenshot
    await page.waitForTimeout(1500);
    const shot2 = await page.screenshot({ path: '/tmp/skyfuse-tracklayer-selected.png' });
    const { white1Sel } = await countPixels(page, shot2, { white1Sel: { ...p1, r: 16, kind: 'white' } });
    assert.ok(white1Sel > white1 + 40, `selected ring white: ${white1Sel} white px vs ${white1} before`);

    // Click on T2: selection moves; click on empty sea: selection cleared.
    await page.mouse.click(p2.x, p2.y);
    await page.waitForFunction(() => document.querySelector('#track-table tbody tr.selected')?.getAttribute('data-id') === 'T2');
    await page.mouse.click(sea.x, sea.y);
    await page.waitForFunction(() => document.querySelector('#track-table tbody tr.selected') === null);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
