import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCoalition, parseCoalition, parseReleases, coalitionToJson, SensorDirectory, withdrawalPolicy } from './coalition.ts';
import { SkyError } from '../core/errors.ts';

const good = () => ({
  partners: [
    { id: 'EGY', name: 'Egypt', status: 'member' },
    { id: 'JOR', name: 'Jordan', status: 'suspended' },
  ],
  sensors: [
    { id: 'EGY-CAI-1', partner: 'EGY', kind: 'psr+ssr', sac: 10, sic: 1, lat: 30.12, lon: 31.41, altM: 120, rotationS: 4.8, maxRangeM: 250000, sigmaRangeM: 70, sigmaAzimuthDeg: 0.08 },
    { id: 'JOR-ADSB', partner: 'JOR', kind: 'adsb', sac: 11, sic: 7, lat: 31.9, lon: 35.9, altM: 900, rotationS: null, maxRangeM: 400000, sigmaRangeM: 30, unknownField: 'ignored' },
  ],
});

function codeOf(fn: () => unknown): string {
  try { fn(); } catch (e) { assert.ok(e instanceof SkyError); return `${e.code}: ${e.message}`; }
  assert.fail('expected an error');
}

test('a valid coalition becomes typed partners and sensors in radians', () => {
  const c = parseCoalition(good());
  assert.equal(c.partners.length, 2);
  assert.equal(c.partners[1]!.status, 'suspended');
  const s = c.sensors[0]!;
  assert.equal(s.partnerId, 'EGY');
  assert.ok(Math.abs(s.latRad - 30.12 * Math.PI / 180) < 1e-15);
  assert.ok(Math.abs(s.sigmaAzimuthRad! - 0.08 * Math.PI / 180) < 1e-15);
  assert.equal(c.sensors[1]!.rotationS, null);
  assert.equal(c.sensors[1]!.sigmaAzimuthRad, null);
  const dir = new SensorDirectory(c);
  assert.equal(dir.bySacSic(11, 7)!.id, 'JOR-ADSB');
  assert.equal(dir.bySacSic(11, 8), undefined);
});

test('round trip through the contract JSON keeps every field', () => {
  const c = parseCoalition(good());
  assert.deepEqual(parseCoalition(JSON.parse(JSON.stringify(coalitionToJson(c)))), c);
});

test('errors name the code and the JSON path', () => {
  const bad = good();
  (bad.sensors[1] as Record<string, unknown>).sac = 300;
  assert.match(codeOf(() => parseCoalition(bad, 'c.json')), /^SKY_COALITION_INVALID: sensors\[1\]\.sac must be 0\.\.255 \(in c\.json\)$/);

  const b2 = good();
  delete (b2.sensors[0] as Record<string, unknown>).maxRangeM;
  assert.match(codeOf(() => parseCoalition(b2)), /^SKY_COALITION_INVALID: sensors\[0\]\.maxRangeM is required/);

  const b3 = good();
  b3.sensors[1]!.partner = 'ISR';
  assert.match(codeOf(() => parseCoalition(b3)), /sensors\[1\]\.partner "ISR" is not a declared partner/);

  const b4 = good();
  b4.sensors[1]!.sac = 10; b4.sensors[1]!.sic = 1;
  assert.match(codeOf(() => parseCoalition(b4)), /sensors\[1\]\.sic SAC\/SIC 10\/1 is already used by sensor "EGY-CAI-1"/);

  const b5 = good();
  b5.partners[0]!.status = 'friend';
  assert.match(codeOf(() => parseCoalition(b5)), /partners\[0\]\.status must be member, suspended or withdrawn/);

  const b6 = good();
  (b6.sensors[0] as Record<string, unknown>).rotationS = null;
  assert.match(codeOf(() => parseCoalition(b6)), /sensors\[0\]\.rotationS is required for a psr\+ssr radar/);

  const b7 = good();
  (b7.sensors[0] as Record<string, unknown>).lat = '30';
  assert.match(codeOf(() => parseCoalition(b7)), /sensors\[0\]\.lat must be a number/);
});

test('files: missing file and bad JSON give their own codes with a line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sky-coal-'));
  assert.match(codeOf(() => loadCoalition(join(dir, 'none.json'))), /^SKY_FILE_NOT_FOUND/);
  const f = join(dir, 'c.json');
  writeFileSync(f, '{\n  "partners": [\n    {"id": "EGY",,}\n  ]\n}\n');
  assert.match(codeOf(() => loadCoalition(f)), /^SKY_COALITION_JSON: .*c\.json line 3: not valid JSON/);
  writeFileSync(f, JSON.stringify(good()));
  assert.equal(loadCoalition(f).sensors.length, 2);
});

test('withdrawal policy: keep by default, purge when the file says so, anything else refused with its path', () => {
  assert.equal(withdrawalPolicy(parseCoalition(good())), 'keep');
  const c = parseCoalition({ ...good(), withdrawal: 'purge' });
  assert.equal(withdrawalPolicy(c), 'purge');
  assert.equal((coalitionToJson(c) as { withdrawal?: string }).withdrawal, 'purge', 'written back as read');
  assert.equal(withdrawalPolicy(parseCoalition(coalitionToJson(c))), 'purge');
  assert.match(codeOf(() => parseCoalition({ ...good(), withdrawal: 'delete' })), /^SKY_COALITION_INVALID: withdrawal must be keep or purge/);
});

test('release rules edited live are checked like the file: SKY_POLICY_INVALID with the JSON path', () => {
  const c = parseCoalition(good());
  const owner = c.partners[0]!.id;
  const own = c.sensors.find((s) => s.partnerId === owner)!.id;
  const other = c.sensors.find((s) => s.partnerId !== owner)!.id;
  assert.equal(parseReleases(c, owner, { releases: null }), null);
  const rules = parseReleases(c, owner, { releases: [{ to: ['*'], sensors: [own], content: 'position', withholdInside: [[[30, 31], [31, 31], [31, 32]]] }] })!;
  assert.deepEqual({ ...rules[0]!, withholdInside: rules[0]!.withholdInside[0]!.length }, { to: ['*'], sensors: [own], content: 'position', withholdInside: 3 });
  assert.ok(Math.abs(rules[0]!.withholdInside[0]![0]![0] - (30 * Math.PI) / 180) < 1e-12, 'degrees in, radians inside');
  const bad = (body: unknown) => {
    try {
      parseReleases(c, owner, body);
    } catch (e) {
      return `${(e as SkyError).code} ${(e as { path?: string }).path}`;
    }
    return 'accepted';
  };
  assert.equal(bad({ releases: [{ to: [owner], sensors: [other] }] }), 'SKY_POLICY_INVALID releases[0].sensors');
  assert.equal(bad({ releases: [{ to: ['NOPE'] }] }), 'SKY_POLICY_INVALID releases[0].to');
  assert.equal(bad({ releases: [{ to: ['*'], content: 'all' }] }), 'SKY_POLICY_INVALID releases[0].content');
  assert.equal(bad({ releases: 'all' }), 'SKY_POLICY_INVALID releases');
  assert.equal(bad(null), 'SKY_POLICY_INVALID (root)');
});

test('registrationAnchor: optional, true marks a surveyed radar, round-trips; a non-boolean or an anchored adsb station is refused with its path', () => {
  assert.equal(parseCoalition(good()).sensors[0]!.registrationAnchor, undefined, 'absent: not an anchor');
  const g = good();
  (g.sensors[0] as Record<string, unknown>).registrationAnchor = true;
  const c = parseCoalition(g);
  assert.equal(c.sensors[0]!.registrationAnchor, true);
  assert.equal(c.sensors[1]!.registrationAnchor, undefined);
  assert.equal((coalitionToJson(c) as { sensors: { registrationAnchor?: boolean }[] }).sensors[0]!.registrationAnchor, true, 'written back');
  assert.deepEqual(parseCoalition(JSON.parse(JSON.stringify(coalitionToJson(c)))), c);
  const f = good();
  (f.sensors[0] as Record<string, unknown>).registrationAnchor = false;
  assert.equal(parseCoalition(f).sensors[0]!.registrationAnchor, undefined, 'false is the default');
  const b = good();
  (b.sensors[0] as Record<string, unknown>).registrationAnchor = 'yes';
  assert.match(codeOf(() => parseCoalition(b, 'c.json')), /^SKY_COALITION_INVALID: sensors\[0\]\.registrationAnchor must be true or false \(in c\.json\)$/);
  const a = good();
  (a.sensors[1] as Record<string, unknown>).registrationAnchor = true;
  assert.match(codeOf(() => parseCoalition(a)), /^SKY_COALITION_INVALID: sensors\[1\]\.registrationAnchor is for radars/);
});
