// Batch output of a simulation run: the contract's files (coalition.json,
// plots.ast, truth.jsonl) plus scenario.json, the scenario actually run, so a
// user can edit and re-run it.

import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { coalitionToJson } from '../coalition/coalition.ts';
import { isoDay } from '../core/time.ts';
import type { TruthPoint } from '../core/types.ts';
import type { Scenario } from './scenario.ts';
import { simulate, type SimOptions } from './simulate.ts';

export interface SimSummary {
  readonly dir: string;
  readonly date: string;
  readonly startS: number;
  readonly durationS: number;
  readonly blocks: number;
  readonly plotBytes: number;
  readonly truthLines: number;
  readonly aircraft: number;
}

export function truthLine(p: TruthPoint): string {
  return JSON.stringify({
    t: p.timeS, id: p.id,
    lat: Math.round(p.latDeg * 1e7) / 1e7, lon: Math.round(p.lonDeg * 1e7) / 1e7,
    altM: p.altM === null ? null : Math.round(p.altM * 100) / 100,
    icao24: p.icao24, mode3a: p.mode3a, callsign: p.callsign,
  });
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
  return { dir, date: isoDay(startS), startS, durationS, blocks, plotBytes, truthLines, aircraft: ids.size };
}
