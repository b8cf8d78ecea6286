// The coalition file (contract section 2): who the partners are and which
// sensors each owns. Validated once at the edge with zod; downstream code only
// sees typed Partner and Sensor records with radians inside. An invalid file
// is refused whole with the JSON path of the first problem: a half-loaded
// coalition could attribute a partner's data to the wrong owner.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SkyError } from '../core/errors.ts';
import type { Coalition, Partner, ReleaseRule, Sensor } from '../core/types.ts';

const DEG = Math.PI / 180;

const range = (lo: number, hi: number) =>
  z.number({ error: 'must be a number' }).check(
    z.refine((v: number) => v >= lo && v <= hi, { error: `must be ${lo}..${hi}` }),
  );
const positive = () => z.number({ error: 'must be a number' }).positive({ error: 'must be > 0' });

const latLon = z.tuple([range(-90, 90), range(-180, 180)], { error: 'must be a [lat, lon] pair in degrees' });

const releaseSchema = z.object({
  to: z.array(z.string(), { error: 'must be an array of partner ids or "*"' }),
  sensors: z.array(z.string(), { error: 'must be an array of sensor ids' }).nullable().optional(),
  content: z.enum(['full', 'position'], { error: 'must be full or position' }).default('full'),
  withholdInside: z
    .array(z.array(latLon, { error: 'must be a ring of [lat, lon] points' }).min(3, { error: 'needs at least 3 points' }), {
      error: 'must be an array of polygons',
    })
    .default([]),
});

const partnerSchema = z.object({
  id: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  name: z.string({ error: 'must be a string' }),
  status: z.enum(['member', 'suspended', 'withdrawn'], { error: 'must be member, suspended or withdrawn' }),
  releases: z.array(releaseSchema, { error: 'must be an array of release rules' }).optional(),
});

const sensorSchema = z.object({
  id: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  partner: z.string({ error: 'must be a string' }),
  kind: z.enum(['psr', 'ssr', 'psr+ssr', 'mode-s', 'adsb'], {
    error: 'must be psr, ssr, psr+ssr, mode-s or adsb',
  }),
  sac: range(0, 255).check(z.int({ error: 'must be an integer 0..255' })),
  sic: range(0, 255).check(z.int({ error: 'must be an integer 0..255' })),
  lat: range(-90, 90),
  lon: range(-180, 180),
  altM: range(-500, 20000),
  rotationS: positive().nullable().optional(),
  maxRangeM: positive(),
  psrMaxRangeM: positive().nullable().optional(),
  sigmaRangeM: positive(),
  sigmaAzimuthDeg: positive().nullable().optional(),
  registrationAnchor: z.boolean({ error: 'must be true or false' }).optional(),
});

const coalitionSchema = z.object({
  partners: z.array(partnerSchema, { error: 'must be an array' }).min(1, { error: 'must name at least one partner' }),
  sensors: z.array(sensorSchema, { error: 'must be an array' }),
  withdrawal: z.enum(['keep', 'purge'], { error: 'must be keep or purge' }).optional(),
});

/**
 * What happens to a withdrawing partner's recorded raw data (coalition file,
 * optional top-level `"withdrawal"`): "keep" (the default) leaves it in the
 * recording; "purge" deletes its sensors' raw blocks from the recording at
 * the moment of withdrawal (src/record/purge.ts) and records none after.
 */
export type WithdrawalPolicy = 'keep' | 'purge';
// Kept beside the Coalition (whose type is shared by every stage) rather than in it.
const withdrawalOfCoalition = new WeakMap<Coalition, WithdrawalPolicy>();

/** The coalition file's withdrawal policy ("keep" when it says nothing, or for a coalition not read from a file). */
export function withdrawalPolicy(c: Coalition): WithdrawalPolicy {
  return withdrawalOfCoalition.get(c) ?? 'keep';
}

type RawCoalition = z.infer<typeof coalitionSchema>;

function pathString(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(root)';
}

function invalid(file: string, path: readonly PropertyKey[], msg: string): SkyError {
  return new SkyError('SKY_COALITION_INVALID', `${pathString(path)} ${msg} (in ${file})`, { file });
}

/** Validate an already-parsed coalition object; `file` names it in errors. */
export function parseCoalition(json: unknown, file = 'coalition.json'): Coalition {
  const res = coalitionSchema.safeParse(json);
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const missing = issue.code === 'invalid_type' && valueAt(json, issue.path) === undefined;
    const msg = missing ? 'is required' : issue.message;
    throw invalid(file, issue.path, msg);
  }
  const c = toCoalition(res.data, file);
  if (res.data.withdrawal) withdrawalOfCoalition.set(c, res.data.withdrawal);
  return c;
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = json;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function toCoalition(raw: RawCoalition, file: string): Coalition {
  const partnerIds = new Set<string>();
  raw.partners.forEach((p, i) => {
    if (partnerIds.has(p.id)) throw invalid(file, ['partners', i, 'id'], `"${p.id}" is used twice`);
    partnerIds.add(p.id);
  });
  const sensorIds = new Set<string>();
  const sources = new Map<number, string>();
  const sensors: Sensor[] = raw.sensors.map((s, i) => {
    if (sensorIds.has(s.id)) throw invalid(file, ['sensors', i, 'id'], `"${s.id}" is used twice`);
    sensorIds.add(s.id);
    if (!partnerIds.has(s.partner)) throw invalid(file, ['sensors', i, 'partner'], `"${s.partner}" is not a declared partner`);
    // SAC/SIC is how a plot finds its sensor, so two sensors may not share one.
    const key = s.sac * 256 + s.sic;
    const other = sources.get(key);
    if (other !== undefined) throw invalid(file, ['sensors', i, 'sic'], `SAC/SIC ${s.sac}/${s.sic} is already used by sensor "${other}"`);
    sources.set(key, s.id);
    const rotating = s.kind !== 'adsb';
    if (rotating && (s.rotationS === undefined || s.rotationS === null)) throw invalid(file, ['sensors', i, 'rotationS'], `is required for a ${s.kind} radar`);
    if (rotating && (s.sigmaAzimuthDeg === undefined || s.sigmaAzimuthDeg === null)) throw invalid(file, ['sensors', i, 'sigmaAzimuthDeg'], `is required for a ${s.kind} radar`);
    if (!rotating && s.registrationAnchor === true) throw invalid(file, ['sensors', i, 'registrationAnchor'], 'is for radars (an adsb station is a reference already)');
    return {
      id: s.id,
      partnerId: s.partner,
      kind: s.kind,
      sac: s.sac,
      sic: s.sic,
      latRad: s.lat * DEG,
      lonRad: s.lon * DEG,
      altM: s.altM,
      rotationS: rotating ? (s.rotationS ?? null) : null,
      maxRangeM: s.maxRangeM,
      psrMaxRangeM: s.psrMaxRangeM ?? null,
      sigmaRangeM: s.sigmaRangeM,
      sigmaAzimuthRad: rotating && s.sigmaAzimuthDeg != null ? s.sigmaAzimuthDeg * DEG : null,
      // Surveyed alignment (src/register): a reference for the other radars' registration. Absent unless true.
      ...(s.registrationAnchor === true ? { registrationAnchor: true } : {}),
    };
  });
  const partners: Partner[] = raw.partners.map((p, i) => ({
    id: p.id,
    name: p.name,
    status: p.status,
    releases: p.releases === undefined ? null : toRules(p.releases, p.id, partnerIds, sensors, (k, field, msg) => invalid(file, ['partners', i, 'releases', k, field], msg)),
  }));
  return { partners, sensors };
}

type RawRelease = z.infer<typeof releaseSchema>;

/** The same checks for a coalition file and for a policy edited live: recipients are declared partners, sensors the owner's own. */
function toRules(
  raw: readonly RawRelease[],
  owner: string,
  partnerIds: ReadonlySet<string>,
  sensors: readonly Sensor[],
  fail: (rule: number, field: string, msg: string) => SkyError,
): ReleaseRule[] {
  return raw.map((r, k) => {
    for (const to of r.to) {
      if (to !== '*' && !partnerIds.has(to)) throw fail(k, 'to', `"${to}" is not a declared partner`);
    }
    for (const sid of r.sensors ?? []) {
      if (!sensors.some((s) => s.id === sid && s.partnerId === owner)) throw fail(k, 'sensors', `"${sid}" is not a sensor of ${owner}`);
    }
    return {
      to: r.to,
      sensors: r.sensors ?? null,
      content: r.content,
      withholdInside: r.withholdInside.map((ring) => ring.map(([la, lo]) => [la * DEG, lo * DEG] as const)),
    };
  });
}

const policySchema = z.object({
  releases: z.array(releaseSchema, { error: 'must be an array of release rules, or null for "everything to every member"' }).nullable(),
});

/**
 * A partner's release rules as edited live (PUT /api/partners/:id/releases):
 * `{ "releases": [...] | null }` in the coalition file's form (degrees),
 * validated exactly as the file is. Errors: SKY_POLICY_INVALID naming the
 * JSON path of the first problem (also in `path`).
 */
export function parseReleases(coalition: Coalition, owner: string, json: unknown): readonly ReleaseRule[] | null {
  const fail = (path: readonly PropertyKey[], msg: string) => {
    const where = pathString(path);
    return Object.assign(new SkyError('SKY_POLICY_INVALID', `${where} ${msg}`), { path: where });
  };
  const res = policySchema.safeParse(json);
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const missing = issue.code === 'invalid_type' && valueAt(json, issue.path) === undefined;
    throw fail(issue.path, missing ? 'is required' : issue.message);
  }
  if (res.data.releases === null) return null;
  const partnerIds = new Set(coalition.partners.map((p) => p.id));
  return toRules(res.data.releases, owner, partnerIds, coalition.sensors, (k, field, msg) => fail(['releases', k, field], msg));
}

/** Release rules in the coalition file's form (degrees), as written and as the policy API serves them. */
export function releasesToJson(rules: readonly ReleaseRule[] | null): { to: string[]; sensors: string[] | null; content: string; withholdInside: number[][][] }[] | null {
  return rules === null
    ? null
    : rules.map((r) => ({
        to: [...r.to],
        sensors: r.sensors === null ? null : [...r.sensors],
        content: r.content,
        withholdInside: r.withholdInside.map((ring) => ring.map(([la, lo]) => [round(la / DEG, 7), round(lo / DEG, 7)])),
      }));
}

/** Read and validate a coalition file. Errors: SKY_FILE_NOT_FOUND, SKY_COALITION_JSON, SKY_COALITION_INVALID. */
export function loadCoalition(file: string): Coalition {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new SkyError('SKY_FILE_NOT_FOUND', `cannot read coalition file ${file}`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(String((e as Error).message));
    const pos = m ? Number(m[1]) : -1;
    const line = pos >= 0 ? text.slice(0, pos).split('\n').length : 0;
    throw new SkyError('SKY_COALITION_JSON', `${file}${line ? ` line ${line}` : ''}: not valid JSON (${(e as Error).message})`, {
      file,
      ...(line ? { offset: line } : {}),
    });
  }
  return parseCoalition(json, file);
}

/** The contract's JSON form of a coalition (degrees), as `sim` writes it and the API serves it. */
export function coalitionToJson(c: Coalition): object {
  return {
    ...(withdrawalOfCoalition.has(c) ? { withdrawal: withdrawalPolicy(c) } : {}),
    partners: c.partners.map((p) => ({
      id: p.id,
      name: p.name,
      status: p.status,
      ...(p.releases === null ? {} : { releases: releasesToJson(p.releases) }),
    })),
    sensors: c.sensors.map((s) => ({
      id: s.id,
      partner: s.partnerId,
      kind: s.kind,
      sac: s.sac,
      sic: s.sic,
      lat: round(s.latRad / DEG, 6),
      lon: round(s.lonRad / DEG, 6),
      altM: s.altM,
      rotationS: s.rotationS,
      maxRangeM: s.maxRangeM,
      psrMaxRangeM: s.psrMaxRangeM,
      sigmaRangeM: s.sigmaRangeM,
      sigmaAzimuthDeg: s.sigmaAzimuthRad === null ? null : round(s.sigmaAzimuthRad / DEG, 6),
      ...(s.registrationAnchor ? { registrationAnchor: true } : {}),
    })),
  };
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}

/** Finds a plot's sensor by its ASTERIX source identifier. */
export class SensorDirectory {
  private readonly bySource = new Map<number, Sensor>();
  readonly byId = new Map<string, Sensor>();

  constructor(readonly coalition: Coalition) {
    for (const s of coalition.sensors) {
      this.bySource.set(s.sac * 256 + s.sic, s);
      this.byId.set(s.id, s);
    }
  }

  bySacSic(sac: number, sic: number): Sensor | undefined {
    return this.bySource.get(sac * 256 + sic);
  }
}
