// Recorded alerts over real HTTP against a real SQLite recording: the live
// server records every alert change (src/alert/journal.ts) through the
// recorder, tagged with its audience; GET /api/history/alerts gives each
// partner the alerts of the audience it saw then, and nothing else.
// AAA releases its radar to no one; BBB releases its radar to every member.
// So AAA sees both radars (audience {AAA-R1, BBB-R1}) and BBB only its own:
// an emergency squawk seen by AAA's radar alone is in AAA's history, never
// in BBB's, while both have the unknown aircraft BBB's radar sees.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ALERT_EVENT_KIND } from '../../alert/index.ts';
import { parseCoalition } from '../../coalition/coalition.ts';
import { InProcessBus } from '../../core/bus.ts';
import type { Coalition, SkyEvent, SystemTrack, TrackFrame } from '../../core/types.ts';
import { RecordingHistory } from '../../record/history.ts';
import { INPUT_EVENT_KINDS, Recorder } from '../../record/recorder.ts';
import { openRecording } from '../../record/schema.ts';
import { Membership } from '../membership.ts';
import { type ServerHandle, startServer } from '../server.ts';
import { UserDirectory } from '../users.ts';
import type { WireAlert } from '../wire.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-history-alerts-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const PASSWORD = 'correct horse battery staple';
const T0 = 1_763_900_000;

const coalition: Coalition = parseCoalition({
  partners: [
    { id: 'AAA', name: 'Alpha', status: 'member', releases: [] },
    { id: 'BBB', name: 'Bravo', status: 'member' },
  ],
  sensors: [
    { id: 'AAA-R1', partner: 'AAA', kind: 'mode-s', sac: 10, sic: 1, lat: 31, lon: 33.0, altM: 100, rotationS: 4, maxRangeM: 250000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
    { id: 'BBB-R1', partner: 'BBB', kind: 'mode-s', sac: 20, sic: 1, lat: 31, lon: 35.0, altM: 100, rotationS: 4, maxRangeM: 250000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
  ],
});

function trk(id: string, over: Partial<SystemTrack>): SystemTrack {
  return {
    kind: 'track', id, timeS: T0, status: 'confirmed', latDeg: 31.2, lonDeg: 33.5, altM: 10_000, velEastMps: 200, velNorthMps: 0,
    sigmaM: 80, icao24: 'abc123', mode3a: '2301', callsign: 'TST1', sensors: ['AAA-R1'], partners: ['AAA'], ...over,
  };
}

type Listed = WireAlert & { listedFrom: number; listedTo: number };
interface Answer { partner: string; alerts: Listed[]; truncated: boolean; withheld: unknown[] }

describe('recorded alerts: GET /api/history/alerts', () => {
  const file = join(dir, 'rec.db');
  let server: ServerHandle;
  let recorder: Recorder;
  let nowS = T0;
  let keyA = '';
  const tokens: Record<string, string> = {};
  const get = async (who: string, path: string): Promise<Answer> => {
    const r = await fetch(new URL(path, server.url), { headers: { authorization: `Bearer ${tokens[who]}` } });
    assert.equal(r.status, 200, `${who} ${path}: ${await r.clone().text()}`);
    return (await r.json()) as Answer;
  };

  before(async () => {
    const users = new UserDirectory();
    await users.add({ username: 'a-op', partnerId: 'AAA', role: 'operator' }, PASSWORD);
    await users.add({ username: 'b-op', partnerId: 'BBB', role: 'operator' }, PASSWORD);
    recorder = new Recorder({
      file, clock: () => nowS,
      session: { coalition, startOfDayS: T0 - (T0 % 86400), periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience' },
    });
    const bus = new InProcessBus();
    const membership = new Membership(coalition);
    server = await startServer({
      host: '127.0.0.1', port: 0, bus, membership, users, now: () => nowS, recording: { file },
      alertLog: { record: (e) => recorder.recordEvent(e), session: () => recorder.session },
    });
    for (const [u, p] of [['a-op', 'AAA'], ['b-op', 'BBB']] as const) {
      const res = await fetch(new URL('/api/login', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: PASSWORD }) });
      tokens[p] = ((await res.json()) as { token: string }).token;
    }
    keyA = membership.audienceOf('AAA')!.key;
    const keyB = membership.audienceOf('BBB')!.key;
    assert.notEqual(keyA, keyB);
    // 40 s of frames: T1 (AAA's radar only) squawks 7700 from +5 s to +20 s; T9 (BBB's radar) has no identity.
    for (let i = 0; i < 40; i++) {
      nowS = T0 + i;
      bus.publish('events', [{ kind: 'north-marker', sensorId: 'AAA-R1', timeS: nowS }, { kind: 'north-marker', sensorId: 'BBB-R1', timeS: nowS }] satisfies SkyEvent[]);
      const t1 = trk('T1', { timeS: nowS, mode3a: i >= 5 && i < 20 ? '7700' : '2301' });
      const t9 = trk('T9', { timeS: nowS, lonDeg: 34.5, icao24: null, mode3a: null, callsign: null, sensors: ['BBB-R1'], partners: ['BBB'] });
      bus.publish('tracks', { kind: 'frame', timeS: nowS, audience: keyA, tracks: [t1, t9] } satisfies TrackFrame);
      bus.publish('tracks', { kind: 'frame', timeS: nowS, audience: keyB, tracks: [t9] } satisfies TrackFrame);
      if (i === 10) {
        // AAA's operator acknowledges the emergency (live API): recorded with who did it.
        const live = (await (await fetch(new URL('/api/alerts', server.url), { headers: { authorization: `Bearer ${tokens.AAA}` } })).json()) as { alerts: WireAlert[] };
        const em = live.alerts.find((a) => a.kind === 'emergency')!;
        const r = await fetch(new URL(`/api/alerts/${em.id}/ack`, server.url), { method: 'POST', headers: { authorization: `Bearer ${tokens.AAA}` } });
        assert.equal(r.status, 200);
      }
    }
    recorder.commit();
  });

  after(async () => {
    await server.close();
    recorder.close();
  });

  test('alerts are recorded as output events of their audience, never as inputs a replay would feed back', () => {
    assert.equal(INPUT_EVENT_KINDS.has(ALERT_EVENT_KIND), false);
    const db = openRecording(file, { readonly: true });
    const rows = db.prepare("SELECT json_extract(json, '$.change') AS c, json_extract(json, '$.audience') AS k, json FROM events WHERE kind = 'alert' ORDER BY seq").all() as { c: string; k: string; json: string }[];
    db.close();
    const changes = rows.filter((r) => r.c !== 'snapshot').map((r) => `${r.c} ${(JSON.parse(r.json) as { alert?: { kind: string }; by?: string }).alert?.kind ?? (JSON.parse(r.json) as { by: string }).by}`);
    // Each audience's unknown aircraft; AAA's emergency raised, acknowledged by a-op, cleared.
    assert.deepEqual(changes.sort(), ['acknowledged a-op', 'cleared emergency', 'raised emergency', 'raised unknown-aircraft', 'raised unknown-aircraft']);
    assert.equal(new Set(rows.map((r) => r.k)).size, 2, 'tagged with the two audience keys');
    // Everything about the emergency is tagged with AAA's audience (whose key names AAA's radar), none with BBB's.
    const emergencyKeys = new Set(rows.filter((r) => r.json.includes('7700')).map((r) => r.k));
    assert.deepEqual([...emergencyKeys], [keyA]);
  });

  test("each partner's history holds its own audience's alerts only: the emergency seen by AAA's unreleased radar is not in BBB's", async () => {
    const a = await get('AAA', `/api/history/alerts?from=${T0}&to=${T0 + 60}`);
    const b = await get('BBB', `/api/history/alerts?from=${T0}&to=${T0 + 60}`);
    assert.equal(a.partner, 'AAA');
    assert.deepEqual(a.alerts.map((x) => [x.kind, x.trackId]).sort(), [['emergency', 'T1'], ['unknown-aircraft', 'T9']]);
    const em = a.alerts.find((x) => x.kind === 'emergency')!;
    assert.deepEqual(
      { code: em.code, t: em.t, clearedS: em.clearedS, ackBy: em.ackBy, ackS: em.ackS, state: em.state, listedFrom: em.listedFrom },
      { code: '7700', t: T0 + 5, clearedS: T0 + 20, ackBy: 'a-op', ackS: T0 + 10, state: 'cleared', listedFrom: T0 + 5 },
    );
    assert.deepEqual(b.alerts.map((x) => [x.kind, x.trackId]), [['unknown-aircraft', 'T9']]);
    assert.equal(JSON.stringify(b).includes('7700'), false);
    assert.equal(JSON.stringify(b).includes('T1'), false);
    assert.deepEqual([a.truncated, a.withheld, b.withheld], [false, [], []]);
  });

  test('a window before the emergency does not list it; one inside gives it as it was then', async () => {
    const early = await get('AAA', `/api/history/alerts?from=${T0}&to=${T0 + 4}`);
    assert.deepEqual(early.alerts.map((x) => x.kind), ['unknown-aircraft']);
    const mid = await get('AAA', `/api/history/alerts?from=${T0 + 8}&to=${T0 + 9}`);
    const em = mid.alerts.find((x) => x.kind === 'emergency')!;
    // Listed over the whole window; not yet cleared, not yet acknowledged at its end.
    assert.deepEqual([em.listedFrom, em.listedTo, em.state, em.clearedS, em.ackBy], [T0 + 8, T0 + 9, 'active', null, null]);
  });

  test('the reader folds the same records (RecordingHistory.alerts); a bad window is refused', async () => {
    const h = new RecordingHistory(file);
    const r = h.alerts({ partnerId: 'BBB', fromS: T0, toS: T0 + 60 });
    h.close();
    assert.deepEqual(r.alerts.map((x) => x.alert.kind), ['unknown-aircraft']);
    const bad = await fetch(new URL(`/api/history/alerts?from=${T0 + 10}&to=${T0}`, server.url), { headers: { authorization: `Bearer ${tokens.AAA}` } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'SKY_HISTORY_RANGE');
  });
});
