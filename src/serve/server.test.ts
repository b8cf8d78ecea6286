import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { InProcessBus } from '../core/bus.ts';
import type { Coalition, SystemTrack, TrackFrame } from '../core/types.ts';
import { bearerToken, operatorUrl, wsProtocolToken } from './auth.ts';
import { Membership } from './membership.ts';
import { type ServerHandle, startServer } from './server.ts';
import { UserDirectory } from './users.ts';
import type { WireMessage } from './wire.ts';

const DEG = Math.PI / 180;
const TOKEN = 'test-token-0123456789abcdef';

const coalition: Coalition = {
  partners: [
    { id: 'EGY', name: 'Egypt', status: 'member', releases: null },
    { id: 'CYP', name: 'Cyprus', status: 'member', releases: null },
  ],
  sensors: [
    {
      id: 'EGY-CAI-1', partnerId: 'EGY', kind: 'psr+ssr', sac: 10, sic: 1,
      latRad: 30.12 * DEG, lonRad: 31.41 * DEG, altM: 120, rotationS: 4.8,
      maxRangeM: 250000, psrMaxRangeM: 120000, sigmaRangeM: 70, sigmaAzimuthRad: 0.08 * DEG,
    },
    {
      id: 'CYP-ADSB-1', partnerId: 'CYP', kind: 'adsb', sac: 20, sic: 5,
      latRad: 34.9 * DEG, lonRad: 33.6 * DEG, altM: 30, rotationS: null,
      maxRangeM: 400000, psrMaxRangeM: null, sigmaRangeM: 15, sigmaAzimuthRad: null,
    },
  ],
};

function track(id: string, over: Partial<SystemTrack> = {}): SystemTrack {
  return {
    kind: 'track', id, timeS: 1763900000, status: 'confirmed',
    latDeg: 31.5, lonDeg: 32.25, altM: 10668, velEastMps: 231, velNorthMps: -12.5, sigmaM: 85,
    icao24: '4840d6', mode3a: '7000', callsign: 'KLM1023', sensors: ['EGY-CAI-1'], partners: ['EGY'],
    ...over,
  };
}

// Both partners release everything to each other: one audience, one picture.
const membership = new Membership(coalition);
const AUDIENCE = membership.audienceOf('EGY')!.key;
const users = new UserDirectory();
const base = { host: '127.0.0.1', port: 0, membership, users };

const frame: TrackFrame = {
  kind: 'frame',
  audience: AUDIENCE,
  timeS: 1763900000,
  tracks: [track('T1'), track('T2', { status: 'coasting', altM: null, callsign: null, icao24: null, sensors: [], partners: [] })],
};

const API_ROUTES = ['/api/tracks', '/api/coalition', '/api/status', '/api/me'];

describe('serve: HTTP and WebSocket edge', () => {
  let bus: InProcessBus;
  let server: ServerHandle;
  const logLines: string[] = [];
  const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, server.url), { headers });
  const auth = { authorization: `Bearer ${TOKEN}` };

  before(async () => {
    bus = new InProcessBus();
    server = await startServer({ ...base, bus, operator: { token: TOKEN, partnerId: 'EGY' }, log: (l) => logLines.push(l) });
  });
  after(async () => {
    await server.close();
    await bus.close();
  });

  test('prints a 127.0.0.1 URL on the ephemeral port and an operator URL with the token in the fragment', () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
    assert.ok(server.port > 0);
    assert.equal(server.operatorUrl, `http://127.0.0.1:${server.port}/#token=${TOKEN}`);
  });

  test('openapi.json is public, OpenAPI 3.1, and lists every route', async () => {
    const res = await get('/api/openapi.json');
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown>; components: { securitySchemes: Record<string, { scheme: string }> } };
    assert.match(doc.openapi, /^3\.1\./);
    for (const p of [...API_ROUTES, '/api/ws', '/api/openapi.json', '/api/login', '/api/logout', '/']) assert.ok(p in doc.paths, `${p} documented`);
    assert.equal(doc.components.securitySchemes.bearerAuth?.scheme, 'bearer');
  });

  for (const path of [...API_ROUTES, '/api/no-such-route']) {
    test(`${path}: 401 SKY_AUTH_REQUIRED without credentials, with a wrong token, or with the token in the query`, async () => {
      const attempts: [string, Record<string, string>][] = [
        [path, {}],
        [path, { authorization: 'Bearer wrong-token-0123456789abcdef' }],
        [path, { authorization: `Bearer ${TOKEN}x` }],
        [path, { authorization: `Basic ${Buffer.from(`op:${TOKEN}`).toString('base64')}` }],
        [`${path}?token=${TOKEN}`, {}],
      ];
      for (const [url, headers] of attempts) {
        const res = await get(url, headers);
        assert.equal(res.status, 401, `${url} ${JSON.stringify(headers)}`);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="skyfuse"');
        const body = (await res.json()) as { error: string; message: string };
        assert.equal(body.error, 'SKY_AUTH_REQUIRED');
        assert.ok(body.message.length > 10);
      }
    });
  }

  test('200 with the token on every API route; an unknown /api/ route is then 404 SKY_NOT_FOUND', async () => {
    for (const path of API_ROUTES) {
      const res = await get(path, auth);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
    const res = await get('/api/no-such-route', auth);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'SKY_NOT_FOUND');
  });

  test('coalition is in degrees with the field names of coalition.json', async () => {
    const c = (await (await get('/api/coalition', auth)).json()) as {
      partners: { id: string }[];
      sensors: { id: string; partner: string; lat: number; lon: number; sigmaAzimuthDeg: number | null; rotationS: number | null }[];
    };
    assert.deepEqual(c.partners.map((p) => p.id), ['EGY', 'CYP']);
    const cai = c.sensors.find((s) => s.id === 'EGY-CAI-1')!;
    assert.equal(cai.partner, 'EGY');
    assert.ok(Math.abs(cai.lat - 30.12) < 1e-9 && Math.abs(cai.lon - 31.41) < 1e-9);
    assert.ok(Math.abs(cai.sigmaAzimuthDeg! - 0.08) < 1e-12);
    const adsb = c.sensors.find((s) => s.id === 'CYP-ADSB-1')!;
    assert.equal(adsb.rotationS, null);
    assert.equal(adsb.sigmaAzimuthDeg, null);
  });

  test('before any frame: no tracks, null frame time', async () => {
    const t = (await (await get('/api/tracks', auth)).json()) as { t: number | null; tracks: unknown[] };
    assert.deepEqual(t, { t: null, tracks: [] });
  });

  test('the printed token is a demo operator session of the chosen partner, for the life of the process', async () => {
    const me = (await (await get('/api/me', auth)).json()) as Record<string, unknown>;
    assert.deepEqual(me, { subject: 'demo', kind: 'demo', partner: 'EGY', partnerName: 'Egypt', partnerStatus: 'member', role: 'operator', expiresS: null, demo: false, replay: false });
  });

  test('a frame that names no audience is shown to no one', async () => {
    const { audience: _drop, ...unaddressed } = frame;
    bus.publish('tracks', unaddressed);
    const t = (await (await get('/api/tracks', auth)).json()) as { t: number | null; tracks: unknown[] };
    assert.deepEqual(t, { t: null, tracks: [] });
    assert.ok(logLines.some((l) => l.includes('SKY_SERVE_FRAME_UNADDRESSED')));
  });

  test('WebSocket upgrade is refused with 401 without or with a wrong token', async () => {
    const wsUrl = server.url.replace('http', 'ws') + 'api/ws';
    const refusal = (protocols: string[] | undefined) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(wsUrl, protocols);
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => reject(new Error(`upgrade accepted with ${JSON.stringify(protocols)}`)));
        ws.on('error', () => {});
      });
    assert.equal(await refusal(undefined), 401);
    assert.equal(await refusal(['skyfuse.v1']), 401);
    assert.equal(await refusal(['skyfuse.v1', 'token.wrong-token-0123456789abcdef']), 401);
    // The token alone, without the skyfuse.v1 protocol, is not a valid offer either.
    assert.equal(await refusal([`token.${TOKEN}`]), 401);
  });

  test('a published frame reaches /api/tracks, /api/status and a WebSocket client; events follow', async () => {
    const wsUrl = server.url.replace('http', 'ws') + 'api/ws';
    const ws = new WebSocket(wsUrl, ['skyfuse.v1', `token.${TOKEN}`]);
    const messages: WireMessage[] = [];
    const waitFor = (pred: (m: WireMessage) => boolean) =>
      new Promise<WireMessage>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for a WebSocket message')), 5000);
        const check = () => {
          const m = messages.find(pred);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          } else setTimeout(check, 10);
        };
        check();
      });
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as WireMessage));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    assert.equal(ws.protocol, 'skyfuse.v1', 'server selects skyfuse.v1, never the token');
    await waitFor((m) => m.type === 'hello');

    bus.publish('tracks', frame);
    bus.publish('events', [
      { kind: 'north-marker', sensorId: 'EGY-CAI-1', timeS: 1763900000.2 },
      { kind: 'sector', sensorId: 'EGY-CAI-1', timeS: 1763900000.3, azimuthRad: 1 },
      { kind: 'bad-input', code: 'SKY_ASTERIX_TRUNCATED', message: 'block at byte 12', timeS: 1763900000.4 },
    ]);

    const fm = await waitFor((m) => m.type === 'frame');
    assert.ok(fm.type === 'frame');
    assert.equal(fm.t, 1763900000);
    assert.deepEqual(fm.tracks[0], {
      id: 'T1', st: 'C', lat: 31.5, lon: 32.25, alt: 10668, vE: 231, vN: -12.5,
      cs: 'KLM1023', m3a: '7000', icao: '4840d6', sen: ['EGY-CAI-1'], par: ['EGY'],
    });
    assert.equal(fm.tracks[1]?.st, 'K');
    assert.equal(fm.tracks[1]?.alt, null);
    const ev = await waitFor((m) => m.type === 'events');
    assert.ok(ev.type === 'events');
    assert.deepEqual(ev.events.map((e) => e.kind), ['north-marker', 'bad-input'], 'sector crossings are not sent');

    const tracks = (await (await get('/api/tracks', auth)).json()) as { t: number; tracks: Record<string, unknown>[] };
    assert.equal(tracks.t, 1763900000);
    assert.equal(tracks.tracks.length, 2);
    assert.deepEqual(tracks.tracks[0], {
      t: 1763900000, id: 'T1', status: 'confirmed', lat: 31.5, lon: 32.25, altM: 10668, vE: 231, vN: -12.5,
      sigmaM: 85, icao24: '4840d6', mode3a: '7000', callsign: 'KLM1023', sensors: ['EGY-CAI-1'], partners: ['EGY'],
    });
    assert.equal(tracks.tracks[1]?.altM, null);
    assert.equal(tracks.tracks[1]?.status, 'coasting');

    const status = (await (await get('/api/status', auth)).json()) as { partner: string; frameTimeS: number; trackCount: number; uptimeS: number; wsClients: number };
    assert.equal(status.partner, 'EGY');
    assert.equal(status.frameTimeS, 1763900000);
    assert.equal(status.trackCount, 2);
    assert.ok(status.uptimeS >= 0 && status.uptimeS < 60);
    assert.equal(status.wsClients, 1);

    // A client connecting later gets the latest frame right after hello, then its partner's alerts.
    const late = new WebSocket(wsUrl, ['skyfuse.v1', `token.${TOKEN}`]);
    const lateMsgs = await new Promise<WireMessage[]>((resolve, reject) => {
      const got: WireMessage[] = [];
      late.on('message', (d) => {
        got.push(JSON.parse(String(d)) as WireMessage);
        if (got.length === 3) resolve(got);
      });
      late.on('error', reject);
    });
    assert.deepEqual(lateMsgs.map((m) => m.type), ['hello', 'frame', 'alerts']);
    late.close();
    ws.close();
  });

  test('a WebSocket client may also authenticate with a Bearer header (non-browser clients)', async () => {
    const ws = new WebSocket(server.url.replace('http', 'ws') + 'api/ws', ['skyfuse.v1'], { headers: auth });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_q, r) => reject(new Error(`HTTP ${r.statusCode}`)));
    });
    ws.close();
  });

  test('the page and its assets are public and carry a self-only CSP', async () => {
    const res = await get('/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = await res.text();
    assert.match(html, /src="assets\/main\.js"/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /worker-src 'self' blob:/);
    assert.doesNotMatch(csp, /https?:|\*|unsafe/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    for (const [path, type] of [
      ['/assets/main.js', /javascript/],
      ['/assets/decoder.js', /javascript/],
      ['/assets/main.css', /text\/css/],
      ['/assets/maplibre-gl-worker.mjs', /javascript/],
      ['/assets/countries-50m.json', /json/],
      ['/assets/airports.json', /json/],
    ] as const) {
      const a = await get(path);
      assert.equal(a.status, 200, path);
      assert.match(a.headers.get('content-type') ?? '', type);
      assert.equal(a.headers.get('content-encoding'), 'gzip', `${path} served gzipped to a client that accepts it`);
      const etag = a.headers.get('etag');
      assert.ok(etag);
      await a.arrayBuffer();
      assert.equal((await get(path, { 'if-none-match': etag })).status, 304);
    }
    assert.equal((await get('/assets/nope.js')).status, 404);
    const js = await (await get('/assets/main.js')).text();
    assert.match(js, /setWorkerUrl|maplibre/i, 'main.js is the bundled page');
    assert.match(await (await get('/assets/decoder.js')).text(), /SKY_WIRE_BASE/, 'decoder.js is the bundled skyfuse.v2 decoder');
  });

  test('refusals are logged once, by code, and the log never holds the token', () => {
    assert.equal(logLines.filter((l) => l.includes('SKY_AUTH_REQUIRED')).length, 1);
    assert.ok(logLines.some((l) => l.startsWith('serve: listening on http://127.0.0.1:')));
    for (const l of logLines) assert.ok(!l.includes(TOKEN), l);
  });
});

describe('serve: credentials', () => {
  test('a weak token is refused at start with SKY_SERVE_TOKEN_WEAK', async () => {
    const bus = new InProcessBus();
    await assert.rejects(startServer({ ...base, bus, operator: { token: 'short', partnerId: 'EGY' } }), { code: 'SKY_SERVE_TOKEN_WEAK' });
    await assert.rejects(startServer({ ...base, bus, operator: { token: 'has space in it 0123456789', partnerId: 'EGY' } }), { code: 'SKY_SERVE_TOKEN_WEAK' });
    await assert.rejects(startServer({ ...base, bus, operator: { token: TOKEN, partnerId: 'NOPE' } }), { code: 'SKY_SERVE_PARTNER_UNKNOWN' });
  });

  test('header parsing', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer   abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), null);
    assert.equal(bearerToken(undefined), null);
    assert.equal(wsProtocolToken('skyfuse.v1, token.abc'), 'abc');
    assert.equal(wsProtocolToken('token.abc,skyfuse.v1'), 'abc');
    assert.equal(wsProtocolToken('token.abc'), null);
    assert.equal(wsProtocolToken('skyfuse.v1'), null);
    assert.equal(operatorUrl('http://127.0.0.1:8080/', 'a.b~c'), 'http://127.0.0.1:8080/#token=a.b~c');
    assert.equal(operatorUrl('http://127.0.0.1:8080', 'abc'), 'http://127.0.0.1:8080/#token=abc');
  });

  test('a port in use is reported as SKY_SERVE_LISTEN', async () => {
    const bus = new InProcessBus();
    const a = await startServer({ ...base, bus });
    try {
      await assert.rejects(startServer({ ...base, port: a.port, bus }), { code: 'SKY_SERVE_LISTEN' });
    } finally {
      await a.close();
    }
  });
});
