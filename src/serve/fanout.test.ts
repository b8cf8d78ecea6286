// The coalescing rule of the WebSocket fan-out: a v2 client that received
// every frame gets deltas; one that skipped a frame (congested), connected
// late or changed audience gets a keyframe of the latest state; v1 clients
// get the same JSON as before. Encoding happens once per audience and frame.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SystemTrack, TrackFrame } from '../core/types.ts';
import { FrameFanout, newFeedState } from './fanout.ts';
import { type WireMessage, toWireTrack } from './wire.ts';
import { FrameDecoder, KIND_DELTA, KIND_KEY } from './wire-v2.ts';

function frame(k: number, n = 3, audience = 'A'): TrackFrame {
  const tracks: SystemTrack[] = [];
  for (let i = 0; i < n; i++) {
    tracks.push({
      kind: 'track', id: `T${i}`, timeS: 1000 + k, status: 'confirmed', latDeg: 30 + i * 0.1 + k * 0.002, lonDeg: 33, altM: 9000 + i,
      velEastMps: 0, velNorthMps: 222, sigmaM: 50, icao24: null, mode3a: '1234', callsign: `C${i}`, sensors: ['S1'], partners: ['P1'],
    });
  }
  return { kind: 'frame', audience, timeS: 1000 + k, tracks };
}

const kind = (m: string | Uint8Array | null) => (typeof m === 'string' ? 'json' : m === null ? 'none' : m[0] === KIND_KEY ? 'key' : m[0] === KIND_DELTA ? 'delta' : '?');

test('v2: deltas while the client keeps up; a skipped frame, a late start or an audience change gives a keyframe of the latest state', () => {
  const fan = new FrameFanout();
  const fast = newFeedState('v2');
  const slow = newFeedState('v2');
  const old = newFeedState('v1');
  const fastDec = new FrameDecoder();
  const slowDec = new FrameDecoder();
  assert.equal(fan.message(fast, 'A'), null, 'no frame yet');
  const seen: string[] = [];
  const slowSeen: string[] = [];
  for (let k = 0; k < 6; k++) {
    fan.publish('A', frame(k));
    const m = fan.message(fast, 'A')!;
    seen.push(kind(m));
    assert.deepEqual(fastDec.apply(m as Uint8Array).tracks, frame(k).tracks.map(toWireTrack));
    // The slow client's socket is congested at frames 2 and 3: the server does not ask for them.
    if (k !== 2 && k !== 3) {
      const s = fan.message(slow, 'A')!;
      slowSeen.push(kind(s));
      assert.deepEqual(slowDec.apply(s as Uint8Array).tracks, frame(k).tracks.map(toWireTrack), `slow client at frame ${k}`);
    }
    const j = fan.message(old, 'A') as string;
    assert.deepEqual((JSON.parse(j) as WireMessage & { type: 'frame' }).tracks, frame(k).tracks.map(toWireTrack));
  }
  assert.deepEqual(seen, ['key', 'delta', 'delta', 'delta', 'delta', 'delta']);
  assert.deepEqual(slowSeen, ['key', 'delta', 'key', 'delta']);
  // One delta per frame was encoded, shared by both clients; keyframes only when needed.
  assert.equal(fan.stats.keyframes, 3);
  assert.equal(fan.stats.deltas, 5 + 2);
  assert.equal(fan.stats.json, 6);

  // A client that joins late starts with a keyframe, then deltas.
  const late = newFeedState('v2');
  fan.publish('A', frame(6));
  assert.equal(kind(fan.message(fast, 'A')), 'delta');
  assert.equal(kind(fan.message(late, 'A')), 'key');
  fan.publish('A', frame(7));
  assert.equal(kind(fan.message(late, 'A')), 'delta');

  // Audience change: the other audience's picture arrives whole; an audience without frames is an empty keyframe.
  fan.publish('B', frame(7, 5, 'B'));
  const toB = fan.message(late, 'B')!;
  assert.equal(kind(toB), 'key');
  const dec = new FrameDecoder();
  assert.equal(dec.apply(toB as Uint8Array).tracks.length, 5);
  const empty = fan.empty(late, 1007);
  assert.equal(kind(empty), 'key');
  assert.equal(new FrameDecoder().apply(empty as Uint8Array).tracks.length, 0);
  fan.publish('A', frame(8));
  assert.equal(kind(fan.message(late, 'A')), 'key', 'after an empty picture the next frame is whole');
});

test('no v2 client asks for some frames: the encoder resumes with a keyframe, never a delta on a stale base', () => {
  const fan = new FrameFanout();
  const c = newFeedState('v2');
  const dec = new FrameDecoder();
  fan.publish('A', frame(0));
  dec.apply(fan.message(c, 'A') as Uint8Array);
  for (let k = 1; k < 5; k++) fan.publish('A', frame(k));
  const m = fan.message(c, 'A') as Uint8Array;
  assert.equal(kind(m), 'key');
  assert.deepEqual(dec.apply(m).tracks, frame(4).tracks.map(toWireTrack));
});
