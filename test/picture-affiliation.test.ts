// Picture.affiliation keeps its answer per place of the last update (the
// track layer asks for every track, every frame, in the map's order): the
// answer must follow a track whose status, Mode 3/A or Mode S address is
// rewritten in place (the page's v2 tracks), a new track at the same place,
// the friendly blocks changing, and tracks asked out of order or not in the
// picture. Checked against affiliationOf worked out afresh.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WireTrack } from '../src/serve/wire.ts';
import { affiliationOf, friendlyBlocks } from '../web/src/affiliation.ts';
import { Picture } from '../web/src/picture.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const track = (id: string, icao: string | null, m3a: string | null = null): Mutable<WireTrack> => ({
  id, st: 'C', lat: 30, lon: 31, alt: 1000, vE: 0, vN: 0, cs: null, m3a, icao, sen: [], par: [],
});

test('the affiliation kept per place follows tracks rewritten in place, tracks replaced and the friendly blocks', () => {
  const p = new Picture();
  let friendly = friendlyBlocks(['EGY']);
  p.setFriendly(friendly);
  // Egyptian address (friend), Cypriot (neutral until Cyprus is a member), no transponder (unknown).
  const a = track('A', '010203');
  const b = track('B', '4c8001');
  const c = track('C', null);
  const list = [a, b, c];
  const check = (label: string) => {
    // As the track layer asks: every track, in the map's order, twice (two renders of one frame).
    for (let pass = 0; pass < 2; pass++) {
      const got = [...p.tracks.values()].map((t) => p.affiliation(t));
      assert.deepEqual(got, [...p.tracks.values()].map((t) => affiliationOf(t, friendly)), `${label}, pass ${pass}`);
    }
  };
  let k = 0;
  const step = (label: string, change: () => void) => {
    change();
    p.update(1000 + k++, list);
    check(label);
  };
  step('first frame', () => {});
  assert.deepEqual([...p.tracks.values()].map((t) => p.affiliation(t)), ['friend', 'neutral', 'unknown']);
  step('address rewritten in place', () => { a.icao = 'a00001'; });
  assert.equal(p.affiliation(a), 'neutral');
  step('status rewritten in place', () => { b.st = 'T'; });
  assert.equal(p.affiliation(b), 'pending');
  step('Mode 3/A given', () => { c.m3a = '1200'; b.st = 'C'; });
  assert.equal(p.affiliation(c), 'neutral');
  // Cyprus joins: B becomes a friend with nothing of it changed.
  friendly = friendlyBlocks(['EGY', 'CYP']);
  p.setFriendly(friendly);
  check('friendly blocks changed between frames');
  assert.equal(p.affiliation(b), 'friend');
  step('another track at the same place', () => { list[0] = track('D', '010001'); });
  assert.equal(p.affiliation(list[0]!), 'friend');
  step('order changed', () => list.reverse());
  // Out of order, and a track not in the picture.
  assert.equal(p.affiliation(c), affiliationOf(c, friendly));
  assert.equal(p.affiliation(a), 'neutral');
  assert.equal(p.affiliation(track('X', '010001')), 'friend');
  check('after questions out of order');
});
