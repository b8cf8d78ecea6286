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
    /** Fraction flying without a transponder (primary radar only). */
    noTransponderFraction: fraction().default(0.1),
    /** Fraction of transponder aircraft with Mode S (address, callsign). */
    modeSFraction: fraction().default(0.7),
    /** Fraction that make turns during the scenario. */
    turningFraction: fraction().default(0.3),
  }),
  /** Per-sensor probability of detection; default 0.9 primary, 0.97 secondary. */
  detection: z.object({ psr: fraction().default(0.9), ssr: fraction().default(0.97) }).default({ psr: 0.9, ssr: 0.97 }),
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

/**
 * `coalition`: the live demo of `npm start` until the full simulator lands:
 * five partners, nine radars, 300 aircraft, one hour.
 */
const coalition = {
  ...small,
  name: 'coalition',
  description: 'Five partners, nine radars, 300 aircraft over the eastern Mediterranean and the Red Sea',
  durationS: 3600,
  region: { lat: 30.5, lon: 34.0, radiusM: 450000 },
  aircraft: { count: 300, noTransponderFraction: 0.08, modeSFraction: 0.75, turningFraction: 0.3 },
  coalition: {
    partners: [
      ...small.coalition.partners,
      { id: 'SAU', name: 'Saudi Arabia', status: 'member' },
      { id: 'GRC', name: 'Greece', status: 'member' },
    ],
    sensors: [
      ...small.coalition.sensors,
      sensor('SAU-TBK-1', 'SAU', 'psr+ssr', 40, 1, 28.37, 36.62, 780, 5.0, 300000, 70, 0.08),
      sensor('SAU-WEJ-1', 'SAU', 'mode-s', 40, 2, 26.2, 36.48, 20, 4.0, 250000, 40, 0.05),
      sensor('EGY-HRG-1', 'EGY', 'psr+ssr', 10, 3, 27.18, 33.8, 15, 4.8, 250000, 70, 0.08),
      sensor('GRC-KRT-1', 'GRC', 'psr+ssr', 50, 1, 35.34, 25.18, 40, 5.0, 300000, 70, 0.08),
    ],
  },
};

const builtIn: Record<string, unknown> = { small, coalition };

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
