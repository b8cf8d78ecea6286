// The command line of contract section 1. Each command parses its options,
// calls one stage or the composition in this folder, and turns a SkyError
// into one line on stderr and a non-zero exit.

import { Command, InvalidArgumentError } from 'commander';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { formatAuditSummary, verifyAuditLog } from '../coalition/audit.ts';
import { loadCoalition } from '../coalition/coalition.ts';
import { SkyError, isSkyError } from '../core/errors.ts';
import { evaluate, formatReport, readTracksFile, readTruthFile } from '../eval/index.ts';
import { loadScenario, scenarioJson, scenarioNames, writeSimulation } from '../sim/index.ts';
import { runTrack } from './track.ts';
import { formatDecodeSummary, runDecode } from './decode.ts';
import { outputsFromFlags, type OutputFlags } from './outputs.ts';
import { parseTilesUrl } from '../serve/tiles.ts';

const EXIT_BAD_INPUT = 2;

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer`);
    return n;
  };
}

function positive(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0)) throw new InvalidArgumentError(`${name} must be a number > 0`);
    return n;
  };
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** A progress bar on stderr, only when stderr is a terminal. */
function progress(label: string): { update(done: number, total: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {eta_formatted} left`, stream: process.stderr, hideCursor: true });
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Scratch recording of `serve` without --record: what the time bar scrubs over. */
export const DEFAULT_RECORD_MAX_AGE_S = 2 * 3600;
const DEFAULT_RECORD_MAX_BYTES = 512 * 1024 * 1024;

/**
 * serve's recording: --record FILE (kept), --no-record (none), or by default
 * a scratch file in the OS temp dir, one per process (two servers never share
 * a file), kept 2 h and 512 MiB at most, deleted when the server stops.
 */
function recordOption(record: string | false | undefined, maxAgeH: number | undefined): { record?: { file: string; maxAgeS?: number; maxBytes?: number; temporary?: boolean; rotateS?: number } } {
  if (record === false) return {};
  if (typeof record === 'string') return { record: { file: record, ...(maxAgeH ? { maxAgeS: maxAgeH * 3600 } : {}) } };
  sweepScratchRecordings();
  return {
    record: {
      file: join(tmpdir(), `skyfuse-serve-${process.pid}.sqlite`), maxAgeS: maxAgeH ? maxAgeH * 3600 : DEFAULT_RECORD_MAX_AGE_S,
      // A new session every 15 min: retention then withholds at most the oldest 15 min from the time bar.
      maxBytes: DEFAULT_RECORD_MAX_BYTES, temporary: true, rotateS: 900,
    },
  };
}

/** Scratch recordings left by serve processes that died without closing (killed): deleted. */
function sweepScratchRecordings(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^skyfuse-serve-(\d+)\.sqlite(-wal|-shm)?$/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e) {
      // ESRCH: no such process (EPERM: alive, another user's).
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(tmpdir(), name), { force: true });
    }
  }
}

export function buildCli(): Command {
  const program = new Command('skyfuse')
    .description('Coalition air surveillance: fuse every partner\'s radars into one sovereign air picture.')
    .version(version())
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('sim')
    .description('Simulate a coalition scenario: writes DIR/coalition.json, DIR/plots.ast (ASTERIX CAT048/CAT034) and DIR/truth.jsonl')
    .requiredOption('--scenario <name|file>', `built-in scenario (${scenarioNames.join(', ')}) or a scenario JSON file`)
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .option('--seed <n>', 'random seed (default: the scenario\'s)', int('--seed'))
    .option('--duration-s <s>', 'simulated seconds (default: the scenario\'s)', positive('--duration-s'))
    .action(async (o: { scenario: string; out: string; seed?: number; durationS?: number }) => {
      const scn = loadScenario(o.scenario);
      const bar = progress('sim');
      const s = await writeSimulation(scn, scenarioJson(o.scenario), o.out, { seed: o.seed, durationS: o.durationS }, (d, t) => bar.update(d, t));
      bar.stop();
      process.stderr.write(
        `wrote ${o.out}: ${s.aircraft} aircraft, ${s.durationS} s from ${new Date(s.startS * 1000).toISOString()}, ` +
          `${s.blocks} ASTERIX blocks (${s.plotBytes} bytes), ${s.truthLines} truth lines\n` +
          `the recording's date (for track --date): ${s.date}\n`,
      );
    });

  program
    .command('track')
    .description('Fuse recorded plots (.ast, .pcap, .pcapng) into system tracks, as fast as the machine allows; writes tracks.jsonl')
    .requiredOption('--coalition <file>', 'coalition file (partners and sensors)')
    .requiredOption('--input <file>', 'plot file; repeat for several, merged in time order', collect, [])
    .requiredOption('--date <YYYY-MM-DD>', 'UTC day of the recording (ASTERIX time of day has no date)')
    .requiredOption('--out <file>', 'tracks.jsonl to write')
    .option('--period-s <s>', 'seconds of data time between track snapshots', positive('--period-s'), 1)
    .option('--out-cat062 <file>', 'also write the snapshots as ASTERIX CAT062 data blocks (with a CAT065 end of batch after each)')
    .option('--sdps <sac/sic>', 'SAC/SIC the CAT062 output names as its source', '0/0')
    .option('--no-register', 'do not estimate and remove sensor biases (registration) before tracking')
    .option('--association <kind>', 'gnn: each track updated with its assigned plot; jpda: in dense clusters, with every gated plot by its JPDA probability', 'gnn')
    .action(async (o: { coalition: string; input: string[]; date: string; out: string; periodS: number; outCat062?: string; sdps: string; register: boolean; association: string }) => {
      if (o.association !== 'gnn' && o.association !== 'jpda') throw new SkyError('SKY_USAGE', `--association must be gnn or jpda, got "${o.association}"`);
      const m = /^(\d{1,3})\/(\d{1,3})$/.exec(o.sdps);
      if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) throw new SkyError('SKY_USAGE', `--sdps must be SAC/SIC with each 0..255, got "${o.sdps}"`);
      const bar = progress('track');
      const s = await runTrack({
        coalitionFile: o.coalition, inputs: o.input, date: o.date, out: o.out, periodS: o.periodS,
        ...(o.outCat062 ? { outCat062: o.outCat062 } : {}), sdps: { sac: Number(m[1]), sic: Number(m[2]) }, register: o.register,
        association: o.association,
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.stop();
      for (const r of s.registration) {
        if (r.state === 'unregistered') continue;
        const e = r.estimate;
        process.stderr.write(
          `registration ${r.sensorId}: ${r.state}, range ${e.rangeOffsetM.toFixed(1)} m, gain ${(e.rangeGain * 1e6).toFixed(0)} ppm, ` +
            `azimuth ${((e.azimuthOffsetRad * 180) / Math.PI).toFixed(3)} deg, time ${e.timeOffsetS.toFixed(3)} s (${r.observations} ADS-B comparisons)\n`,
        );
      }
      for (const [code, { count, first }] of Object.entries(s.errors.summary())) {
        process.stderr.write(`warning: ${count} x ${code} (first: ${first})\n`);
      }
      process.stderr.write(
        `tracked ${s.plots} plots from ${s.records} records in ${s.elapsedS.toFixed(2)} s ` +
          `(${Math.round(s.plots / Math.max(1e-9, s.elapsedS))} plots/s): ${s.trackIds} tracks, ${s.frames} snapshots, ${s.lines} lines -> ${o.out}\n`,
      );
      if (s.records === 0) throw new SkyError('SKY_NO_DATA', `no decodable ASTERIX record in ${o.input.join(', ')}`);
    });

  program
    .command('eval')
    .description('Score tracks against truth: GOSPA (p=2, c=2000 m, alpha=2), RMS, coverage, false tracks, identity')
    .requiredOption('--truth <file>', 'truth.jsonl')
    .requiredOption('--tracks <file>', 'tracks.jsonl')
    .option('--json', 'print the figures as one JSON object')
    .action((o: { truth: string; tracks: string; json?: boolean }) => {
      const report = evaluate(readTruthFile(o.truth), readTracksFile(o.tracks));
      process.stdout.write(o.json ? JSON.stringify(report) + '\n' : formatReport(report));
    });

  // decode's filters: "48,34" -> [48, 34]; SAC and SIC are one octet each.
  const catList = (v: string): number[] => {
    const out = v.split(',').map((x) => x.trim());
    if (out.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) throw new InvalidArgumentError('--cat must be categories 0..255 separated by commas, e.g. 48,34');
    return out.map(Number);
  };
  const byte = (name: string) => (v: string): number => {
    if (!/^\d{1,3}$/.test(v.trim()) || Number(v) > 255) throw new InvalidArgumentError(`${name} must be an integer 0..255`);
    return Number(v);
  };
  program
    .command('decode')
    .description('Print every ASTERIX record of a .ast/.pcap/.pcapng file as one JSON object a line')
    .requiredOption('--input <file>', 'plot file')
    .option('--date <YYYY-MM-DD>', 'UTC day of the recording (adds epoch time to records)')
    .option('--pretty', 'indented JSON, one object after another')
    .option('--units', 'with --pretty: each value\'s unit from the specification as a // comment (for reading, no longer plain JSON)')
    .option('--cat <list>', 'only records of these categories, e.g. 48,34 (error lines always shown)', catList)
    .option('--sac <n>', 'only records whose SAC (item xxx/010) is n', byte('--sac'))
    .option('--sic <n>', 'only records whose SIC (item xxx/010) is n', byte('--sic'))
    .option('--summary', 'at the end, records and errors per category and per error code, on stderr')
    .action(async (o: { input: string; date?: string; pretty?: boolean; units?: boolean; cat?: number[]; sac?: number; sic?: number; summary?: boolean }) => {
      if (o.units && !o.pretty) throw new SkyError('SKY_USAGE', '--units needs --pretty (the default output stays one plain JSON object a line)');
      // Lines go out in chunks that wait for stdout to drain, so a large file
      // never piles up in memory behind a slow reader.
      let chunk: string[] = [];
      let size = 0;
      const flush = async () => {
        if (chunk.length === 0) return;
        const text = chunk.join('');
        chunk = [];
        size = 0;
        if (!process.stdout.write(text)) await new Promise<void>((res) => process.stdout.once('drain', () => res()));
      };
      const summary = await runDecode(o.input, o.date, (line) => {
        chunk.push(line + '\n');
        size += line.length + 1;
      }, () => (size > 1 << 16 ? flush() : undefined), {
        pretty: o.pretty === true, units: o.units === true,
        ...(o.cat ? { cats: o.cat } : {}), ...(o.sac !== undefined ? { sac: o.sac } : {}), ...(o.sic !== undefined ? { sic: o.sic } : {}),
      });
      await flush();
      if (o.summary) process.stderr.write(formatDecodeSummary(summary));
    });

  program
    .command('audit')
    .description('Check an audit log (logins, policy, membership, exports): every entry\'s hash and the chain; exits 2 with SKY_AUDIT_BROKEN if it was altered')
    .requiredOption('--verify <file>', 'audit log (JSON lines) to verify')
    .option('--anchor <seq:hash>', 'an entry\'s hash noted down earlier (the summary prints one); catches truncation and rewriting; repeatable', collect, [])
    .option('--json', 'print the summary as one JSON object')
    .action((o: { verify: string; anchor: string[]; json?: boolean }) => {
      const anchors = o.anchor.map((a) => {
        const m = /^(\d{1,15}):([0-9a-fA-F]{64})$/.exec(a);
        if (!m || Number(m[1]) < 1) throw new SkyError('SKY_USAGE', `--anchor must be SEQ:HASH (an entry number and its 64 hex digit hash), got "${a}"`);
        return { seq: Number(m[1]), hash: m[2]!.toLowerCase() };
      });
      const r = verifyAuditLog(o.verify, { anchors });
      process.stdout.write(o.json ? JSON.stringify({ file: o.verify, ...r }) + '\n' : formatAuditSummary(o.verify, r, anchors.length));
      if (!r.ok) {
        const where = r.badLine !== null ? ` line ${r.badLine} (byte ${r.badOffset})` : '';
        throw new SkyError('SKY_AUDIT_BROKEN', `${o.verify}${where}: entry ${r.firstBadSeq}: ${r.reason}`, { file: o.verify, ...(r.badOffset !== null ? { offset: r.badOffset } : {}) });
      }
    });

  program
    .command('serve')
    .description('Run the operations room: a simulated coalition, live through UDP, tracker and web picture')
    .option('--coalition <file>', 'coalition file to track with (default: the scenario\'s)')
    .option('--scenario <name|file>', 'scenario to simulate live', 'coalition')
    .option('--port <n>', 'HTTP port', int('--port'), 8080)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--audit <file>', 'append logins, API tokens, membership changes and, with --replay, replay control calls to this hash-chained audit log (check it with skyfuse audit --verify)')
    .option('--record <file>', 'record received blocks, tracks and events to this SQLite file (appends a session); default: a scratch file in the temp dir, kept 2 h, deleted at exit (history, export, time bar)')
    .option('--no-record', 'record nothing (no history, export or time bar)')
    .option('--record-max-age-h <h>', 'delete recorded data older than this many hours', positive('--record-max-age-h'))
    .option('--replay <file>', 'replay a recording (made with --record) instead of the live simulation')
    .option('--speed <x>', 'replay speed: 1 to 60 times real time, or max', '1')
    .option('--replay-from <time>', 'with --replay: start at this recording time, ISO 8601 with a zone or seconds since the epoch (the fusion is rebuilt up to it exactly)')
    .option('--tls-cert <file>', 'serve HTTPS and wss with this PEM certificate (with --tls-key); plain HTTP is then not served')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--accounts <file>', 'user accounts file (scrypt hashes, mode 0600; manage it with skyfuse accounts); no demo accounts are created')
    .option('--tiles <url-template>', 'draw the map from this tile server, e.g. https://tiles.example.org/{z}/{x}/{y}.png (the page may then reach that origin, and only it); default: the offline basemap')
    // Outputs to partners' systems (src/app/outputs.ts): each feed carries only its partner's picture.
    .option('--cat062-out <partner=host:port>', 'send PARTNER\'s picture as ASTERIX CAT062 + CAT065 over UDP (unicast or multicast group); repeatable', collect, [])
    .option('--cat062-period-s <s>', 'seconds between CAT062 updates', positive('--cat062-period-s'), 4)
    .option('--cat062-ttl <n>', 'multicast TTL of CAT062 to a group (default 1)', int('--cat062-ttl'))
    .option('--sdps <sac/sic>', 'SAC/SIC the CAT062/CAT065 output names as its source', '0/0')
    .option('--cot-out <partner=host:port[,tls]>', 'stream PARTNER\'s picture as Cursor on Target to a TAK server over TCP (or TLS); repeatable', collect, [])
    .option('--cot-ca <file>', 'PEM CA certificate of the TAK server (for ,tls)')
    .option('--cot-cert <file>', 'PEM client certificate for ,tls (mutual TLS)')
    .option('--cot-key <file>', 'PEM client private key for ,tls')
    .action(async (o: { coalition?: string; scenario: string; port: number; host: string; audit?: string; record?: string; recordMaxAgeH?: number; replay?: string; replayFrom?: string; speed: string; tiles?: string } & OutputFlags) => {
      const speed = o.speed === 'max' ? 'max' : Number(o.speed);
      if (speed !== 'max' && !(speed >= 1 && speed <= 60)) throw new SkyError('SKY_USAGE', `--speed must be 1..60 or max, got "${o.speed}"`);
      const scenario = loadScenario(o.scenario);
      const coalition = o.coalition ? loadCoalition(o.coalition) : undefined;
      const edge = serveEdge(o as { tlsCert?: string; tlsKey?: string; accounts?: string; replay?: string });
      const outputs = outputsFromFlags(o);
      // Checked before anything starts: a bad template is a usage error (exit 2), not a blank map.
      const tiles = o.tiles !== undefined ? parseTilesUrl(o.tiles).template : undefined;
      if (o.replayFrom !== undefined && !o.replay) throw new SkyError('SKY_USAGE', '--replay-from goes with --replay');
      const replayFromS = o.replayFrom !== undefined ? (await import('../record/history.ts')).parseTime(o.replayFrom, '--replay-from') : undefined;
      // Loaded here so the batch commands never load the web server.
      const { startLive } = await import('./live.ts');
      const { startReplay } = await import('./replay.ts');
      // Outputs and tiles work alike over a replay: the feeds carry the replayed pictures, with the recorded times.
      const live = o.replay ? await startReplay({
        file: o.replay, speed, host: o.host, port: o.port, demoAccounts: true,
        ...(process.env.SKYFUSE_TOKEN ? { token: process.env.SKYFUSE_TOKEN } : {}),
        ...(replayFromS !== undefined ? { fromS: replayFromS } : {}),
        ...(o.audit ? { auditFile: o.audit } : {}),
        ...(outputs ? { outputs } : {}),
        ...(tiles !== undefined ? { tiles } : {}),
        log: (l) => process.stderr.write(l + '\n'),
      }) : await startLive({
        scenario, ...(coalition ? { coalition } : {}), host: o.host, port: o.port,
        ...(process.env.SKYFUSE_TOKEN ? { token: process.env.SKYFUSE_TOKEN } : {}),
        demoAccounts: !edge.accountsFile,
        ...(edge.accountsFile ? { accountsFile: edge.accountsFile, operatorSession: false } : {}),
        ...(edge.tls ? { tls: edge.tls } : {}),
        ...recordOption(o.record as string | false | undefined, o.recordMaxAgeH),
        ...(o.audit ? { auditFile: o.audit } : {}),
        ...(outputs ? { outputs } : {}),
        ...(tiles !== undefined ? { tiles } : {}),
        log: (l) => process.stderr.write(l + '\n'),
      });
      // Printed once, to the terminal only: the passwords are stored nowhere (the server keeps scrypt hashes in memory).
      const who = live.membership.partner(live.operatorPartner);
      const lines = edge.accountsFile ? [`skyfuse operations room: ${live.url} (accounts from ${edge.accountsFile})`] : [
        `skyfuse operations room: ${live.operatorUrl}`,
        `  (that address is a demo operator session of ${who?.name ?? ''} (${live.operatorPartner}); or log in at ${live.url})`,
        'DEMO ACCOUNTS - for this run only, passwords shown once, not for operational use:',
        ...live.demoAccounts.map((a) => `  ${a.username.padEnd(18)} ${a.password}  ${a.role} of ${a.partnerName} (${a.partnerId})`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
      const stop = () => {
        live.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program
    .command('accounts')
    .description('Manage the user accounts file of serve --accounts: scrypt hashes only, mode 0600; passwords are read from stdin or prompted without echo')
    .argument('<action>', 'add | list | remove | passwd')
    .requiredOption('--accounts <file>', 'accounts file (created by the first add)')
    .option('--username <name>', 'the account (add, remove, passwd)')
    .option('--partner <id>', 'its partner (add)')
    .option('--role <role>', 'operator | partner-admin | coalition-admin (add)')
    .option('--coalition <file>', 'check --partner against this coalition file (add)')
    .action(async (action: string, o: { accounts: string; username?: string; partner?: string; role?: string; coalition?: string }) => {
      if (!['add', 'list', 'remove', 'passwd'].includes(action)) throw new SkyError('SKY_USAGE', `accounts: unknown action "${action}"; use add, list, remove or passwd`);
      const { readPassword, runAccounts } = await import('./accounts.ts');
      const lines = await runAccounts(
        {
          action: action as 'add', file: o.accounts,
          ...(o.username ? { username: o.username } : {}), ...(o.partner ? { partner: o.partner } : {}), ...(o.role ? { role: o.role } : {}),
          ...(o.coalition ? { coalition: loadCoalition(o.coalition) } : {}),
        },
        () => readPassword(`password for ${o.username ?? ''}: `),
      );
      process.stdout.write(lines.map((l) => l + '\n').join(''));
    });

  program
    .command('export')
    .description('Write one partner\'s recorded picture over a window (as it saw it then) to CSV, GeoJSON or KML')
    .requiredOption('--recording <file>', 'a recording made by serve --record')
    .requiredOption('--partner <id>', 'the partner whose picture to export')
    .requiredOption('--from <time>', 'start: ISO 8601 with a zone (2025-06-01T10:00:00Z) or seconds since the epoch')
    .requiredOption('--to <time>', 'end (exclusive), same forms')
    .requiredOption('--format <fmt>', 'csv | geojson | kml')
    .requiredOption('--out <file>', 'file to write (replaced)')
    .option('--track <id>', 'only this system track')
    .option('--step <s>', 'at most one frame per this many seconds')
    .action(async (o: { recording: string; partner: string; from: string; to: string; format: string; out: string; track?: string; step?: string }) => {
      const { runExport } = await import('./export.ts');
      const s = runExport(o);
      for (const w of s.withheld) {
        process.stderr.write(`warning: ${w.code}: ${new Date(w.fromS * 1000).toISOString()} to ${new Date(w.toS * 1000).toISOString()} withheld (the recording no longer proves which picture ${o.partner} saw then)\n`);
      }
      process.stderr.write(`exported ${s.frames} frames, ${s.trackLines} track lines of ${s.tracks} tracks (${s.bytes} bytes) -> ${o.out}\n`);
    });

  return program;
}

/** serve's TLS and accounts flags, checked before anything starts. */
function serveEdge(o: { tlsCert?: string; tlsKey?: string; accounts?: string; replay?: string }): { tls?: { cert: Buffer; key: Buffer }; accountsFile?: string } {
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new SkyError('SKY_USAGE', '--tls-cert and --tls-key go together');
  if (o.replay && (o.tlsCert || o.accounts)) throw new SkyError('SKY_USAGE', '--tls-cert and --accounts run with the live pipeline, not with --replay');
  const read = (file: string) => {
    try {
      return readFileSync(file);
    } catch {
      throw new SkyError('SKY_FILE_NOT_FOUND', `cannot read ${file}`, { file });
    }
  };
  return {
    ...(o.tlsCert && o.tlsKey ? { tls: { cert: read(o.tlsCert), key: read(o.tlsKey) } } : {}),
    ...(o.accounts ? { accountsFile: o.accounts } : {}),
  };
}

export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`skyfuse decode ... | head`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  try {
    await buildCli().parseAsync(argv);
    return 0;
  } catch (e) {
    if (isSkyError(e)) {
      process.stderr.write(`skyfuse: ${e.toLine()}\n`);
      return EXIT_BAD_INPUT;
    }
    process.stderr.write(`skyfuse: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
