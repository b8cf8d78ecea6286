// Batch output of a simulation run: the contract's files (coalition.json,
// plots.ast, truth.jsonl) plus scenario.json, the scenario actually run, so a
// user can edit and re-run it; biases.json, the sensors' true systematic
// errors (for scoring registration; the tracker never reads it); and
// events.jsonl, the scripted events as they happened.

import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { coalitionToJson } from '../coalition/coalition.ts';
import { isoDay } from '../core/time.ts';
import type { TruthPoint } from '../core/types.ts';
import type { Scenario } from './scenario.ts';
import { sensorBiases, simulate, type SimEvent, type SimOptions } from './simulate.ts';

export interface SimSummary {
  readonly dir: string;
  readonly date: string;
  readonly startS: number;
  readonly durationS: number;
  readonly blocks: number;
  readonly plotBytes: number;
  readonly truthLines: number;
  readonly aircraft: number;
  readonly events: number;
}

export function truthLine(p: TruthPoint): string {
  return JSON.stringify({
    t: p.timeS, id: p.id,
    lat: Math.round(p.latDeg * 1e7) / 1e7, lon: Math.round(p.lonDeg * 1e7) / 1e7,
    altM: p.altM === null ? null : Math.round(p.altM * 100) / 100,
    icao24: p.icao24, mode3a: p.mode3a, callsign: p.callsign,
    // Optional fields of contract section 5.
    ...('velEastMps' in p && typeof p.velEastMps === 'number' ? { vE: Math.round(p.velEastMps * 100) / 100, vN: Math.round((p as unknown as { velNorthMps: number }).velNorthMps * 100) / 100 } : {}),
    ...('observable' in p && typeof p.observable === 'boolean' ? { observable: p.observable } : {}),
  });
}

/** One events.jsonl line: {"t": ..., "type": ..., ...the event's fields}. */
export function eventLine(timeS: number, e: SimEvent): string {
  return JSON.stringify({ t: Math.round(timeS * 1000) / 1000, ...e });
}

/**
 * biases.json: {"model": "...", "sensors": [{"id", "sac", "sic", "rangeOffsetM",
 * "rangeGainPpm", "azimuthOffsetDeg", "timeOffsetS"}]}, every sensor of the
 * coalition (zeros where unbiased).
 */
export function biasesJson(scn: Scenario): unknown {
  const biases = sensorBiases(scn);
  return {
    model:
      'rangeM = (1 + rangeGainPpm * 1e-6) * trueSlantRangeM + rangeOffsetM + noise; ' +
      'azimuthDeg = trueAzimuthDeg + azimuthOffsetDeg + noise; ' +
      'reported time = true time + timeOffsetS (all of the sensor\'s messages). ADS-B stations are unbiased.',
    sensors: scn.coalition.sensors.map((s) => ({ id: s.id, sac: s.sac, sic: s.sic, ...biases.get(s.id)! })),
  };
}

async function write(stream: WriteStream, chunk: string | Uint8Array): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((res) => stream.once('drain', () => res()));
}

async function close(stream: WriteStream): Promise<void> {
  await new Promise<void>((res, rej) => stream.end((err?: Error | null) => (err ? rej(err) : res())));
}

export async function writeSimulation(
  scn: Scenario,
  scenarioJson: unknown,
  dir: string,
  opts: SimOptions,
  onProgress?: (doneS: number, totalS: number) => void,
): Promise<SimSummary> {
  mkdirSync(dir, { recursive: true });
  const startS = Math.floor(opts.startS ?? scn.startS);
  const durationS = opts.durationS ?? scn.spec.durationS;
  writeFileSync(join(dir, 'coalition.json'), JSON.stringify(coalitionToJson(scn.coalition), null, 2) + '\n');
  const scenarioOut = { ...(scenarioJson as object), start: new Date(startS * 1000).toISOString(), durationS, seed: opts.seed ?? scn.spec.seed ?? 1 };
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(scenarioOut, null, 2) + '\n');
  writeFileSync(join(dir, 'biases.json'), JSON.stringify(biasesJson(scn), null, 2) + '\n');
  const eventLines: string[] = [];
  const plots = createWriteStream(join(dir, 'plots.ast'));
  const truth = createWriteStream(join(dir, 'truth.jsonl'));
  let blocks = 0, plotBytes = 0, truthLines = 0;
  const ids = new Set<string>();
  let lines: string[] = [];
  for (const o of simulate(scn, opts)) {
    if (o.kind === 'block') {
      blocks++;
      plotBytes += o.bytes.length;
      await write(plots, o.bytes);
    } else if (o.kind === 'event') {
      eventLines.push(eventLine(o.timeS, o.event));
    } else {
      for (const p of o.points) {
        ids.add(p.id);
        lines.push(truthLine(p));
      }
      truthLines += o.points.length;
      if (lines.length > 5000) {
        await write(truth, lines.join('\n') + '\n');
        lines = [];
      }
      onProgress?.(o.timeS - startS + 1, durationS);
    }
  }
  if (lines.length) await write(truth, lines.join('\n') + '\n');
  await Promise.all([close(plots), close(truth)]);
  writeFileSync(join(dir, 'events.jsonl'), eventLines.map((l) => l + '\n').join(''));
  return { dir, date: isoDay(startS), startS, durationS, blocks, plotBytes, truthLines, aircraft: ids.size, events: eventLines.length };
}
