// Our Cursor on Target read by an independent implementation:
// @tak-ps/node-cot (the CoT library of the TAK ecosystem's CloudTAK; MIT),
// which parses the XML, validates it against its CoT schema (it throws on a
// missing point, stale, bad type) and converts it to GeoJSON and to TAK
// protocol v1 protobuf. Events of a real TCP feed are checked field by field
// against the tracks they came from; our force-delete against the library's
// own ForceDelete.
//
// A devDependency (npm install -D @tak-ps/node-cot@12.23.0). It is loaded
// by a computed specifier so the type check never compiles the library's
// TypeScript sources; SKYFUSE_NODE_COT may point at another copy (a path to
// its dist/index.js) to run this test against it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { InProcessBus } from '../src/core/bus.ts';
import type { SystemTrack } from '../src/core/types.ts';
import { CotFeed, cotEvent, cotForceDelete, STALE_AFTER_S } from '../src/output/index.ts';
import { T0, sampleTracks, track } from '../src/output/test-frames.ts';
import { tcpListener, until } from '../src/output/test-support.ts';

/** The part of node-cot's API this test uses. */
interface NodeCot {
  raw: { event: { _attributes: Record<string, string>; point: { _attributes: Record<string, string> }; detail?: Record<string, { _attributes?: Record<string, string> } | undefined> } };
  uid(): string;
  callsign(): string;
  to_geojson(): { id: string; properties: Record<string, unknown>; geometry: { type: string; coordinates: number[] } };
  to_proto(): Uint8Array;
  is_airborne(): boolean;
  is_neutral(): boolean;
  is_unknown(): boolean;
  is_pending(): boolean;
}
interface NodeCotModule {
  default: (new (xml: string) => NodeCot) & { from_proto(raw: Uint8Array): NodeCot };
  ForceDelete: new (uid: string) => NodeCot;
}

async function nodeCot(): Promise<NodeCotModule> {
  const override = process.env['SKYFUSE_NODE_COT'];
  const specifier = override ? pathToFileURL(override).href : ['@tak-ps', 'node-cot'].join('/');
  try {
    return (await import(specifier)) as NodeCotModule;
  } catch (e) {
    assert.fail(`@tak-ps/node-cot is not installed (npm install -D @tak-ps/node-cot@12.23.0): ${(e as Error).message}`);
  }
}

const iso = (s: number) => new Date(Math.round(s * 1000)).toISOString();

function checkAgainstTrack(c: NodeCot, t: SystemTrack, prefix: string): void {
  const g = c.to_geojson();
  assert.equal(g.id, `${prefix}.${t.id}`);
  assert.equal(c.uid(), `${prefix}.${t.id}`);
  const p = g.properties;
  assert.equal(p['type'], t.status === 'tentative' ? 'a-p-A' : t.icao24 !== null || t.mode3a !== null ? 'a-n-A-C-F' : 'a-u-A');
  assert.equal(p['how'], 'm-g');
  assert.equal(p['time'], iso(t.timeS));
  assert.equal(p['start'], iso(t.timeS));
  assert.equal(p['stale'], iso(t.timeS + STALE_AFTER_S));
  assert.equal(g.geometry.type, 'Point');
  const [lon, lat, hae] = g.geometry.coordinates as [number, number, number];
  assert.ok(Math.abs(lat - t.latDeg) <= 5e-8 && Math.abs(lon - t.lonDeg) <= 5e-8, `position ${lat},${lon} vs ${t.latDeg},${t.lonDeg}`);
  assert.equal(hae, t.altM === null ? 9999999 : Number(t.altM.toFixed(1)));
  // Course from north, clockwise, and ground speed, from vE/vN.
  const course = ((Math.atan2(t.velEastMps, t.velNorthMps) * 180) / Math.PI + 360) % 360;
  assert.ok(Math.abs(Number(p['course']) - course) <= 0.05, `course ${String(p['course'])} vs ${course}`);
  assert.ok(Math.abs(Number(p['speed']) - Math.hypot(t.velEastMps, t.velNorthMps)) <= 0.05);
  assert.equal(c.callsign(), t.callsign ?? (t.mode3a !== null ? `A${t.mode3a}` : t.icao24 ?? t.id));
  assert.equal(c.is_airborne(), true);
}

test('node-cot parses and validates our CoT events; GeoJSON and TAK protobuf carry the track', async () => {
  const { default: CoT } = await nodeCot();
  const tracks = [...sampleTracks, track({ id: 'T8', callsign: 'A&B<"1">', mode3a: '7700' })];
  for (const t of tracks) {
    const c = new CoT(cotEvent(t, 'skyfuse.CYP'));
    checkAgainstTrack(c, t, 'skyfuse.CYP');
    // The same event through TAK protocol v1 (what TAK clients speak on the mesh) and back.
    const back = CoT.from_proto(c.to_proto());
    assert.equal(back.uid(), c.uid());
    assert.deepEqual(back.to_geojson().geometry, c.to_geojson().geometry);
  }
  const [confirmed, tentative, , unknown] = sampleTracks.map((t) => new CoT(cotEvent(t, 'x')));
  assert.deepEqual([confirmed!.is_neutral(), tentative!.is_pending(), unknown!.is_unknown()], [true, true, true]);
  // The library is strict: an event without a point is refused (so acceptance above means something).
  assert.throws(() => new CoT(cotEvent(sampleTracks[0]!, 'x').replace(/<point[^>]*\/>/, '')));
});

test('node-cot reads our force-delete as its own ForceDelete', async () => {
  const { default: CoT, ForceDelete } = await nodeCot();
  const ours = new CoT(cotForceDelete('skyfuse.CYP.T1', T0));
  const theirs = new ForceDelete('skyfuse.CYP.T1');
  assert.equal(ours.raw.event._attributes['type'], theirs.raw.event._attributes['type']);
  assert.equal(ours.uid(), theirs.uid());
  assert.deepEqual(ours.raw.event.detail!['link']!._attributes, theirs.raw.event.detail!['link']!._attributes);
  assert.ok('__forcedelete' in ours.raw.event.detail!);
});

test('every event of a live TCP feed parses with node-cot and is the track it came from', async () => {
  const { default: CoT } = await nodeCot();
  const tak = await tcpListener();
  const bus = new InProcessBus();
  const feed = new CotFeed(bus, { host: '127.0.0.1', port: tak.port, audienceKey: () => 'A', uidPrefix: 'skyfuse.EGY' });
  const sent: SystemTrack[] = [];
  try {
    await until(() => feed.isConnected, 'the connection');
    for (let k = 0; k < 5; k++) {
      const tracks = Array.from({ length: 40 }, (_, i) => track({
        id: `T${i}`, timeS: T0 + k, latDeg: 28 + i * 0.1 + k * 0.001, lonDeg: 32 + i * 0.05, altM: i % 7 === 0 ? null : 300 * i,
        velEastMps: 100 - 5 * i, velNorthMps: -50 + 3 * i, icao24: i % 3 === 0 ? null : (0x700000 + i).toString(16), mode3a: i % 5 === 0 ? null : '2000',
        callsign: i % 2 === 0 ? `ABC${i}` : null, status: i % 11 === 0 ? 'coasting' : 'confirmed',
      }));
      sent.push(...tracks);
      bus.publish('tracks', { kind: 'frame', timeS: T0 + k, audience: 'A', tracks });
    }
    await until(() => (tak.text().match(/<\/event>/g) ?? []).length === sent.length, 'every event');
  } finally {
    await feed.close();
    await tak.close();
  }
  // The stream is events back to back, as TAK servers take them; split at each end tag.
  const events = tak.text().split('</event>').filter((s) => s !== '').map((s) => `${s}</event>`);
  assert.equal(events.length, 200);
  events.forEach((xml, i) => checkAgainstTrack(new CoT(xml), sent[i]!, 'skyfuse.EGY'));
});
