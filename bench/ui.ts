// The operations room at scale (issue 8, item 7): a real server, synthetic
// track frames at 1 Hz on its bus, and the page in headless Debian chromium,
// at 1,000 and 10,000 tracks, over skyfuse.v1 (JSON frames: the baseline
// measured in the same run) and skyfuse.v2 (binary keyframe + deltas).
//
// Per configuration it prints:
// - bytes per update on the socket (frame messages only, read from the page's
//   WebSocket by the DevTools protocol), and the v2 keyframe size;
// - the page's own main-thread time per update: decode + apply (picture,
//   table, filling the track and trail layers' typed arrays, labels
//   scheduling), p50 and p95 (v2 is decoded in a Web Worker: its main-thread
//   decode is handing the bytes over and applying the worker's patch; the
//   worker's own time is printed beside it), and its ratio to the target of <= 8 ms at
//   10,000 (the page applies at most one frame per animation frame, the
//   latest; a frame dropped as superseded counts its decode in the next
//   applied one); the label overlay's redraws (on the map's renders), p50
//   and per update, and the mean of decode + apply + those redraws per
//   update; and the whole renderer main thread's busy time
//   per update (CDP TaskDuration: MapLibre's frames, label redraws, GC too);
// - server-to-screen latency: bus publish to the first map render that drew
//   that frame (the track layer's first draw after its upload), p50 and p95;
// - JS heap used after a forced GC;
// - frames per second drawn (requestAnimationFrame). SwiftShader (software
//   WebGL on 2 shared cores) caps this far below a laptop GPU.
// The frames are synthetic but shaped like the tracker's (bench/ui-frames.ts).
// Prints; asserts nothing.
// Run alone: node --import tsx bench/ui.ts   (BENCH_UI_SIZES=1000,10000 BENCH_UI_S=15)
// BENCH_UI_WIRE=v2 measures one encoding only. BENCH_UI_PROFILE=1 also records
// a CPU profile of the page over the measurement (DevTools Profiler, the page
// served unminified) and prints the functions by self and total time per
// update; the profiler's own cost inflates the other figures of that run.
// BENCH_UI_SHOTS=1 saves /tmp/skyfuse-bench-<tracks>-<wire>.png at the end.

import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { CDPSession } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../test/support/chromium.ts';
import { InProcessBus } from '../src/core/bus.ts';
import { UserDirectory, startServer } from '../src/serve/index.ts';
import { toWireFrame, toWireTrack } from '../src/serve/wire.ts';
import { FrameEncoder } from '../src/serve/wire-v2.ts';
import { benchFrame, benchMembership } from './ui-frames.ts';

export { benchFrame, benchMembership };

const SIZES = (process.env.BENCH_UI_SIZES ?? '1000,10000').split(',').map(Number).filter((n) => n > 0);
const MEASURE_S = Number(process.env.BENCH_UI_S ?? 15);
const WIRES = (process.env.BENCH_UI_WIRE ?? 'v1,v2').split(',').filter((w): w is 'v1' | 'v2' => w === 'v1' || w === 'v2');
const PROFILE = process.env.BENCH_UI_PROFILE === '1';
/** BENCH_UI_SHOTS=1: a screenshot of the page at the end of each configuration, /tmp/skyfuse-bench-<tracks>-<wire>.png. */
const SHOTS = process.env.BENCH_UI_SHOTS === '1';
/** Main-thread budget per update at 10,000 tracks (issue 8). */
const TARGET_MS = 8;

const membership = benchMembership;

/** Bytes per update of each encoding over 10 frames, computed by the server's own encoders. */
function wireBytes(n: number): { v1: number; v2Delta: number; v2Key: number; encodeMsV1: number; encodeMsV2: number } {
  const enc = new FrameEncoder();
  let v1 = 0;
  let v2 = 0;
  let msV1 = 0;
  let msV2 = 0;
  const frames = 11;
  for (let k = 0; k < frames; k++) {
    const f = benchFrame(k, n);
    let t = performance.now();
    const json = JSON.stringify(toWireFrame(f));
    msV1 += performance.now() - t;
    t = performance.now();
    const d = enc.next(k, f.timeS, f.tracks.map(toWireTrack));
    msV2 += performance.now() - t;
    if (k > 0) {
      v1 += Buffer.byteLength(json);
      v2 += d!.length;
    }
  }
  return { v1: v1 / (frames - 1), v2Delta: v2 / (frames - 1), v2Key: enc.keyframe().length, encodeMsV1: msV1 / frames, encodeMsV2: msV2 / frames };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const kb = (b: number) => `${(b / 1024).toFixed(1)} kB`;

interface UiFigures {
  n: number;
  wire: 'v1' | 'v2';
  protocol: string;
  updates: number;
  bytesPerUpdate: number;
  pageMs: number[];
  decodeMs: number[];
  /** The decoder worker's time per applied frame (v2: off the main thread, so not in pageMs). */
  workerMs: number[];
  labelMs: number[];
  rendererMsPerUpdate: number;
  latencyMs: number[];
  heapMB: number;
  fps: number;
  profile: string[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** The page's bundle as the server builds it but not minified, so the profile names functions. */
async function readableBundle(): Promise<string> {
  const r = await build({
    entryPoints: [fileURLToPath(new URL('../web/src/main.ts', import.meta.url))],
    bundle: true, write: false, format: 'esm', target: 'es2022', platform: 'browser', keepNames: true, logLevel: 'silent',
    loader: { '.svg': 'dataurl', '.png': 'dataurl' },
  });
  return r.outputFiles[0]!.text;
}

/** Top functions of a cpuprofile by self and by total (inclusive) time, ms per update. */
function summarise(prof: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, updates: number, top = Number(process.env.BENCH_UI_PROFILE_TOP ?? 18)): string[] {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n: ProfileNode) => {
    const f = n.callFrame;
    const file = f.url.slice(f.url.lastIndexOf('/') + 1);
    return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (let i = 0; i < prof.samples.length; i++) {
    const ms = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    let n = byId.get(prof.samples[i]!)!;
    self.set(name(n), (self.get(name(n)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      n = byId.get(id)!;
      const k = name(n);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + ms);
    }
  }
  const u = Math.max(1, updates);
  const list = (m: Map<string, number>) =>
    [...m].filter(([k]) => !k.startsWith('(root)') && !k.startsWith('(program)') && !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([k, v]) => `  ${(v / u).toFixed(2).padStart(7)} ms  ${k}`);
  return ['self time per update:', ...list(self), `(idle) ${(((self.get('(idle) :0') ?? 0) / u)).toFixed(1)} ms, (program) ${(((self.get('(program) :0') ?? 0) / u)).toFixed(1)} ms, GC ${(((self.get('(garbage collector) :0') ?? 0) / u)).toFixed(1)} ms per update`, 'total time per update:', ...list(total)];
}

async function metric(cdp: CDPSession, name: string): Promise<number> {
  return (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? 0;
}

async function measure(n: number, wire: 'v1' | 'v2'): Promise<UiFigures> {
  const bus = new InProcessBus();
  const token = 'bench-ui-token-0123456789abcdef';
  const server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users: new UserDirectory(), operator: { token, partnerId: 'EGY' }, log: () => {} });
  const publishedMs = new Map<number, number>();
  let k = 0;
  const publish = () => {
    const f = benchFrame(k++, n);
    publishedMs.set(f.timeS, Date.now());
    bus.publish('tracks', f);
  };
  publish();
  const timer = setInterval(publish, 1000);
  const { context, userDir } = await launchChromium('skyfuse-bench-ui-');
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    if (PROFILE) {
      const js = await readableBundle();
      await page.route('**/assets/main.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: js }));
    }
    let frameBytes = 0;
    let frameMsgs = 0;
    let counting = false;
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        if (!counting) return;
        if (typeof payload === 'string') {
          if (!payload.startsWith('{"type":"frame"')) return;
          frameBytes += Buffer.byteLength(payload);
        } else frameBytes += payload.length;
        frameMsgs++;
      }),
    );
    await page.goto(`${server.url}?wire=${wire}#token=${token}`);
    await page.waitForFunction((x) => (window.__skyfuse?.trackCount() ?? 0) === x, n, { polling: 250 });
    // Let the map settle (style, outlines, first tiles) before measuring.
    await page.waitForTimeout(4000);
    const protocol = await page.evaluate(() => window.__skyfuse!.wire());
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    // A string, not a function: tsx would wrap a named inner function in a helper the page lacks.
    await page.evaluate(`(() => {
      window.__raf = 0;
      const tick = () => { window.__raf++; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      window.__skyfuse.updateStats(true);
      window.__skyfuse.drawLog(true);
    })()`);
    counting = true;
    if (PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const task0 = await metric(cdp, 'TaskDuration');
    const wall0 = performance.now();
    const raf0 = await page.evaluate(() => (window as unknown as { __raf: number }).__raf);
    await page.waitForTimeout(MEASURE_S * 1000);
    const raf1 = await page.evaluate(() => (window as unknown as { __raf: number }).__raf);
    const wallS = (performance.now() - wall0) / 1000;
    const task1 = await metric(cdp, 'TaskDuration');
    counting = false;
    const prof = PROFILE ? ((await cdp.send('Profiler.stop')).profile as unknown as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }) : null;
    const st = await page.evaluate(() => window.__skyfuse!.updateStats(true));
    const drawn = await page.evaluate(() => window.__skyfuse!.drawLog(true));
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await metric(cdp, 'JSHeapUsedSize');
    if (SHOTS) await page.screenshot({ path: `/tmp/skyfuse-bench-${n}-${wire}.png` });
    await page.close();
    const latencyMs = drawn.map((d) => d.drawnMs - (publishedMs.get(d.t) ?? NaN)).filter(Number.isFinite);
    return {
      n, wire, protocol, updates: st.frames, bytesPerUpdate: frameBytes / Math.max(1, frameMsgs),
      pageMs: st.applyMs.map((a, i) => a + (st.parseMs[i] ?? 0)), decodeMs: st.parseMs, workerMs: st.workerMs, labelMs: st.labelMs,
      rendererMsPerUpdate: ((task1 - task0) * 1000) / Math.max(1, st.frames),
      latencyMs, heapMB: heap / 2 ** 20, fps: (raf1 - raf0) / wallS,
      profile: prof ? summarise(prof, st.frames) : [],
    };
  } finally {
    clearInterval(timer);
    await context.close();
    await server.close();
    await bus.close();
    await rm(userDir, { recursive: true, force: true });
  }
}

if (chromiumMissing) {
  console.log(`ui: skipped, ${chromiumMissing}`);
} else {
  for (const n of SIZES) {
    const b = wireBytes(n);
    console.log(
      `ui wire at ${n} tracks: v1 JSON ${kb(b.v1)}/update (baseline, ${(b.v1 / n).toFixed(0)} B/track), ` +
        `v2 delta ${kb(b.v2Delta)}/update (${(b.v2Delta / n).toFixed(1)} B/track, ${(b.v1 / b.v2Delta).toFixed(1)}x smaller), v2 keyframe ${kb(b.v2Key)}; ` +
        `server encode ${f1(b.encodeMsV1)} ms v1, ${f1(b.encodeMsV2)} ms v2 per frame (once per audience)`,
    );
    const results: UiFigures[] = [];
    for (const w of WIRES) results.push(await measure(n, w));
    const base = results.find((r) => r.wire === 'v1');
    for (const r of results) {
      const isBase = r === base;
      const ratio = (a: number, b: number) => (isBase || !base ? '' : ` (${(a / b).toFixed(2)}x v1)`);
      const p50 = pct(r.pageMs, 0.5);
      // The label overlay redraws on the map's render after an update (and on panning and zooming): its redraws count too.
      const withLabels = mean(r.pageMs) + r.labelMs.reduce((a, b) => a + b, 0) / Math.max(1, r.updates);
      console.log(
        `ui ${n} tracks, ${r.protocol || r.wire}${isBase ? ' (baseline)' : ''}: ${r.updates} updates in ${MEASURE_S} s, ${kb(r.bytesPerUpdate)}/update on the socket${ratio(r.bytesPerUpdate, base?.bytesPerUpdate ?? NaN)}; ` +
          `page main thread per update p50 ${f1(p50)} ms, p95 ${f1(pct(r.pageMs, 0.95))} ms${ratio(p50, pct(base?.pageMs ?? [], 0.5))} ` +
          `(main-thread decode ${f1(mean(r.decodeMs))} ms${r.wire === 'v2' ? `, decoder worker ${f1(mean(r.workerMs))} ms off the main thread` : ''}; p50 ${(p50 / TARGET_MS).toFixed(2)}x the ${TARGET_MS} ms target${n >= 10_000 ? (p50 <= TARGET_MS ? ', met' : ', MISSED') : ''}); ` +
          `label overlay redraw p50 ${f1(pct(r.labelMs, 0.5))} ms x ${f1(r.labelMs.length / Math.max(1, r.updates))}/update, ` +
          `so with its label redraws the page spends ${f1(withLabels)} ms per update on average (${(withLabels / TARGET_MS).toFixed(2)}x the target); ` +
          `renderer main thread ${f1(r.rendererMsPerUpdate)} ms/update${ratio(r.rendererMsPerUpdate, base?.rendererMsPerUpdate ?? NaN)}; ` +
          `server-to-screen p50 ${f1(pct(r.latencyMs, 0.5))} ms, p95 ${f1(pct(r.latencyMs, 0.95))} ms (${r.latencyMs.length} frames)${ratio(pct(r.latencyMs, 0.5), pct(base?.latencyMs ?? [], 0.5))}; ` +
          `JS heap ${f1(r.heapMB)} MB${ratio(r.heapMB, base?.heapMB ?? NaN)}; ${f1(r.fps)} fps (SwiftShader software WebGL)`,
      );
      for (const line of r.profile) console.log(`  ${line}`);
    }
  }
}
