// Test and bench helper: a stand-in for the live pipeline that drives the
// chain exactly as src/app/live.ts does (a pump every 100 ms that delivers
// due blocks, then ticks the fusion), with the simulator as the radars and a
// simulated clock, recording everything it feeds and produces.

import type { PartnerStatus, TrackFrame } from '../core/types.ts';
import { dayStartS, isoDay } from '../core/time.ts';
import { loadScenario, simulate } from '../sim/index.ts';
import { Chain, type ChainConfig } from './chain.ts';
import { Recorder, type RecorderOptions } from './recorder.ts';

export interface LiveRunOptions {
  readonly scenario?: string;
  readonly durationS: number;
  /** Recording file; null runs without recording (the bench's baseline). */
  readonly file: string | null;
  /** Membership changes at seconds after the start. */
  readonly statusChanges?: readonly { readonly atS: number; readonly partnerId: string; readonly status: PartnerStatus }[];
  readonly register?: boolean;
  readonly recorder?: Partial<RecorderOptions>;
  /** Network latency added to each block's arrival, s. */
  readonly latencyS?: number;
  /** Commit period on the simulated clock, in pumps of 100 ms (the recorder's commitEveryMs / 100). Default 1. */
  readonly commitEveryPumps?: number;
  /** Pre-simulated blocks of the scenario (the bench times the pipeline without the simulator). */
  readonly blocks?: Iterable<SimBlock>;
}

export interface SimBlock {
  readonly kind: 'block';
  readonly timeS: number;
  readonly sensorId: string;
  readonly bytes: Uint8Array;
}

/** The scenario's blocks, simulated once. */
export function simulateBlocks(scenario: string, durationS: number): SimBlock[] {
  const out: SimBlock[] = [];
  for (const o of simulate(loadScenario(scenario), { durationS })) if (o.kind === 'block') out.push(o);
  return out;
}

export interface LiveRun {
  readonly frames: TrackFrame[];
  readonly blocks: number;
  readonly plots: number;
  readonly config: ChainConfig;
  readonly recorder: Recorder | null;
  readonly startS: number;
}

export function runLive(o: LiveRunOptions): LiveRun {
  const scn = loadScenario(o.scenario ?? 'small');
  const startS = scn.startS;
  let nowS = startS;
  const config: ChainConfig = {
    coalition: scn.coalition, startOfDayS: dayStartS(isoDay(startS)), periodS: 1, reorderWindowS: 1,
    register: o.register ?? false, fusion: 'audience',
  };
  const recorder = o.file === null ? null : new Recorder({ file: o.file, session: config, clock: () => nowS, ...o.recorder });
  const frames: TrackFrame[] = [];
  const chain = new Chain(config, {
    onFrame: (f) => {
      frames.push(f);
      recorder?.recordFrame(f);
    },
    onEvents: (e) => recorder?.recordEvents(e),
    onRegistrationEvents: (e) => recorder?.recordEvents(e),
  });
  const changes = [...(o.statusChanges ?? [])].sort((a, b) => a.atS - b.atS);
  const latencyS = o.latencyS ?? 0.05;
  let blocks = 0;
  let pumps = 0;
  // One receiver (port) per sensor, as live.ts has.
  const ports = new Map(scn.coalition.sensors.map((s, i) => [s.id, 9000 + i]));
  const pump = (): void => {
    while (changes.length > 0 && changes[0]!.atS + startS <= nowS) {
      const c = changes.shift()!;
      chain.setPartnerStatus(c.partnerId, c.status);
      recorder?.recordPartnerStatus(c.partnerId, c.status, nowS);
    }
    recorder?.recordTick(nowS);
    chain.tick(nowS);
    // The recorder's 100 ms commit timer, on the simulated clock (a synchronous run never lets the real one fire).
    if (++pumps % (o.commitEveryPumps ?? 1) === 0) recorder?.commit();
  };
  for (const out of o.blocks ?? simulate(scn, { durationS: o.durationS })) {
    if (out.kind !== 'block') continue;
    const arrivalS = out.timeS + latencyS;
    while (nowS + 0.1 <= arrivalS) {
      nowS = Math.round((nowS + 0.1) * 1e6) / 1e6;
      pump();
    }
    const block = { bytes: out.bytes, offset: -1, source: `udp:127.0.0.1:${ports.get(out.sensorId) ?? 0}`, receivedS: arrivalS };
    recorder?.recordBlock(block, out.sensorId);
    chain.block(block);
    blocks++;
  }
  return { frames, blocks, plots: chain.plots, config, recorder, startS };
}

/**
 * A test file's one live run, made on first use and shared by its tests: the recording is closed once the run is
 * over, so the tests read it as a finished file.
 */
export function sharedLiveRun(o: LiveRunOptions): () => LiveRun {
  let run: LiveRun | null = null;
  return () => {
    if (!run) {
      run = runLive(o);
      run.recorder!.close();
    }
    return run;
  };
}
