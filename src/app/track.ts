// Batch tracking (`skyfuse track`): recorded plot files in, tracks.jsonl out,
// as fast as the machine allows. Several inputs are merged in time order.

import { createWriteStream, statSync } from 'node:fs';
import { loadCoalition, SensorDirectory } from '../coalition/coalition.ts';
import { ErrorCounter, SkyError } from '../core/errors.ts';
import { dayStartS } from '../core/time.ts';
import { trackToJson } from '../core/contract.ts';
import type { Coalition, Plot, SystemTrack, TrackFrame } from '../core/types.ts';
import { PlotDecoder, readPlotFile } from '../ingest/index.ts';
import { Cat062FileWriter } from '../output/index.ts';
import { Registration, type SensorRegistration } from '../register/index.ts';
import { TrackingLoop } from '../track/loop.ts';
import { Tracker, defaultTrackerOptions } from '../track/tracker.ts';

export interface TrackRunOptions {
  readonly coalitionFile: string;
  readonly inputs: readonly string[];
  readonly date: string;
  readonly out: string;
  readonly periodS: number;
  /** Also write the snapshots as ASTERIX CAT062 (contract section 1). */
  readonly outCat062?: string;
  /** SAC/SIC the CAT062 output names as its source (the fusion system). */
  readonly sdps?: { sac: number; sic: number };
  /** Estimate and remove sensor biases before tracking (default on). */
  readonly register?: boolean;
  /** Tracker association (TrackerOptions.association); default gnn. */
  readonly association?: 'gnn' | 'jpda';
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface TrackRunSummary {
  readonly plots: number;
  readonly records: number;
  readonly frames: number;
  readonly lines: number;
  readonly trackIds: number;
  readonly errors: ErrorCounter;
  readonly unknownSources: ReadonlyMap<string, number>;
  readonly registration: readonly SensorRegistration[];
  readonly elapsedS: number;
}

/** One line of tracks.jsonl (contract section 4). */
export function trackLine(t: SystemTrack): string {
  return JSON.stringify(trackToJson(t));
}

interface Source {
  readonly iter: Iterator<{ timeS: number; plots: Plot[] }>;
  head: { timeS: number; plots: Plot[] } | null;
}

export async function runTrack(o: TrackRunOptions): Promise<TrackRunSummary> {
  const t0 = performance.now();
  let startOfDayS: number;
  try {
    startOfDayS = dayStartS(o.date);
  } catch (e) {
    throw new SkyError('SKY_USAGE', `--date: ${(e as Error).message}`);
  }
  const coalition: Coalition = loadCoalition(o.coalitionFile);
  const directory = new SensorDirectory(coalition);
  const errors = new ErrorCounter();
  // One decoder per input: each file's time of day unwraps on its own.
  const decoders = o.inputs.map(() => new PlotDecoder(directory, startOfDayS, errors));
  let totalBytes = 0;
  for (const f of o.inputs) {
    try {
      totalBytes += statSync(f).size;
    } catch {
      throw new SkyError('SKY_FILE_NOT_FOUND', `cannot read plot file ${f}`, { file: f });
    }
  }
  let doneBytes = 0;
  const onError = (e: SkyError) => errors.add(e.code, `${e.code}: ${e.message}`);

  const sources: Source[] = o.inputs.map((file, k) => {
    const dec = decoders[k]!;
    function* batches(): Generator<{ timeS: number; plots: Plot[] }> {
      let lastOffset = 0;
      for (const block of readPlotFile(file, onError)) {
        doneBytes += Math.max(0, block.offset - lastOffset);
        lastOffset = Math.max(lastOffset, block.offset);
        const { plots } = dec.decode(block);
        if (plots.length === 0) continue;
        // A block holds one sensor's plots; split if a foreign file mixes sources.
        let tMin = Infinity;
        for (const p of plots) if (p.timeS < tMin) tMin = p.timeS;
        if (plots.every((p) => p.sensorId === plots[0]!.sensorId)) yield { timeS: tMin, plots };
        else {
          const bySensor = new Map<string, Plot[]>();
          for (const p of plots) (bySensor.get(p.sensorId) ?? bySensor.set(p.sensorId, []).get(p.sensorId)!).push(p);
          for (const group of bySensor.values()) yield { timeS: Math.min(...group.map((p) => p.timeS)), plots: group };
        }
      }
    }
    const iter = batches();
    const first = iter.next();
    return { iter, head: first.done ? null : first.value };
  });

  const out = createWriteStream(o.out);
  let frames = 0, lines = 0;
  const ids = new Set<string>();
  let buffered: string[] = [];
  const flushLines = async () => {
    if (buffered.length === 0) return;
    const chunk = buffered.join('\n') + '\n';
    buffered = [];
    if (!out.write(chunk)) await new Promise<void>((res) => out.once('drain', () => res()));
  };
  const onFrame = (f: TrackFrame) => {
    frames++;
    cat062?.write(f);
    for (const t of f.tracks) {
      buffered.push(trackLine(t));
      ids.add(t.id);
    }
    lines += f.tracks.length;
  };
  const cat062 = o.outCat062 ? new Cat062FileWriter(o.outCat062, { sac: o.sdps?.sac ?? 0, sic: o.sdps?.sic ?? 0 }) : null;
  const registration = o.register === false ? null : new Registration(coalition);
  const tracker = new Tracker(coalition, { ...defaultTrackerOptions, association: o.association ?? 'gnn' });
  const loop = new TrackingLoop(tracker, { periodS: o.periodS, reorderWindowS: 3 }, onFrame);
  let plots = 0;
  let n = 0;
  for (;;) {
    // k-way merge: always take the earliest head among the inputs.
    let best: Source | null = null;
    for (const s of sources) if (s.head && (!best || s.head.timeS < best.head!.timeS)) best = s;
    if (!best) break;
    const b = best.head!;
    const nx = best.iter.next();
    best.head = nx.done ? null : nx.value;
    plots += b.plots.length;
    loop.push(registration ? registration.process(b.plots) : b.plots);
    if (++n % 256 === 0) {
      await flushLines();
      o.onProgress?.(doneBytes, totalBytes);
    }
  }
  loop.flush();
  await flushLines();
  cat062?.close();
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  o.onProgress?.(totalBytes, totalBytes);
  const unknownSources = new Map<string, number>();
  for (const d of decoders) for (const [k, v] of d.unknownSources) unknownSources.set(k, (unknownSources.get(k) ?? 0) + v);
  return {
    plots,
    records: decoders.reduce((a, d) => a + d.records, 0),
    frames,
    lines,
    trackIds: ids.size,
    errors,
    unknownSources,
    registration: registration?.status() ?? [],
    elapsedS: (performance.now() - t0) / 1000,
  };
}
