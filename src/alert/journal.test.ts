// The alert journal on a real SQLite recording (a tmp dir), read back by
// RecordingHistory.alerts: an alert stays listed across a recorder session
// rotation (the new session starts with a snapshot), is still known after
// retention removed the record of its raising (periodic snapshots), ends in
// history when the live list forgets it, and stops being listed for a
// partner from the moment the recording says it withdrew.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCoalition } from '../coalition/coalition.ts';
import { audiences } from '../coalition/releasability.ts';
import type { Coalition, SystemTrack } from '../core/types.ts';
import type { ChainConfig } from '../record/chain.ts';
import { RecordingHistory } from '../record/history.ts';
import { Recorder } from '../record/recorder.ts';
import { openRecording } from '../record/schema.ts';
import { AlertCenter } from './alerts.ts';
import { ALERT_SNAPSHOT_S, AlertJournal } from './journal.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-alert-journal-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const T0 = 1_763_900_000;

const coalition: Coalition = parseCoalition({
  partners: [{ id: 'AAA', name: 'Alpha', status: 'member' }, { id: 'BBB', name: 'Bravo', status: 'member' }],
  // An ADS-B receiver: no rotation, so no outage alert gets in the way.
  sensors: [{ id: 'AAA-A1', partner: 'AAA', kind: 'adsb', sac: 10, sic: 1, lat: 31, lon: 33, altM: 10, maxRangeM: 400000, sigmaRangeM: 30 }],
});
const session: ChainConfig = { coalition, startOfDayS: T0 - (T0 % 86400), periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience' };
const KEY = audiences(coalition)[0]!.key;

const trk = (t: number, mode3a: string): SystemTrack => ({
  kind: 'track', id: 'T1', timeS: t, status: 'confirmed', latDeg: 31.2, lonDeg: 33.1, altM: 10_000, velEastMps: 200, velNorthMps: 0,
  sigmaM: 80, icao24: 'abc123', mode3a, callsign: 'TST1', sensors: ['AAA-A1'], partners: ['AAA'],
});

/** A live setup: the alert center, a journal into `rec` (switchable, as live.ts rotates), frames of one audience. */
function setup(file: string, maxAgeS?: number) {
  let now = T0;
  let rec = new Recorder({ file, session, clock: () => now, ...(maxAgeS !== undefined ? { maxAgeS, pruneRows: 100000 } : {}) });
  const center = new AlertCenter(() => coalition.sensors);
  const journal = new AlertJournal(center, { record: (e) => rec.recordEvent(e), session: () => rec.session });
  return {
    frame(t: number, squawk: string, tracks = true) {
      now = t;
      center.onFrame({ kind: 'frame', timeS: t, audience: KEY, tracks: tracks ? [trk(t, squawk)] : [] });
      journal.frame(KEY, t);
      rec.recordTick(t);
    },
    rotate() {
      rec.close();
      rec = new Recorder({ file, session, clock: () => now });
    },
    get rec() {
      return rec;
    },
    close: () => rec.close(),
    center,
  };
}

const listed = (file: string, partnerId: string, fromS: number, toS: number) => {
  const h = new RecordingHistory(file);
  try {
    return h.alerts({ partnerId, fromS, toS });
  } finally {
    h.close();
  }
};

test('an emergency active across a session rotation stays listed in both sessions; its clearing is in the second', () => {
  const file = join(dir, 'rotate.db');
  const s = setup(file);
  for (let i = 0; i <= 30; i++) s.frame(T0 + i, i >= 5 ? '7700' : '2301');
  s.rotate(); // a new session at T0 + 30
  for (let i = 31; i <= 60; i++) s.frame(T0 + i, i < 45 ? '7700' : '2301');
  s.close();
  const r = listed(file, 'AAA', T0, T0 + 100);
  assert.deepEqual(r.alerts.map((x) => [x.alert.code, x.listedFrom - T0, x.listedTo - T0, x.alert.clearedS === null ? null : x.alert.clearedS - T0]), [
    ['7700', 5, 30, null],
    ['7700', 31, 100, 45],
  ]);
  // At +40 s, in the second session: listed, not yet cleared.
  const at40 = listed(file, 'BBB', T0 + 40, T0 + 41);
  assert.deepEqual(at40.alerts.map((x) => [x.alert.code, x.alert.clearedS]), [['7700', null]]);
});

test('retention removed the record of the raising: the periodic snapshot still lists the alert', () => {
  const file = join(dir, 'retention.db');
  const s = setup(file, 2 * ALERT_SNAPSHOT_S);
  // An emergency from +1 s that lasts 1,000 s; the recording keeps 600 s.
  for (let i = 0; i <= 1000; i++) {
    s.frame(T0 + i, i >= 1 ? '7700' : '2301');
    if (i % 10 === 0) s.rec.commit();
  }
  s.rec.commit();
  s.rec.prune();
  s.close();
  const db = openRecording(file, { readonly: true });
  const raised = db.prepare("SELECT count(*) AS n FROM events WHERE kind = 'alert' AND json_extract(json, '$.change') = 'raised'").get() as { n: number };
  const snaps = (db.prepare("SELECT time_s FROM events WHERE kind = 'alert' AND json_extract(json, '$.change') = 'snapshot' ORDER BY seq").all() as { time_s: number }[]).map((x) => x.time_s - T0);
  db.close();
  assert.equal(raised.n, 0, 'the raising was pruned');
  assert.deepEqual(snaps, [600, 900], 'a snapshot every 300 s of data time (older ones pruned)');
  const r = listed(file, 'AAA', T0 + 950, T0 + 960);
  assert.deepEqual(r.alerts.map((x) => [x.alert.code, x.alert.timeS - T0, x.listedFrom - T0]), [['7700', 1, 950]]);
});

test('an alert the live list forgets (cleared more than 15 min ago) ends in history; a withdrawn partner gets nothing after its withdrawal', () => {
  const file = join(dir, 'ended.db');
  const s = setup(file);
  for (let i = 0; i <= 1000; i++) {
    s.frame(T0 + i, i >= 5 && i < 10 ? '7700' : '2301');
    if (i === 200) s.rec.recordPartnerStatus('BBB', 'withdrawn', T0 + 200);
  }
  s.close();
  const a = listed(file, 'AAA', T0, T0 + 1000);
  // Cleared at +10 s, forgotten once more than 900 s old, at the first frame after +910 s.
  assert.deepEqual(a.alerts.map((x) => [x.listedFrom - T0, x.listedTo - T0, x.alert.clearedS! - T0]), [[5, 911, 10]]);
  const b = listed(file, 'BBB', T0, T0 + 1000);
  assert.deepEqual(b.alerts.map((x) => [x.listedFrom - T0, x.listedTo - T0]), [[5, 200]]);
});
