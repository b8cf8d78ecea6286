// The live pipeline behind `skyfuse serve` / `npm start`: a simulated
// coalition sends each radar's ASTERIX over real UDP on loopback, one port
// per sensor; ingest receives, decodes and stamps plots; one fusion per
// releasability audience (src/coalition/fusion.ts) tracks exactly the plots
// released to it; each frame goes on the bus addressed to its audience, and
// the operations room shows it only to that audience's partners. Membership
// changes (the scenario's partner-status events, or a coalition
// administrator through the API) take effect at once, without restart.
// Swap the simulator for real radars by pointing them at the receivers' ports.

import { rmSync } from 'node:fs';
import { InProcessBus, type Bus } from '../core/bus.ts';
import { ErrorCounter } from '../core/errors.ts';
import { dayStartS, isoDay } from '../core/time.ts';
import type { Coalition } from '../core/types.ts';
import { UdpReceiver, UdpSender } from '../ingest/index.ts';
import { Chain, Recorder, type ChainConfig, type RecordableEvent } from '../record/index.ts';
import { AuditLog } from '../coalition/audit.ts';
import { Membership, generateToken, startServer } from '../serve/index.ts';
import { demoUsers, loadAccounts, type DemoAccount } from './accounts.ts';
import { withdrawalPolicy } from '../coalition/coalition.ts';
import { purgeSensorBlocksAsync } from '../record/purge.ts';
import { startOutputs, type Outputs, type OutputsConfig } from './outputs.ts';

export type { DemoAccount } from './accounts.ts';
import { simulate, type Scenario } from '../sim/index.ts';

export interface LiveOptions {
  readonly scenario: Scenario;
  /** The coalition to track with; defaults to the scenario's. */
  readonly coalition?: Coalition;
  readonly host: string;
  readonly port: number;
  /** Token of the session in `operatorUrl` (default: random). */
  readonly token?: string;
  /** Partner of that session (default: the first member). */
  readonly tokenPartner?: string;
  /** Create demo accounts with random passwords (returned once, in `demoAccounts`). */
  readonly demoAccounts?: boolean;
  /** Accounts from this file (scrypt hashes, mode 0600; `skyfuse accounts`) instead of demo accounts. */
  readonly accountsFile?: string;
  /** Open the demo operator session whose token goes into `operatorUrl` (default true). */
  readonly operatorSession?: boolean;
  /** Serve HTTPS and wss with this PEM certificate and key (plain HTTP is then not served). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly log: (line: string) => void;
  readonly clock?: () => number;
  /** Append logins, tokens and membership changes to this hash-chained audit log (created if missing). */
  readonly auditFile?: string;
  /** Record every received block, tick, membership change, event and frame to this SQLite file. */
  readonly record?: {
    readonly file: string; readonly maxAgeS?: number; readonly maxBytes?: number;
    /** A scratch recording (serve's default, for the time bar): deleted with its -wal/-shm when the system closes. */
    readonly temporary?: boolean;
    /**
     * Start a new session every this many seconds, from the membership and
     * release rules in force then. With retention (maxAgeS) a session whose
     * start has been pruned no longer proves what each partner saw
     * (src/record/history.ts withholds it); rotating bounds that loss to the
     * oldest session. For scratch recordings: a replay restarts its fusion at
     * each session, so a kept recording (--record FILE) does not rotate.
     */
    readonly rotateS?: number;
  };
  /** CAT062 and CoT feeds to partners' systems, each with its partner's picture (src/app/outputs.ts). */
  readonly outputs?: OutputsConfig;
  /** An operator's tile server URL template for the map (ServeOptions.tiles); default the offline basemap. */
  readonly tiles?: string;
}

export interface LiveSystem {
  readonly url: string;
  readonly operatorUrl: string;
  readonly bus: Bus;
  readonly membership: Membership;
  /** The partner whose picture the session in `operatorUrl` sees. */
  readonly operatorPartner: string;
  /** Demo accounts and their passwords: print them once, never store them. */
  readonly demoAccounts: readonly DemoAccount[];
  /** The feeds of `outputs`, with their counters (live only). */
  readonly outputs?: Outputs;
  close(): Promise<void>;
}

/** A partner-status event of the scenario (sim spec `events`), read defensively. */
interface PartnerStatusEvent {
  readonly atS: number;
  readonly partner: string;
  readonly status: 'member' | 'suspended' | 'withdrawn';
}

function partnerStatusEvents(scenario: Scenario): PartnerStatusEvent[] {
  const events = (scenario.spec as { events?: unknown }).events;
  if (!Array.isArray(events)) return [];
  return events
    .filter((e): e is PartnerStatusEvent & { type: string } =>
      typeof e === 'object' && e !== null && (e as { type?: unknown }).type === 'partner-status')
    .map((e) => ({ atS: e.atS, partner: e.partner, status: e.status }))
    .sort((a, b) => a.atS - b.atS);
}

export async function startLive(o: LiveOptions): Promise<LiveSystem> {
  const clock = o.clock ?? (() => Date.now() / 1000);
  const coalition = o.coalition ?? o.scenario.coalition;
  // Read before anything starts, so a bad accounts file stops the command at once.
  const fileUsers = o.accountsFile ? loadAccounts(o.accountsFile, coalition) : null;
  const bus = new InProcessBus((topic, err) => o.log(`bus handler on ${topic} failed: ${String(err)}`));
  const errors = new ErrorCounter();
  const nowS = clock();
  // The decode -> per-audience register and track chain, built from a plain
  // config so a recording can rebuild it exactly for replay.
  const chainConfig: ChainConfig = { coalition, startOfDayS: dayStartS(isoDay(nowS)), periodS: 1, reorderWindowS: 1, register: true, fusion: 'audience' };
  const newRecorder = (config: ChainConfig) => new Recorder({ ...o.record!, session: config, clock, onError: (e) => o.log(e.toLine()) });
  let recorder = o.record ? newRecorder(chainConfig) : null;
  if (o.record) {
    const keep = o.record.maxAgeS !== undefined ? `, keeping ${+(o.record.maxAgeS / 3600).toFixed(2)} h` : '';
    o.log(`live: recording to ${o.record.file}${keep}${o.record.temporary ? ' (scratch file for the time bar, deleted at exit; --record FILE keeps one, --no-record turns it off)' : ''}`);
  }
  const closeRecorder = () => {
    if (rotation) clearInterval(rotation);
    recorder?.close();
    if (o.record?.temporary) for (const x of ['', '-wal', '-shm']) rmSync(o.record.file + x, { force: true });
  };
  const chain = new Chain(chainConfig, {
    errors,
    onFrame: (frame) => {
      recorder?.recordFrame(frame);
      bus.publish('tracks', frame);
    },
    onEvents: (events) => {
      recorder?.recordEvents(events);
      bus.publish('events', events);
    },
    // A realigned antenna or a disputed anchor, found by an audience's registration: recorded and logged.
    onRegistrationEvents: (events) => {
      recorder?.recordEvents(events);
      for (const e of events) {
        const what = e.kind === 'registration-anchor-disputed'
          ? 'is a declared anchor that ADS-B contradicts; it is registered like any other radar from now on'
          : 'jumped; the estimate restarts';
        o.log(`live: registration of ${e.sensorId} at ${new Date(e.timeS * 1000).toISOString()}${'audience' in e ? ` (audience ${String(e.audience)})` : ''} ${what}`);
      }
    },
  });
  const fusion = chain.fusion!;
  // Session rotation of a scratch recording (see LiveOptions.record.rotateS).
  const rotation = o.record?.rotateS ? setInterval(() => {
    if (!recorder) return;
    recorder.close();
    recorder = newRecorder({ ...chainConfig, coalition: membership.coalition });
  }, o.record.rotateS * 1000) : null;
  const audit = o.auditFile ? await AuditLog.open(o.auditFile) : null;
  const membership = new Membership(coalition, fusion);
  // Coalition file "withdrawal": "purge": a withdrawing partner's sensors are
  // no longer recorded, and what was recorded of them is deleted at once.
  const unrecorded = new Set<string>();
  if (recorder && o.record && withdrawalPolicy(coalition) === 'purge') {
    const file = o.record.file;
    membership.onChange((c) => {
      if (c.releases) return;
      const sensors = coalition.sensors.filter((s) => s.partnerId === c.partnerId).map((s) => s.id);
      if (c.to !== 'withdrawn') {
        for (const id of sensors) unrecorded.delete(id);
        return;
      }
      for (const id of sensors) unrecorded.add(id);
      recorder?.commit();
      // In steps, yielding to the event loop between them: the picture,
      // the API and the recorder go on while the partner's blocks go.
      purgeSensorBlocksAsync(file, sensors).then(
        (r) => {
          o.log(`live: partner ${c.partnerId} withdrew: purged ${r.blocks} recorded block(s) of ${sensors.join(', ')} from ${file}`);
          audit?.append('data-purge', null, { partner: c.partnerId, sensors, blocks: r.blocks, bytes: r.bytes, file, cause: 'withdrawal, coalition policy purge' })
            .catch((err: Error) => o.log(`live: SKY_AUDIT_WRITE ${err.message}`));
        },
        (err: Error) => o.log(`live: SKY_RECORD_PURGE partner ${c.partnerId}: ${err.message}`),
      );
    });
  }
  membership.onChange((c) => {
    // A release-policy change is an input of the chain too: replay applies it (Chain.setReleases).
    if (c.releases) recorder?.recordEvent({ kind: 'policy-change', timeS: clock(), partnerId: c.partnerId, releases: c.releases.after } as RecordableEvent);
    else recorder?.recordPartnerStatus(c.partnerId, c.to, clock());
  });

  // Outputs to partners' systems, each sending only its partner's picture.
  let outputs: Outputs | null = null;
  try {
    outputs = o.outputs ? startOutputs(bus, membership, o.outputs, o.log) : null;
  } catch (err) {
    closeRecorder();
    await audit?.close();
    throw err;
  }

  // Ingest: one receiver per simulated sensor, on an ephemeral loopback port.
  const receivers = new Map<string, UdpReceiver>();
  const senders = new Map<string, UdpSender>();
  for (const s of o.scenario.coalition.sensors) {
    const rx = new UdpReceiver(
      { port: 0, host: '127.0.0.1', clock },
      (block) => {
        if (!unrecorded.has(s.id)) recorder?.recordBlock(block, s.id);
        chain.block(block);
      },
      (e) => errors.add(e.code, `${e.code}: ${e.message}`),
    );
    const { port } = await rx.start();
    receivers.set(s.id, rx);
    senders.set(s.id, new UdpSender({ host: '127.0.0.1', port }));
  }

  // The simulated radars, paced to the wall clock.
  const sim = simulate(o.scenario, { startS: nowS, durationS: 30 * 86400 });
  const membershipEvents = partnerStatusEvents(o.scenario).filter((e) => membership.partner(e.partner));
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
    while (membershipEvents.length > 0 && membershipEvents[0]!.atS + nowS <= now) {
      const e = membershipEvents.shift()!;
      const ch = membership.setPartnerStatus(e.partner, e.status);
      audit?.append('membership-change', null, { partner: ch.partnerId, from: ch.from, to: ch.to, cause: 'scenario event' })
        .catch((err: Error) => o.log(`live: SKY_AUDIT_WRITE ${err.message}`));
      o.log(`live: scenario event at +${e.atS} s: partner ${ch.partnerId} ${ch.from} -> ${ch.to}`);
    }
    recorder?.recordTick(now);
    chain.tick(now);
  };
  const timer = setInterval(pump, 100);

  const { users, accounts: demoAccounts } = fileUsers ? { users: fileUsers, accounts: [] } : await demoUsers(coalition, o.demoAccounts === true);

  const tokenPartner = o.tokenPartner ?? (coalition.partners.find((p) => p.status === 'member') ?? coalition.partners[0]!).id;
  let server;
  try {
    server = await startServer({
      host: o.host, port: o.port, bus, membership, users, log: o.log, demo: o.demoAccounts === true && !fileUsers, audit,
      ...(o.tls ? { tls: o.tls } : {}),
      // The sensor panel shows each audience's own bias estimates; alerts are computed in the server per audience.
      registrationOf: (key) => fusion.registrationOf(key),
      feedStatsOf: () => chain.decoder.feedStats().sensors,
      // History, export and the time bar read the recording (src/serve/routes/history.ts).
      ...(o.record ? { recording: { file: o.record.file } } : {}),
      // Every alert change of every audience goes to the recording, tagged with its audience (src/alert/journal.ts).
      ...(o.record ? { alertLog: { record: (e) => recorder?.recordEvent(e), session: () => recorder?.session ?? null } } : {}),
      ...(o.tiles !== undefined ? { tiles: o.tiles } : {}),
      // GET /api/outputs: each partner's feeds and their counters (src/serve/routes/outputs.ts).
      ...(outputs ? { outputsOf: () => outputs!.stats() } : {}),
      ...(o.operatorSession === false ? {} : { operator: { token: o.token ?? generateToken(), partnerId: tokenPartner, name: `demo-${tokenPartner.toLowerCase()}` } }),
    });
  } catch (err) {
    stopped = true;
    clearInterval(timer);
    await outputs?.close();
    for (const s of senders.values()) await s.close();
    for (const r of receivers.values()) await r.close();
    closeRecorder();
    await audit?.close();
    throw err;
  }
  return {
    url: server.url,
    operatorUrl: server.operatorUrl,
    bus,
    membership,
    operatorPartner: tokenPartner,
    demoAccounts,
    ...(outputs ? { outputs } : {}),
    async close() {
      stopped = true;
      clearInterval(timer);
      await outputs?.close();
      await server.close();
      for (const s of senders.values()) await s.close();
      for (const r of receivers.values()) await r.close();
      closeRecorder();
      await audit?.close();
      await bus.close();
    },
  };
}
