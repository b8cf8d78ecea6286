// The outputs of the running operations room (`skyfuse serve --cat062-out`,
// `--cot-out`): each names the receiving partner, and its feed sends only
// the picture of the audience that partner sees now, so releasability holds
// on every output as on the screen. A partner suspended or withdrawn has its
// feeds stopped at once (nothing more is sent, connections are cut); they
// start again when it is a member again. Output failures are counted and
// logged with their code; they never stop the pipeline.

import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import type { Bus } from '../core/bus.ts';
import { SkyError } from '../core/errors.ts';
import type { PartnerStatus } from '../core/types.ts';
import { Cat062Output, CotFeed } from '../output/index.ts';
import type { OutputFeedStats } from '../serve/server.ts';

/** One `PARTNER=HOST:PORT` output. */
export interface OutputTarget {
  readonly partner: string;
  readonly host: string;
  readonly port: number;
}

export interface CotTarget extends OutputTarget {
  readonly tls: boolean;
}

export interface OutputsConfig {
  readonly cat062?: readonly OutputTarget[];
  readonly cot?: readonly CotTarget[];
  /** Seconds of data time between CAT062 frames; default 4 (a typical SDPS update period). */
  readonly cat062PeriodS?: number;
  /** Seconds of data time between CAT065 SDPS status messages; default 10. */
  readonly cat062StatusPeriodS?: number;
  /** Multicast TTL for CAT062 to a group; default 1 (the local network). */
  readonly multicastTtl?: number;
  readonly multicastInterface?: string;
  /** SDPS identity (I062/010, I065/010); default 0/0. */
  readonly sdps?: { readonly sac: number; readonly sic: number };
  /** PEM files for `,tls` CoT feeds: the TAK server's CA, and this client's certificate and key (mutual TLS). */
  readonly cotTls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  /** First reconnection wait of a CoT feed, s (default 1, doubling to cotMaxReconnectS, default 30). */
  readonly cotReconnectS?: number;
  readonly cotMaxReconnectS?: number;
  /** Seconds a CoT connection must stay up to count as made (default 5; see CotFeedOptions.stableS). */
  readonly cotStableS?: number;
}

/** What membership the outputs need (src/serve/membership.ts's Membership has it). */
export interface OutputMembership {
  partner(id: string): { readonly status: PartnerStatus } | undefined;
  audienceOf(partnerId: string): { readonly key: string } | undefined;
  onChange(listener: (c: { readonly partnerId: string; readonly to: PartnerStatus }) => void): () => void;
}

/** Counters of one output, over all its runs (a feed restarts when its partner is a member again): what GET /api/outputs shows. */
export type OutputStats = OutputFeedStats;

export interface Outputs {
  stats(): OutputStats[];
  /**
   * Starts every running feed afresh (a replay jumped back in time): CAT062
   * numbering and update times, and CoT's sent tracks, begin again from the
   * next frame, rather than waiting for data time to pass where it was.
   */
  restart(): void;
  close(): Promise<void>;
}

const usage = (msg: string) => new SkyError('SKY_OUTPUT_SPEC', msg);

/** `PARTNER=HOST:PORT`, HOST a name, an IPv4 address or a bracketed IPv6 address. */
function parseTarget(spec: string, flag: string): OutputTarget {
  const m = /^([A-Za-z0-9_.-]+)=(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+)):(\d{1,5})$/.exec(spec);
  if (!m) throw usage(`${flag} must be PARTNER=HOST:PORT (an IPv6 host in brackets), got "${spec}"`);
  const port = Number(m[4]);
  if (port < 1 || port > 65535) throw usage(`${flag} "${spec}": port must be 1..65535`);
  const host = m[2] ?? m[3]!;
  if (m[2] !== undefined && !isIPv6(host)) throw usage(`${flag} "${spec}": "${host}" is not an IPv6 address`);
  return { partner: m[1]!, host, port };
}

export function parseCat062Out(spec: string): OutputTarget {
  return parseTarget(spec, '--cat062-out');
}

export function parseCotOut(spec: string): CotTarget {
  const parts = spec.split(',');
  const opts = parts.slice(1);
  for (const o of opts) if (o !== 'tls') throw usage(`--cot-out "${spec}": unknown option "${o}" (only ",tls")`);
  return { ...parseTarget(parts[0]!, '--cot-out'), tls: opts.includes('tls') };
}

/** `SAC/SIC`, each 0..255. */
export function parseSdps(v: string): { sac: number; sic: number } {
  const m = /^(\d{1,3})\/(\d{1,3})$/.exec(v);
  if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) throw new SkyError('SKY_USAGE', `--sdps must be SAC/SIC with each 0..255, got "${v}"`);
  return { sac: Number(m[1]), sic: Number(m[2]) };
}

const isMulticast = (host: string): boolean => {
  const m = /^(\d+)\./.exec(host);
  if (m) return Number(m[1]) >= 224 && Number(m[1]) <= 239;
  return isIPv6(host) && /^ff/i.test(host);
};

function readPem(file: string | undefined, what: string): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    throw new SkyError('SKY_OUTPUT_TLS', `cannot read the ${what} ${file}: ${(e as Error).message}`, { file });
  }
}

interface Running {
  readonly stats: Record<string, number>;
  close(opts: { immediately: boolean }): Promise<void>;
}

const ZERO = { frames: 0, messages: 0, bytes: 0, failed: 0, dropped: 0, connects: 0 };
type Counters = typeof ZERO;

/** One configured output: started while its partner is a member, stopped otherwise. */
class Output {
  private current: Running | null = null;
  /** Every run so far, for counters over all of them. */
  private readonly runs: Running[] = [];
  private readonly logged = new Set<string>();
  /** CoT connection failures since the last successful connection. */
  private streak = 0;
  readonly target: string;

  constructor(
    readonly kind: 'cat062' | 'cot',
    readonly partner: string,
    host: string,
    port: number,
    private readonly make: (report: (e: SkyError) => void, connected: () => void) => Running,
    private readonly log: (line: string) => void,
  ) {
    this.target = `${isIPv6(host) ? `[${host}]` : host}:${port}`;
  }

  private report(e: SkyError): void {
    // A TAK server that stays down is logged once per streak of failures
    // (the feed retries with backoff); other codes once per run.
    if (e.code === 'SKY_OUTPUT_COT') {
      if (this.streak++ > 0) return;
    } else {
      if (this.logged.has(e.code)) return;
      this.logged.add(e.code);
    }
    this.log(`outputs: ${this.kind} to ${this.partner} at ${this.target}: ${e.toLine()}`);
  }

  private connected(): void {
    if (this.streak > 0) this.log(`outputs: cot to ${this.partner} at ${this.target}: connected (and stayed up) after ${this.streak} failed attempts`);
    this.streak = 0;
  }

  get running(): boolean {
    return this.current !== null;
  }

  start(): void {
    if (this.current) return;
    this.logged.clear();
    this.streak = 0;
    this.current = this.make((e) => this.report(e), () => this.connected());
    this.runs.push(this.current);
  }

  /** The running feed stops taking frames before close() first awaits. */
  async stop(immediately: boolean): Promise<void> {
    const r = this.current;
    if (!r) return;
    this.current = null;
    await r.close({ immediately });
  }

  private countersOf(r: Running): Counters {
    const s = r.stats;
    return this.kind === 'cat062'
      ? { frames: s['frames']!, messages: s['datagrams']!, bytes: s['bytes']!, failed: s['failed']!, dropped: s['dropped']!, connects: 0 }
      : { frames: s['frames']!, messages: s['events']! + s['deletes']!, bytes: s['bytes']!, failed: s['failures']!, dropped: s['dropped']!, connects: s['connects']! };
  }

  stats(): OutputStats {
    const sum = { ...ZERO };
    for (const r of this.runs) {
      const c = this.countersOf(r);
      for (const k of Object.keys(sum) as (keyof Counters)[]) sum[k] += c[k];
    }
    return { kind: this.kind, partner: this.partner, target: this.target, running: this.running, ...sum };
  }
}

/**
 * Starts every configured output on the bus. Throws SKY_OUTPUT_SPEC for a
 * partner the coalition does not know, SKY_OUTPUT_TLS for unreadable PEM
 * files or a `,tls` feed without a client certificate and key.
 */
export function startOutputs(bus: Bus, membership: OutputMembership, cfg: OutputsConfig, log: (line: string) => void): Outputs {
  const all = [...(cfg.cat062 ?? []), ...(cfg.cot ?? [])];
  for (const t of all) {
    if (!membership.partner(t.partner)) throw usage(`output to "${t.partner}" at ${t.host}:${t.port}: the coalition has no partner "${t.partner}"`);
  }
  let tls: { ca?: Buffer; cert: Buffer; key: Buffer } | undefined;
  if ((cfg.cot ?? []).some((t) => t.tls)) {
    const c = cfg.cotTls ?? {};
    if (c.certFile === undefined || c.keyFile === undefined) {
      throw new SkyError('SKY_OUTPUT_TLS', 'a ",tls" CoT feed needs --cot-cert and --cot-key (TAK servers require a client certificate), and --cot-ca for a private CA');
    }
    const ca = readPem(c.caFile, 'CA certificate (--cot-ca)');
    tls = { ...(ca ? { ca } : {}), cert: readPem(c.certFile, 'client certificate (--cot-cert)')!, key: readPem(c.keyFile, 'client key (--cot-key)')! };
  }
  // A partner's picture, only while it is a member.
  const audienceKey = (partner: string) => () => (membership.partner(partner)?.status === 'member' ? membership.audienceOf(partner)?.key : undefined);
  const sdps = cfg.sdps ?? { sac: 0, sic: 0 };

  const outputs: Output[] = [];
  for (const t of cfg.cat062 ?? []) {
    const multicast = isMulticast(t.host);
    outputs.push(new Output('cat062', t.partner, t.host, t.port, (report) => new Cat062Output(bus, {
      host: t.host, port: t.port, sac: sdps.sac, sic: sdps.sic,
      periodS: cfg.cat062PeriodS ?? 4,
      statusPeriodS: cfg.cat062StatusPeriodS ?? 10,
      ...(multicast ? { multicastTtl: cfg.multicastTtl ?? 1 } : {}),
      ...(multicast && cfg.multicastInterface !== undefined ? { multicastInterface: cfg.multicastInterface } : {}),
      audienceKey: audienceKey(t.partner),
      onError: report,
    }), log));
  }
  for (const t of cfg.cot ?? []) {
    outputs.push(new Output('cot', t.partner, t.host, t.port, (report, connected) => new CotFeed(bus, {
      host: t.host, port: t.port,
      ...(t.tls ? { tls: tls! } : {}),
      audienceKey: audienceKey(t.partner),
      uidPrefix: `skyfuse.${t.partner}`,
      reconnectS: cfg.cotReconnectS ?? 1,
      maxReconnectS: cfg.cotMaxReconnectS ?? 30,
      stableS: cfg.cotStableS ?? 5,
      onError: report,
      onConnect: connected,
    }), log));
  }

  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    pending.add(p);
    p.finally(() => pending.delete(p)).catch(() => {});
  };
  const isMember = (p: string) => membership.partner(p)?.status === 'member';
  for (const o of outputs) if (isMember(o.partner)) o.start();
  for (const o of outputs) log(`outputs: ${o.kind} to ${o.partner} at ${o.target}${o.running ? '' : ` (not started: ${o.partner} is ${membership.partner(o.partner)?.status})`}`);

  const unsubscribe = membership.onChange((c) => {
    for (const o of outputs) {
      if (o.partner !== c.partnerId) continue;
      if (c.to === 'member' && !o.running) {
        o.start();
        log(`outputs: ${o.kind} to ${o.partner} at ${o.target} started: ${o.partner} is a member`);
      } else if (c.to !== 'member' && o.running) {
        track(o.stop(true));
        log(`outputs: ${o.kind} to ${o.partner} at ${o.target} stopped: ${o.partner} is ${c.to}`);
      }
    }
  });

  return {
    stats: () => outputs.map((o) => o.stats()),
    restart() {
      for (const o of outputs) {
        if (!o.running) continue;
        track(o.stop(false));
        o.start();
      }
    },
    async close() {
      unsubscribe();
      await Promise.all([...outputs.map((o) => o.stop(false)), ...pending]);
      for (const s of outputs.map((o) => o.stats())) {
        log(`outputs: ${s.kind} to ${s.partner} at ${s.target}: ${s.frames} frames, ${s.messages} ${s.kind === 'cot' ? 'events' : 'datagrams'}, ${s.bytes} bytes, ${s.failed} failed, ${s.dropped} dropped`);
      }
    },
  };
}

/** `skyfuse serve`'s output flags, as commander gives them. */
export interface OutputFlags {
  readonly cat062Out?: readonly string[];
  readonly cat062PeriodS?: number;
  readonly cat062Ttl?: number;
  readonly sdps?: string;
  readonly cotOut?: readonly string[];
  readonly cotCa?: string;
  readonly cotCert?: string;
  readonly cotKey?: string;
}

/** The outputs the flags ask for, or undefined when none. Throws SKY_OUTPUT_SPEC / SKY_USAGE on a malformed flag. */
export function outputsFromFlags(f: OutputFlags): OutputsConfig | undefined {
  const cat062 = (f.cat062Out ?? []).map(parseCat062Out);
  const cot = (f.cotOut ?? []).map(parseCotOut);
  if (cat062.length === 0 && cot.length === 0) return undefined;
  if (f.cat062Ttl !== undefined && !(Number.isInteger(f.cat062Ttl) && f.cat062Ttl >= 1 && f.cat062Ttl <= 255)) {
    throw new SkyError('SKY_USAGE', `--cat062-ttl must be an integer 1..255, got ${f.cat062Ttl}`);
  }
  return {
    cat062, cot,
    ...(f.cat062PeriodS !== undefined ? { cat062PeriodS: f.cat062PeriodS } : {}),
    ...(f.cat062Ttl !== undefined ? { multicastTtl: f.cat062Ttl } : {}),
    ...(f.sdps !== undefined ? { sdps: parseSdps(f.sdps) } : {}),
    cotTls: {
      ...(f.cotCa !== undefined ? { caFile: f.cotCa } : {}),
      ...(f.cotCert !== undefined ? { certFile: f.cotCert } : {}),
      ...(f.cotKey !== undefined ? { keyFile: f.cotKey } : {}),
    },
  };
}
