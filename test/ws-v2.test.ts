// skyfuse.v2 over a real WebSocket: a client offering v2 (and v1, which
// carries the token check) gets binary frames that decode to exactly the v1
// JSON frames an old client gets from the same server at the same time; an
// old client offering only v1 still gets JSON; a reconnect starts with a
// keyframe; and the bytes per update are far fewer.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { InProcessBus } from '../src/core/bus.ts';
import type { Coalition, SystemTrack, TrackFrame } from '../src/core/types.ts';
import { Membership, type ServerHandle, UserDirectory, startServer } from '../src/serve/index.ts';
import type { WireMessage, WireTrack } from '../src/serve/wire.ts';
import { FrameDecoder, KIND_KEY } from '../src/serve/wire-v2.ts';

const DEG = Math.PI / 180;
const TOKEN = 'ws-v2-test-token-0123456789';
const coalition: Coalition = {
  partners: [{ id: 'EGY', name: 'Egypt', status: 'member', releases: null }],
  sensors: [
    {
      id: 'EGY-CAI-1', partnerId: 'EGY', kind: 'psr+ssr', sac: 10, sic: 1, latRad: 30.12 * DEG, lonRad: 31.41 * DEG,
      altM: 120, rotationS: 4.8, maxRangeM: 250000, psrMaxRangeM: 120000, sigmaRangeM: 70, sigmaAzimuthRad: 0.08 * DEG,
    },
  ],
};
const membership = new Membership(coalition);
const AUDIENCE = membership.audienceOf('EGY')!.key;

function frame(k: number, n: number): TrackFrame {
  const tracks: SystemTrack[] = [];
  // Track i lives from frame i % 7 on, so tracks come and go; every one moves.
  for (let i = 0; i < n; i++) {
    if ((i + k) % 11 === 0) continue;
    tracks.push({
      kind: 'track', id: `T${i}`, timeS: 1763900000 + k, status: i % 5 === 0 ? 'tentative' : 'confirmed',
      latDeg: 30 + (i % 50) * 0.1 + k * 0.0021, lonDeg: 31 + Math.floor(i / 50) * 0.1 - k * 0.0013, altM: i % 9 === 0 ? null : 3000 + i * 10,
      velEastMps: -140 + (k % 3), velNorthMps: 230, sigmaM: 60, icao24: i % 2 ? (0x4c0000 + i).toString(16) : null, mode3a: '2000',
      callsign: i % 2 ? `CYP${i}` : null, sensors: k % 2 ? ['EGY-CAI-1'] : [], partners: k % 2 ? ['EGY'] : [],
    });
  }
  return { kind: 'frame', audience: AUDIENCE, timeS: 1763900000 + k, tracks };
}

interface Conn {
  ws: WebSocket;
  frames: { t: number; tracks: readonly WireTrack[]; bytes: number; kind: string }[];
}

async function connect(url: string, protocols: string[]): Promise<Conn> {
  const ws = new WebSocket(url, protocols);
  const c: Conn = { ws, frames: [] };
  const dec = new FrameDecoder();
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const f = dec.apply(bytes);
      c.frames.push({ t: f.t, tracks: f.tracks, bytes: bytes.length, kind: bytes[0] === KIND_KEY ? 'key' : 'delta' });
      return;
    }
    const m = JSON.parse(String(data)) as WireMessage;
    if (m.type === 'frame') c.frames.push({ t: m.t, tracks: m.tracks, bytes: data.length, kind: 'json' });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return c;
}

const until = async (pred: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(pred(), `timed out: ${what}`);
};

const byId = (ts: readonly WireTrack[]) => [...ts].sort((a, b) => a.id.localeCompare(b.id));

describe('skyfuse.v2 over a real WebSocket', () => {
  let bus: InProcessBus;
  let server: ServerHandle;
  let url: string;

  before(async () => {
    bus = new InProcessBus();
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users: new UserDirectory(), operator: { token: TOKEN, partnerId: 'EGY' }, log: () => {} });
    url = server.url.replace('http', 'ws') + 'api/ws';
  });
  after(async () => {
    await server.close();
    await bus.close();
  });

  test('v2 and v1 clients side by side see the same tracks; v2 is a keyframe then deltas, a reconnect starts with a keyframe', async () => {
    const N = 1000;
    bus.publish('tracks', frame(0, N));
    const v2 = await connect(url, ['skyfuse.v2', 'skyfuse.v1', `token.${TOKEN}`]);
    const v1 = await connect(url, ['skyfuse.v1', `token.${TOKEN}`]);
    assert.equal(v2.ws.protocol, 'skyfuse.v2');
    assert.equal(v1.ws.protocol, 'skyfuse.v1', 'a client that offers only v1 is served v1');
    await until(() => v2.frames.length === 1 && v1.frames.length === 1, 'the latest frame on connect');
    for (let k = 1; k <= 8; k++) bus.publish('tracks', frame(k, N));
    await until(() => v2.frames.length === 9 && v1.frames.length === 9, 'nine frames each');
    assert.deepEqual(v2.frames.map((f) => f.kind), ['key', ...Array(8).fill('delta')]);
    assert.deepEqual(v1.frames.map((f) => f.kind), Array(9).fill('json'));
    for (let k = 0; k < 9; k++) {
      assert.equal(v2.frames[k]!.t, v1.frames[k]!.t);
      assert.deepEqual(byId(v2.frames[k]!.tracks), byId(v1.frames[k]!.tracks), `frame ${k}`);
      assert.ok(v1.frames[k]!.tracks.length > 850);
    }
    // Every track moves every frame, so the win is the fields that did not change.
    const v1Bytes = v1.frames.slice(1).reduce((a, f) => a + f.bytes, 0) / 8;
    const v2Bytes = v2.frames.slice(1).reduce((a, f) => a + f.bytes, 0) / 8;
    assert.ok(v2Bytes * 5 < v1Bytes, `v2 ${v2Bytes} B/update vs v1 ${v1Bytes}`);

    // Reconnect: a fresh decoder, and the first message is a keyframe of the latest frame.
    v2.ws.close();
    const again = await connect(url, ['skyfuse.v2', 'skyfuse.v1', `token.${TOKEN}`]);
    await until(() => again.frames.length === 1, 'keyframe after reconnect');
    assert.equal(again.frames[0]!.kind, 'key');
    assert.equal(again.frames[0]!.t, 1763900008);
    bus.publish('tracks', frame(9, N));
    await until(() => again.frames.length === 2, 'delta after reconnect');
    assert.equal(again.frames[1]!.kind, 'delta');
    assert.deepEqual(byId(again.frames[1]!.tracks), byId(frame(9, N).tracks.map((t) => ({
      id: t.id, st: t.status === 'tentative' ? 'T' : 'C', lat: Math.round(t.latDeg * 1e5) / 1e5, lon: Math.round(t.lonDeg * 1e5) / 1e5,
      alt: t.altM === null ? null : Math.round(t.altM), vE: t.velEastMps, vN: t.velNorthMps, cs: t.callsign, m3a: t.mode3a, icao: t.icao24,
      sen: t.sensors, par: t.partners,
    } as WireTrack))));
    again.ws.close();
    v1.ws.close();
  });

  test('v2 alone (no v1 in the offer) carries no token check and is refused', async () => {
    const ws = new WebSocket(url, ['skyfuse.v2', `token.${TOKEN}`]);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    assert.equal(status, 401);
  });
});
