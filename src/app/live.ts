// The live pipeline behind `skyfuse serve` / `npm start`: a simulated
// coalition sends each radar's ASTERIX over real UDP on loopback, one port
// per sensor; ingest receives, decodes and stamps plots; the tracker fuses
// them; track frames go on the bus to the operations room. Swap the
// simulator for real radars by pointing them at the receivers' ports.

import { SensorDirectory } from '../coalition/coalition.ts';
import { InProcessBus, type Bus } from '../core/bus.ts';
import { ErrorCounter } from '../core/errors.ts';
import { dayStartS, isoDay } from '../core/time.ts';
import type { Coalition } from '../core/types.ts';
import { PlotDecoder, UdpReceiver, UdpSender } from '../ingest/index.ts';
import { generateToken, startServer } from '../serve/index.ts';
import { simulate, type Scenario } from '../sim/index.ts';
import { TrackingLoop } from '../track/loop.ts';
import { Tracker } from '../track/tracker.ts';

export interface LiveOptions {
  readonly scenario: Scenario;
  /** The coalition to track with; defaults to the scenario's. */
  readonly coalition?: Coalition;
  readonly host: string;
  readonly port: number;
  readonly token?: string;
  readonly log: (line: string) => void;
  readonly clock?: () => number;
}

export interface LiveSystem {
  readonly url: string;
  readonly operatorUrl: string;
  readonly bus: Bus;
  close(): Promise<void>;
}

export async function startLive(o: LiveOptions): Promise<LiveSystem> {
  const clock = o.clock ?? (() => Date.now() / 1000);
  const coalition = o.coalition ?? o.scenario.coalition;
  const bus = new InProcessBus((topic, err) => o.log(`bus handler on ${topic} failed: ${String(err)}`));
  const directory = new SensorDirectory(coalition);
  const errors = new ErrorCounter();
  const nowS = clock();
  const decoder = new PlotDecoder(directory, dayStartS(isoDay(nowS)), errors);
  const tracker = new Tracker(coalition);
  const loop = new TrackingLoop(tracker, { periodS: 1, reorderWindowS: 1 }, (frame) => bus.publish('tracks', frame));

  // Ingest: one receiver per simulated sensor, on an ephemeral loopback port.
  const receivers = new Map<string, UdpReceiver>();
  const senders = new Map<string, UdpSender>();
  for (const s of o.scenario.coalition.sensors) {
    const rx = new UdpReceiver(
      { port: 0, host: '127.0.0.1', clock },
      (block) => {
        const { plots, events } = decoder.decode(block);
        if (events.length) bus.publish('events', events);
        if (plots.length) loop.push(plots);
      },
      (e) => errors.add(e.code, `${e.code}: ${e.message}`),
    );
    const { port } = await rx.start();
    receivers.set(s.id, rx);
    senders.set(s.id, new UdpSender({ host: '127.0.0.1', port }));
  }

  // The simulated radars, paced to the wall clock.
  const sim = simulate(o.scenario, { startS: nowS, durationS: 30 * 86400 });
  let stopped = false;
  let pending: ReturnType<typeof sim.next> | null = null;
  const pump = () => {
    if (stopped) return;
    const now = clock();
    for (;;) {
      pending ??= sim.next();
      if (pending.done) return;
      const o2 = pending.value;
      if (o2.kind === 'block') {
        if (o2.timeS > now) break;
        senders.get(o2.sensorId)?.send(o2.bytes).catch((e) => errors.add('SKY_UDP_SEND', String(e)));
      }
      pending = null;
    }
    loop.tick(now);
  };
  const timer = setInterval(pump, 100);

  const token = o.token ?? generateToken();
  const server = await startServer({ host: o.host, port: o.port, bus, coalition, token, log: o.log });
  return {
    url: server.url,
    operatorUrl: server.operatorUrl,
    bus,
    async close() {
      stopped = true;
      clearInterval(timer);
      await server.close();
      for (const s of senders.values()) await s.close();
      for (const r of receivers.values()) await r.close();
      await bus.close();
    },
  };
}
