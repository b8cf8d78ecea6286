// Scenario files: a coalition (contract section 2), a region, traffic
// parameters and a start time. Built-in scenarios are plain objects of the
// same shape, so a user copies one (`skyfuse sim --scenario small` writes
// DIR/scenario.json) and edits it. Validated with zod at the edge.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SkyError } from '../core/errors.ts';
import type { Coalition } from '../core/types.ts';
import { parseCoalition } from '../coalition/coalition.ts';

const num = () => z.number({ error: 'must be a number' });
const fraction = () => num().min(0, { error: 'must be 0..1' }).max(1, { error: 'must be 0..1' });

const biasSchema = z.object({
  /** Added to every slant range, metres. */
  rangeOffsetM: num().default(0),
  /** Range scale error, parts per million: range x (1 + ppm 1e-6). */
  rangeGainPpm: num().default(0),
  /** Added to every azimuth (the antenna's north alignment error), degrees. */
  azimuthOffsetDeg: num().default(0),
  /** Added to every time stamp the sensor sends (its clock error), seconds. */
  timeOffsetS: num().default(0),
});

const clutterSchema = z.object({
  /** Mean number of false primary-only plots per scan (Poisson). */
  perScan: num().min(0, { error: 'must be >= 0' }).default(0),
  /** 0: uniform in range and azimuth over the primary coverage; n > 0: around n fixed clutter patches. */
  clusters: z.number().int().min(0).default(0),
});

const sensorSimSchema = z.object({
  bias: biasSchema.optional(),
  clutter: clutterSchema.partial().optional(),
  /** Probability of detection overriding the scenario's, 0..1. */
  pdPsr: fraction().optional(),
  pdSsr: fraction().optional(),
});

const atS = () => num().min(0, { error: 'must be >= 0 (seconds after the start)' });
const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('partner-status'), atS: atS(), partner: z.string(), status: z.enum(['member', 'suspended', 'withdrawn']) }),
  z.object({ type: z.literal('sensor-outage'), atS: atS(), sensor: z.string(), durationS: num().positive() }),
  z.object({
    type: z.literal('squawk'), atS: atS(),
    code: z.string().regex(/^[0-7]{4}$/, { error: 'must be 4 octal digits' }),
    /** Aircraft id (A17); omitted: the transponder-equipped aircraft nearest the region centre. */
    aircraft: z.string().optional(),
  }),
  z.object({ type: z.literal('transponder-off'), atS: atS(), aircraft: z.string().optional() }),
  z.object({
    type: z.literal('unknown-aircraft'), atS: atS(),
    /** Where it appears; omitted: on the region's edge, heading inward. */
    lat: num().min(-89).max(89).optional(), lon: num().min(-180).max(180).optional(),
    headingDeg: num().optional(), speedMps: num().positive().optional(), altM: num().optional(),
  }),
], { error: 'type must be partner-status, sensor-outage, squawk, transponder-off or unknown-aircraft' });

const scenarioSchema = z.object({
  name: z.string({ error: 'must be a string' }),
  description: z.string().optional(),
  /** ISO-8601 UTC start of the scenario, e.g. "2025-06-01T10:00:00Z". */
  start: z.string({ error: 'must be an ISO-8601 time' }).refine((s) => !Number.isNaN(Date.parse(s)), { error: 'must be an ISO-8601 time' }),
  durationS: num().positive({ error: 'must be > 0' }),
  seed: z.number().int().optional(),
  region: z.object({ lat: num().min(-89).max(89), lon: num().min(-180).max(180), radiusM: num().positive() }),
  aircraft: z.object({
    count: z.number().int().min(0, { error: 'must be >= 0' }).max(100000, { error: 'must be <= 100000' }),
    /** 'random': straight flights with random turns (the original model); 'routes': flights between airports. */
    model: z.enum(['random', 'routes']).default('random'),
    /** Fraction flying without a transponder (primary radar only). */
    noTransponderFraction: fraction().default(0.1),
    /** Fraction of transponder aircraft with Mode S (address, callsign). */
    modeSFraction: fraction().default(0.7),
    /** Fraction that make turns during the scenario (random model). */
    turningFraction: fraction().default(0.3),
    /** Fraction of Mode S aircraft that broadcast ADS-B. */
    adsbFraction: fraction().default(0.7),
    /** Class mix of the routes model. */
    mix: z.object({ airliner: num().min(0), bizjet: num().min(0), ga: num().min(0) }).optional(),
    /** Pairs of aircraft on close crossing / parallel tracks, added to count. */
    crossingPairs: z.number().int().min(0).default(0),
    parallelPairs: z.number().int().min(0).default(0),
  }),
  /** Per-sensor probability of detection; default 0.9 primary, 0.97 secondary. */
  detection: z.object({ psr: fraction().default(0.9), ssr: fraction().default(0.97) }).default({ psr: 0.9, ssr: 0.97 }),
  /** PSR clutter of every psr / psr+ssr sensor unless `sensors` says otherwise. */
  clutter: clutterSchema.default({ perScan: 2, clusters: 0 }),
  /** ADS-B ground stations: seconds between one aircraft's reports, uniform in [min, max]. */
  adsb: z.object({ minIntervalS: num().positive().default(0.5), maxIntervalS: num().positive().default(1.5) }).default({ minIntervalS: 0.5, maxIntervalS: 1.5 }),
  /** Simulation settings per sensor id of the coalition: biases, clutter, detection. */
  sensors: z.record(z.string(), sensorSimSchema).default({}),
  /** Scripted events, times in seconds after the start. */
  events: z.array(eventSchema).default([]),
  coalition: z.unknown(),
});

export type ScenarioSpec = z.infer<typeof scenarioSchema>;

export interface Scenario {
  readonly spec: ScenarioSpec;
  readonly coalition: Coalition;
  readonly startS: number;
}

export function parseScenario(json: unknown, file: string): Scenario {
  const res = scenarioSchema.safeParse(json);
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new SkyError('SKY_SCENARIO_INVALID', `${path || '(root)'} ${issue.message} (in ${file})`, { file });
  }
  const coalition = parseCoalition(res.data.coalition, `${file} coalition`);
  const sensorIds = new Set(coalition.sensors.map((s) => s.id));
  const partnerIds = new Set(coalition.partners.map((p) => p.id));
  for (const id of Object.keys(res.data.sensors)) {
    if (!sensorIds.has(id)) throw new SkyError('SKY_SCENARIO_INVALID', `sensors.${id} names no sensor of the coalition (in ${file})`, { file });
  }
  res.data.events.forEach((e, i) => {
    if (e.type === 'sensor-outage' && !sensorIds.has(e.sensor)) throw new SkyError('SKY_SCENARIO_INVALID', `events[${i}].sensor ${e.sensor} names no sensor of the coalition (in ${file})`, { file });
    if (e.type === 'partner-status' && !partnerIds.has(e.partner)) throw new SkyError('SKY_SCENARIO_INVALID', `events[${i}].partner ${e.partner} names no partner of the coalition (in ${file})`, { file });
  });
  return { spec: res.data, coalition, startS: Date.parse(res.data.start) / 1000 };
}

const sensor = (
  id: string, partner: string, kind: string, sac: number, sic: number, lat: number, lon: number,
  altM: number, rotationS: number, maxRangeM: number, sigmaRangeM: number, sigmaAzimuthDeg: number,
) => ({ id, partner, kind, sac, sic, lat, lon, altM, rotationS, maxRangeM, sigmaRangeM, sigmaAzimuthDeg });

/**
 * `small`: three partners, five radars over the Sinai / Gulf of Aqaba /
 * Levant coast, 50 aircraft, five minutes. Sites are plausible, not real
 * radar positions.
 */
const small = {
  name: 'small',
  description: 'Three partners, five radars, 50 aircraft for five minutes over the eastern Mediterranean',
  start: '2025-06-01T10:00:00Z',
  durationS: 300,
  seed: 1,
  region: { lat: 30.8, lon: 33.6, radiusM: 260000 },
  aircraft: { count: 50, noTransponderFraction: 0.1, modeSFraction: 0.7, turningFraction: 0.3 },
  detection: { psr: 0.9, ssr: 0.97 },
  // The e2e bounds assume a clean picture: no clutter, no biases, no events.
  clutter: { perScan: 0, clusters: 0 },
  coalition: {
    partners: [
      { id: 'EGY', name: 'Egypt', status: 'member' },
      { id: 'JOR', name: 'Jordan', status: 'member' },
      { id: 'CYP', name: 'Cyprus', status: 'member' },
    ],
    sensors: [
      sensor('EGY-CAI-1', 'EGY', 'psr+ssr', 10, 1, 30.12, 31.41, 120, 4.8, 250000, 70, 0.08),
      sensor('EGY-ARI-1', 'EGY', 'mode-s', 10, 2, 31.07, 33.84, 60, 4.0, 250000, 40, 0.05),
      sensor('JOR-AMM-1', 'JOR', 'psr+ssr', 20, 1, 31.72, 35.99, 900, 5.0, 250000, 70, 0.08),
      sensor('JOR-AQJ-1', 'JOR', 'ssr', 20, 2, 29.61, 35.02, 60, 4.5, 250000, 50, 0.07),
      sensor('CYP-TRO-1', 'CYP', 'mode-s', 30, 1, 34.92, 32.86, 1950, 4.0, 300000, 40, 0.05),
    ],
  },
};

const adsb = (id: string, partner: string, sac: number, sic: number, lat: number, lon: number, altM: number, maxRangeM: number, sigmaM: number) =>
  ({ id, partner, kind: 'adsb', sac, sic, lat, lon, altM, rotationS: null, maxRangeM, sigmaRangeM: sigmaM });

const bias = (rangeOffsetM: number, rangeGainPpm: number, azimuthOffsetDeg: number, timeOffsetS: number) =>
  ({ bias: { rangeOffsetM, rangeGainPpm, azimuthOffsetDeg, timeOffsetS } });

/**
 * `coalition`: the demo of `npm start`. Six partners, 16 radars and 5 ADS-B
 * ground stations around the eastern Mediterranean and the northern Red
 * Sea, ~400 aircraft on routes between the region's airports, biases within
 * issue 7's bounds (300 m, 200 ppm, 0.3 deg, 0.5 s), clutter, and events.
 * Sites are plausible, not real radar positions.
 */
const coalition = {
  name: 'coalition',
  description: 'Six partners, 16 radars and 5 ADS-B stations, ~400 aircraft on routes over the eastern Mediterranean and the Red Sea, with biases, clutter and events',
  start: '2025-06-01T10:00:00Z',
  durationS: 3600,
  seed: 1,
  region: { lat: 29.5, lon: 35.0, radiusM: 900000 },
  aircraft: { count: 400, model: 'routes', noTransponderFraction: 0.04, modeSFraction: 0.6, turningFraction: 0.3, adsbFraction: 0.7, mix: { airliner: 0.75, bizjet: 0.1, ga: 0.15 } },
  detection: { psr: 0.9, ssr: 0.97 },
  clutter: { perScan: 2, clusters: 0 },
  adsb: { minIntervalS: 0.5, maxIntervalS: 1.5 },
  coalition: {
    partners: [
      { id: 'EGY', name: 'Egypt', status: 'member' },
      { id: 'JOR', name: 'Jordan', status: 'member' },
      { id: 'CYP', name: 'Cyprus', status: 'member' },
      { id: 'SAU', name: 'Saudi Arabia', status: 'member' },
      { id: 'GRC', name: 'Greece', status: 'member' },
      { id: 'LBN', name: 'Lebanon', status: 'member' },
    ],
    sensors: [
      ...small.coalition.sensors,
      sensor('EGY-HRG-1', 'EGY', 'psr+ssr', 10, 3, 27.18, 33.8, 15, 4.8, 250000, 70, 0.08),
      sensor('EGY-LXR-1', 'EGY', 'ssr', 10, 4, 25.67, 32.71, 90, 5.0, 250000, 50, 0.07),
      sensor('EGY-SSH-1', 'EGY', 'mode-s', 10, 5, 27.98, 34.39, 50, 4.0, 250000, 40, 0.05),
      sensor('CYP-LCA-1', 'CYP', 'psr', 30, 2, 34.88, 33.62, 10, 4.0, 120000, 60, 0.1),
      sensor('SAU-TBK-1', 'SAU', 'psr+ssr', 40, 1, 28.37, 36.62, 780, 5.0, 300000, 70, 0.08),
      sensor('SAU-WEJ-1', 'SAU', 'mode-s', 40, 2, 26.2, 36.48, 20, 4.0, 250000, 40, 0.05),
      sensor('SAU-MED-1', 'SAU', 'psr+ssr', 40, 3, 24.55, 39.71, 660, 5.0, 300000, 70, 0.08),
      sensor('SAU-JAW-1', 'SAU', 'ssr', 40, 4, 29.8, 39.9, 600, 5.0, 250000, 50, 0.07),
      sensor('GRC-KRT-1', 'GRC', 'psr+ssr', 50, 1, 35.34, 25.18, 40, 5.0, 300000, 70, 0.08),
      sensor('GRC-RHO-1', 'GRC', 'mode-s', 50, 2, 36.4, 28.09, 600, 4.0, 300000, 40, 0.05),
      { ...sensor('LBN-BEY-1', 'LBN', 'psr+ssr', 60, 1, 33.82, 35.49, 30, 4.8, 250000, 70, 0.08), psrMaxRangeM: 150000 },
      adsb('EGY-ADS-1', 'EGY', 10, 101, 28.55, 33.98, 1600, 400000, 30),
      adsb('JOR-ADS-1', 'JOR', 20, 101, 30.6, 36.2, 1100, 400000, 30),
      adsb('CYP-ADS-1', 'CYP', 30, 101, 34.93, 32.87, 1950, 400000, 30),
      adsb('SAU-ADS-1', 'SAU', 40, 101, 26.9, 37.8, 900, 400000, 30),
      adsb('GRC-ADS-1', 'GRC', 50, 101, 35.3, 25.4, 100, 400000, 30),
    ],
  },
  sensors: {
    'EGY-CAI-1': bias(150, 120, 0.15, 0.1),
    'EGY-ARI-1': bias(-80, -60, -0.1, 0),
    'JOR-AMM-1': bias(120, -150, 0.3, 0.5),
    'JOR-AQJ-1': bias(-300, 50, -0.05, 0.2),
    'CYP-TRO-1': bias(60, 30, 0.08, 0),
    'EGY-HRG-1': bias(250, 200, 0.25, 0.3),
    'EGY-LXR-1': bias(-200, 80, -0.2, -0.2),
    'EGY-SSH-1': bias(40, -40, 0.05, 0.05),
    'CYP-LCA-1': { ...bias(100, -100, -0.25, -0.1), clutter: { perScan: 4, clusters: 3 } },
    'SAU-TBK-1': bias(-150, 180, 0.2, 0.4),
    'SAU-WEJ-1': bias(200, -200, -0.3, -0.3),
    'SAU-MED-1': bias(-50, 100, 0.1, -0.5),
    'SAU-JAW-1': bias(0, 0, 0.12, 0),
    'GRC-KRT-1': bias(90, 100, -0.12, 0.15),
    'GRC-RHO-1': bias(-120, -80, 0.22, -0.15),
    'LBN-BEY-1': { ...bias(180, -80, 0.18, -0.4), clutter: { perScan: 3, clusters: 2 } },
  },
  events: [
    { type: 'squawk', atS: 600, code: '7700' },
    { type: 'sensor-outage', atS: 900, sensor: 'JOR-AQJ-1', durationS: 300 },
    { type: 'unknown-aircraft', atS: 1200, lat: 31.5, lon: 32.2, headingDeg: 100, speedMps: 200, altM: 900 },
    { type: 'transponder-off', atS: 1500 },
    { type: 'partner-status', atS: 1800, partner: 'LBN', status: 'suspended' },
    { type: 'squawk', atS: 2100, code: '7600' },
    { type: 'partner-status', atS: 2700, partner: 'LBN', status: 'member' },
    { type: 'partner-status', atS: 3000, partner: 'GRC', status: 'withdrawn' },
  ],
};

/**
 * `dense`: crossing and parallel pairs in the busy airspace between Cyprus
 * and the Levant coast, to stress association: 500 routed aircraft plus 40
 * crossing and 30 parallel pairs, four overlapping radars and an ADS-B station.
 */
const dense = {
  name: 'dense',
  description: 'Crossing and parallel pairs between Cyprus and the Levant: 500 aircraft plus 70 close pairs, four radars and an ADS-B station',
  start: '2025-06-01T10:00:00Z',
  durationS: 1800,
  seed: 3,
  region: { lat: 33.3, lon: 34.3, radiusM: 300000 },
  aircraft: { count: 500, model: 'routes', noTransponderFraction: 0.05, modeSFraction: 0.6, turningFraction: 0.3, adsbFraction: 0.7, crossingPairs: 40, parallelPairs: 30 },
  detection: { psr: 0.9, ssr: 0.97 },
  clutter: { perScan: 2, clusters: 0 },
  coalition: {
    partners: [
      { id: 'CYP', name: 'Cyprus', status: 'member' },
      { id: 'LBN', name: 'Lebanon', status: 'member' },
      { id: 'EGY', name: 'Egypt', status: 'member' },
    ],
    sensors: [
      sensor('CYP-TRO-1', 'CYP', 'mode-s', 30, 1, 34.92, 32.86, 1950, 4.0, 300000, 40, 0.05),
      sensor('CYP-LCA-1', 'CYP', 'psr+ssr', 30, 2, 34.88, 33.62, 10, 4.8, 250000, 70, 0.08),
      sensor('LBN-BEY-1', 'LBN', 'psr+ssr', 60, 1, 33.82, 35.49, 30, 4.8, 250000, 70, 0.08),
      sensor('EGY-ARI-1', 'EGY', 'mode-s', 10, 2, 31.07, 33.84, 60, 4.0, 250000, 40, 0.05),
      adsb('CYP-ADS-1', 'CYP', 30, 101, 34.93, 32.87, 1950, 400000, 30),
    ],
  },
  sensors: {
    'CYP-TRO-1': bias(60, 30, 0.08, 0),
    'CYP-LCA-1': bias(-150, 120, -0.15, 0.2),
    'LBN-BEY-1': bias(180, -80, 0.18, -0.3),
    'EGY-ARI-1': bias(-80, -60, -0.1, 0.1),
  },
  events: [],
};

/**
 * `scale`: 12,000 aircraft and 120 sensors (100 radars on a 3-degree lattice
 * over the Middle East, 20 ADS-B stations) of seven partners, for speed.
 */
function scaleScenario() {
  const partners = [
    { id: 'EGY', name: 'Egypt', lat: 30.0, lon: 31.2 },
    { id: 'JOR', name: 'Jordan', lat: 31.9, lon: 35.9 },
    { id: 'CYP', name: 'Cyprus', lat: 35.1, lon: 33.4 },
    { id: 'SAU', name: 'Saudi Arabia', lat: 24.7, lon: 46.7 },
    { id: 'GRC', name: 'Greece', lat: 38.0, lon: 23.7 },
    { id: 'ARE', name: 'United Arab Emirates', lat: 24.5, lon: 54.4 },
    { id: 'OMN', name: 'Oman', lat: 23.6, lon: 58.4 },
  ];
  const cLat = 29;
  const cLon = 40;
  const radiusM = 1800000;
  const sites: [number, number][] = [];
  for (let la = cLat - 15; la <= cLat + 15; la += 3) {
    for (let lo = cLon - 18; lo <= cLon + 18; lo += 3) {
      const d = Math.hypot((la - cLat) * 111e3, (lo - cLon) * 111e3 * Math.cos((cLat * Math.PI) / 180));
      if (d <= radiusM) sites.push([la + 0.37 * Math.sin(la * lo), lo + 0.41 * Math.cos(la + lo)]);
    }
  }
  const kinds = ['psr+ssr', 'mode-s', 'ssr', 'psr+ssr', 'mode-s', 'psr'] as const;
  const sensors: object[] = [];
  const sim: Record<string, unknown> = {};
  const sicNext = new Map<string, number>();
  const owner = (la: number, lo: number) => {
    let best = partners[0]!;
    for (const p of partners) if (Math.hypot(p.lat - la, p.lon - lo) < Math.hypot(best.lat - la, best.lon - lo)) best = p;
    return best;
  };
  sites.slice(0, 100).forEach(([la, lo], i) => {
    const p = owner(la, lo);
    const pi = partners.indexOf(p);
    const sic = (sicNext.get(p.id) ?? 0) + 1;
    sicNext.set(p.id, sic);
    const kind = kinds[i % kinds.length]!;
    const id = `${p.id}-R${String(sic).padStart(2, '0')}`;
    const r = (x: number) => Math.round(x * 100) / 100;
    sensors.push(sensor(id, p.id, kind, 100 + pi, sic, r(la), r(lo), 100 + (i % 7) * 150, kind === 'mode-s' ? 4.0 : 4.8, kind === 'psr' ? 150000 : 250000, kind === 'mode-s' ? 40 : 70, kind === 'mode-s' ? 0.05 : 0.08));
    sim[id] = bias(r(250 * Math.sin(i * 1.7)), r(180 * Math.cos(i * 2.3)), r(0.25 * Math.sin(i * 0.9)), r(0.4 * Math.cos(i * 1.3)));
  });
  sites.filter((_, i) => i % 5 === 2).slice(0, 20).forEach(([la, lo], i) => {
    const p = owner(la, lo);
    sensors.push(adsb(`${p.id}-ADS${String(i + 1).padStart(2, '0')}`, p.id, 100 + partners.indexOf(p), 200 + i, Math.round((la + 0.5) * 100) / 100, Math.round((lo - 0.5) * 100) / 100, 300, 400000, 30));
  });
  return {
    name: 'scale',
    description: '12,000 aircraft, 100 radars and 20 ADS-B stations of seven partners over the Middle East (for speed)',
    start: '2025-06-01T10:00:00Z',
    durationS: 3600,
    seed: 5,
    region: { lat: cLat, lon: cLon, radiusM },
    aircraft: { count: 12000, model: 'routes', noTransponderFraction: 0.04, modeSFraction: 0.6, turningFraction: 0.3, adsbFraction: 0.7 },
    detection: { psr: 0.9, ssr: 0.97 },
    clutter: { perScan: 2, clusters: 0 },
    coalition: { partners: partners.map(({ id, name }) => ({ id, name, status: 'member' })), sensors },
    sensors: sim,
    events: [
      { type: 'squawk', atS: 300, code: '7700' },
      { type: 'sensor-outage', atS: 600, sensor: (sensors[3] as { id: string }).id, durationS: 600 },
    ],
  };
}

const builtIn: Record<string, unknown> = { small, coalition, dense, scale: scaleScenario() };

export const scenarioNames = Object.keys(builtIn);

/** A built-in scenario by name, or a scenario JSON file by path. */
export function loadScenario(nameOrFile: string): Scenario {
  const b = builtIn[nameOrFile];
  if (b !== undefined) return parseScenario(structuredClone(b), nameOrFile);
  let text: string;
  try {
    text = readFileSync(nameOrFile, 'utf8');
  } catch {
    throw new SkyError(
      'SKY_SCENARIO_UNKNOWN',
      `"${nameOrFile}" is neither a built-in scenario (${scenarioNames.join(', ')}) nor a readable file`,
      { file: nameOrFile },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SkyError('SKY_SCENARIO_INVALID', `${nameOrFile}: not valid JSON (${(e as Error).message})`, { file: nameOrFile });
  }
  return parseScenario(json, nameOrFile);
}

/** The built-in scenario's JSON, so `sim` can write it beside its output. */
export function scenarioJson(nameOrFile: string): unknown {
  const b = builtIn[nameOrFile];
  return b !== undefined ? structuredClone(b) : JSON.parse(readFileSync(nameOrFile, 'utf8'));
}
