// GET /api/history, /api/history/span and /api/export over real HTTP against
// a real recording (the small scenario, JOR suspended at +40 s), with a real
// audit log. The picture a session gets is its own partner's as recorded,
// whatever partner it asks about; an export is in the audit log before the
// response, and refused when the log cannot take it.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuditLog, type AuditSink } from '../../coalition/audit.ts';
import { InProcessBus } from '../../core/bus.ts';
import { CSV_HEADER, RecordingHistory } from '../../record/history.ts';
import { runLive, type LiveRun } from '../../record/testing.ts';
import { assertWellFormedXml } from '../../../test/support/xml.ts';
import { Membership } from '../membership.ts';
import { type ServerHandle, startServer } from '../server.ts';
import { SessionStore, UserDirectory } from '../users.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-history-routes-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const PASSWORD = 'correct horse battery staple';

describe('history routes', () => {
  const file = join(dir, 'rec.db');
  const auditFile = join(dir, 'audit.jsonl');
  let run: LiveRun;
  let server: ServerHandle;
  let broken: ServerHandle;
  let audit: AuditLog;
  let bus: InProcessBus;
  const users = new UserDirectory();
  const tokens: Record<string, string> = {};

  before(async () => {
    run = runLive({ durationS: 90, file, statusChanges: [{ atS: 40, partnerId: 'JOR', status: 'suspended' }] });
    run.recorder!.close();
    await users.add({ username: 'egy-op', partnerId: 'EGY', role: 'operator' }, PASSWORD);
    await users.add({ username: 'jor-op', partnerId: 'JOR', role: 'operator' }, PASSWORD);
    bus = new InProcessBus();
    audit = await AuditLog.open(auditFile);
    const membership = new Membership(run.config.coalition);
    // One session store: a token from one server works on the other.
    const sessions = new SessionStore(() => Date.now() / 1000);
    server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users, sessions, audit, recording: { file } });
    const failing: AuditSink = { append: () => Promise.reject(new Error('disk full')) };
    broken = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users, sessions, audit: failing, recording: { file } });
    for (const u of ['egy-op', 'jor-op']) {
      const res = await fetch(new URL('/api/login', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: PASSWORD }) });
      tokens[u] = ((await res.json()) as { token: string }).token;
    }
  });
  after(async () => {
    await server.close();
    await broken.close();
    await audit.close();
    await bus.close();
  });

  const get = (path: string, user: string, srv = server) => fetch(new URL(path, srv.url), { headers: { authorization: `Bearer ${tokens[user]}` } });

  test('a session gets its own partner\'s recorded picture, as the recording says it saw it', async () => {
    const from = run.startS;
    const to = run.startS + 90;
    const res = await get(`/api/history?from=${from}&to=${to}`, 'jor-op');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { partner: string; frames: { t: number; tracks: { id: string; sensors: string[]; lat: number }[] }[]; truncated: boolean };
    assert.equal(body.partner, 'JOR');
    const h = new RecordingHistory(file);
    const want = h.query({ partnerId: 'JOR', fromS: from, toS: to });
    h.close();
    assert.ok(want.frames.length > 80);
    assert.deepEqual(body.frames.map((f) => f.t), want.frames.map((f) => f.t));
    assert.deepEqual(body.frames.at(-1)!.tracks.map((k) => [k.id, k.lat]), want.frames.at(-1)!.tracks.map((k) => [k.id, k.lat]));
    for (const f of body.frames.filter((x) => x.t >= from + 41)) for (const k of f.tracks) for (const s of k.sensors) assert.match(s, /^JOR-/);
    // EGY's picture after the suspension is another one: no JOR radar in it.
    const egy = (await (await get(`/api/history?from=${from + 50}&to=${to}&step=5`, 'egy-op')).json()) as typeof body;
    assert.equal(egy.partner, 'EGY');
    assert.ok(egy.frames.length >= 7 && egy.frames.length <= 8, `${egy.frames.length} frames at step 5`);
    assert.ok(egy.frames.some((f) => f.tracks.length > 0));
    for (const f of egy.frames) for (const k of f.tracks) for (const s of k.sensors) assert.doesNotMatch(s, /^JOR-/);
  });

  test('span, bad parameters, no recording', async () => {
    const span = (await (await get('/api/history/span', 'egy-op')).json()) as { from: number; to: number };
    assert.ok(span.from >= run.startS && span.from < run.startS + 3, `from ${span.from - run.startS}`);
    assert.ok(span.to > run.startS + 85 && span.to <= run.startS + 90, `to ${span.to - run.startS}`);
    for (const [q, code] of [
      ['from=x&to=5', 'SKY_HISTORY_RANGE'], ['to=5', 'SKY_HISTORY_RANGE'], ['from=10&to=5', 'SKY_HISTORY_RANGE'],
      ['from=0&to=5&step=-1', 'SKY_HISTORY_STEP'], ['from=0&to=5&track=%3Cscript%3E', 'SKY_HISTORY_TRACK'],
    ] as const) {
      const res = await get(`/api/history?${q}`, 'egy-op');
      assert.equal(res.status, 400, q);
      assert.equal(((await res.json()) as { error: string }).error, code, q);
    }
    const res = await get('/api/export?from=0&to=5&format=xls', 'egy-op');
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'SKY_EXPORT_FORMAT');
    assert.equal((await fetch(new URL('/api/history?from=0&to=5', server.url))).status, 401);
  });

  test('export: an audited attachment in each format', async () => {
    const from = new Date(run.startS * 1000).toISOString();
    const to = run.startS + 60;
    const csv = await get(`/api/export?from=${from}&to=${to}&format=csv`, 'egy-op');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-disposition')!, /^attachment; filename="skyfuse-EGY-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv"$/);
    assert.match(csv.headers.get('content-type')!, /^text\/csv/);
    const lines = (await csv.text()).trimEnd().split('\n');
    assert.equal(lines[0], CSV_HEADER);
    const h = new RecordingHistory(file);
    const want = h.query({ partnerId: 'EGY', fromS: run.startS, toS: to });
    h.close();
    assert.equal(lines.length - 1, want.frames.reduce((a, f) => a + f.tracks.length, 0));

    const geo = await get(`/api/export?from=${run.startS}&to=${to}&format=geojson&step=2`, 'egy-op');
    assert.equal(geo.status, 200);
    const g = (await geo.json()) as { type: string; features: { geometry: { type: string } }[] };
    assert.equal(g.type, 'FeatureCollection');
    assert.ok(g.features.length > 20 && g.features.filter((f) => f.geometry.type === 'LineString').length > 20);

    const kml = await get(`/api/export?from=${run.startS}&to=${to}&format=kml`, 'jor-op');
    assert.equal(kml.status, 200);
    const text = await kml.text();
    assertWellFormedXml(text);
    assert.ok((text.match(/<Placemark>/g) ?? []).length > 5);

    const entries = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; actor: { user: string; partner: string } | null; details: Record<string, unknown> });
    const exports = entries.filter((e) => e.kind === 'export');
    assert.equal(exports.length, 3);
    assert.deepEqual(exports.map((e) => [e.actor?.user, e.details.format, e.details.partner]), [['egy-op', 'csv', 'EGY'], ['egy-op', 'geojson', 'EGY'], ['jor-op', 'kml', 'JOR']]);
    assert.equal(exports[0]!.details.trackLines, lines.length - 1);
  });

  test('an export the audit log cannot record is refused (503), and nothing of it is sent', async () => {
    const res = await get(`/api/export?from=${run.startS}&to=${run.startS + 30}&format=csv`, 'egy-op', broken);
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: string };
    assert.equal(body.error, 'SKY_AUDIT_WRITE');
    assert.equal(res.headers.get('content-disposition'), null);
    // Reading history is not an export: it is not audited and works.
    assert.equal((await get(`/api/history?from=${run.startS}&to=${run.startS + 5}`, 'egy-op', broken)).status, 200);
  });
});
