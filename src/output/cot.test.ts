import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { InProcessBus } from '../core/bus.ts';
import type { SystemTrack, TrackFrame } from '../core/types.ts';
import { CotFeed, cotEvent, cotType } from './cot.ts';

const track = (over: Partial<SystemTrack>): SystemTrack => ({
  kind: 'track', id: 'T1', timeS: 1748772000, status: 'confirmed', latDeg: 31.5, lonDeg: 34.25, altM: 10668,
  velEastMps: 200, velNorthMps: 0, sigmaM: 50, icao24: '4840d6', mode3a: '7000', callsign: 'KLM1023', sensors: ['EGY-CAI-1'], partners: ['EGY'],
  ...over,
});

/** Parse a stream of CoT events with Python's ElementTree: an independent XML parser. */
function parseWithPython(stream: string): Array<Record<string, Record<string, string>>> | null {
  const py = `
import sys, json, xml.etree.ElementTree as E
root = E.fromstring('<root>' + sys.stdin.read() + '</root>')
out = []
for ev in root.findall('event'):
    d = {'event': ev.attrib, 'point': ev.find('point').attrib, 'track': ev.find('detail/track').attrib,
         'contact': ev.find('detail/contact').attrib, 'remarks': {'text': ev.find('detail/remarks').text or ''}}
    out.append(d)
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', py], { input: stream, encoding: 'utf8' });
  if (r.error) return null;
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('a track as a CoT event: position, height, course, speed, identity; read back by an independent XML parser', (t) => {
  const ev = cotEvent(track({ callsign: 'A&B<1>' }), 'skyfuse.EGY');
  const parsed = parseWithPython(ev);
  if (parsed === null) return t.skip('python3 not installed (an independent XML parser for this test)');
  const e = parsed[0]!;
  assert.equal(e.event!.uid, 'skyfuse.EGY.T1');
  assert.equal(e.event!.type, 'a-n-A-C-F');
  assert.equal(e.event!.time, '2025-06-01T10:00:00.000Z');
  assert.equal(e.event!.stale, '2025-06-01T10:00:15.000Z');
  assert.equal(Number(e.point!.lat), 31.5);
  assert.equal(Number(e.point!.lon), 34.25);
  assert.equal(Number(e.point!.hae), 10668);
  assert.equal(Number(e.point!.ce), 70.7); // 50 m per axis -> radial RMS 50 * sqrt(2)
  assert.equal(Number(e.track!.course), 90); // due east
  assert.equal(Number(e.track!.speed), 200);
  assert.equal(e.contact!.callsign, 'A&B<1>'); // escaped on the wire, intact after parsing
  assert.match(e.remarks!.text!, /Mode S 4840d6; Mode 3\/A 7000; FL350/);
});

test('CoT types follow the identity the track states', () => {
  assert.equal(cotType(track({})), 'a-n-A-C-F');
  assert.equal(cotType(track({ icao24: null, mode3a: null })), 'a-u-A');
  assert.equal(cotType(track({ status: 'tentative' })), 'a-p-A');
  // Unknown height: CoT's 9999999.
  assert.match(cotEvent(track({ altM: null }), 'x'), /hae="9999999"/);
});

test('a feed streams over TCP only the frames of its partner\'s audience, never tentative tracks', async () => {
  const received: string[] = [];
  const server = createServer((sock) => sock.on('data', (d) => received.push(d.toString('utf8'))));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const port = (server.address() as AddressInfo).port;
  const bus = new InProcessBus();
  let audience: string | undefined = 'A';
  const feed = new CotFeed(bus, { host: '127.0.0.1', port, audienceKey: () => audience, uidPrefix: 'skyfuse.EGY' });
  for (let i = 0; i < 50 && feed.stats.connects === 0; i++) await new Promise((r) => setTimeout(r, 20));
  const frame = (aud: string, t: number, ids: string[]): TrackFrame => ({
    kind: 'frame', timeS: t, audience: aud,
    tracks: [...ids.map((id) => track({ id, timeS: t })), track({ id: `${aud}-tent`, status: 'tentative', timeS: t })],
  });
  bus.publish('tracks', frame('A', 1748772000, ['T1', 'T2']));
  bus.publish('tracks', frame('B', 1748772000, ['SECRET-B']));
  bus.publish('tracks', frame('A', 1748772001, ['T1']));
  // The partner's audience changes (a membership change): B's frames now reach it, A's no longer.
  audience = 'B';
  bus.publish('tracks', frame('A', 1748772002, ['T9']));
  bus.publish('tracks', frame('B', 1748772002, ['T5']));
  audience = undefined; // withdrawn: nothing
  bus.publish('tracks', frame('B', 1748772003, ['T6']));
  await new Promise((r) => setTimeout(r, 200));
  await feed.close();
  await new Promise<void>((res) => server.close(() => res()));
  const stream = received.join('');
  const events = [...stream.matchAll(/<event version="2.0" uid="([^"]+)" type="([^"]+)"/g)].map((m) => `${m[2]} ${m[1]}`);
  assert.deepEqual(events, [
    'a-n-A-C-F skyfuse.EGY.T1', 'a-n-A-C-F skyfuse.EGY.T2', 'a-n-A-C-F skyfuse.EGY.T1',
    // Another picture: the old one's tracks are force-deleted first (TAK drops them at once).
    't-x-d-d skyfuse.EGY.T1', 't-x-d-d skyfuse.EGY.T2',
    'a-n-A-C-F skyfuse.EGY.T5',
  ]);
  assert.equal(feed.stats.events, 4);
  assert.equal(feed.stats.deletes, 2);
});
