// `skyfuse serve --replay FILE`: the operations room over a recording
// instead of the live simulation. The recording's own chain config rebuilds
// the same per-audience fusion, so the pictures are the live ones, and each
// frame keeps its audience: a partner replays only its own picture.
// Membership follows the recording (a partner that withdrew in it loses its
// sessions here too); it cannot be changed during a replay. Outputs
// (--cat062-out, --cot-out) are fed from the replayed frames as live feeds
// them from the live ones: each partner's feed carries the replayed picture
// of the audience it saw then, stamped with the recorded data times.
// Operators watch the replay's time through /api/replay, and a coalition
// administrator pauses, speeds and seeks it there (src/serve/routes/replay.ts;
// the time bar uses it), audited to --audit like other changes.

import { AuditLog } from '../coalition/audit.ts';
import { InProcessBus } from '../core/bus.ts';
import { SkyError } from '../core/errors.ts';
import { Chain, RecordingReader, Replayer } from '../record/index.ts';
import type { Partner, PartnerStatus, ReleaseRule } from '../core/types.ts';
import { Membership, generateToken, startServer } from '../serve/index.ts';
import type { ReplayControl } from '../serve/routes/replay.ts';
import { demoUsers } from './accounts.ts';
import type { LiveSystem } from './live.ts';
import { startOutputs, type Outputs, type OutputsConfig } from './outputs.ts';

export interface ReplayServeOptions {
  readonly file: string;
  /** 1 to 60 times real time, or 'max'. */
  readonly speed: number | 'max';
  readonly host: string;
  readonly port: number;
  readonly token?: string;
  readonly demoAccounts?: boolean;
  /**
   * Recording time (epoch s) to start at, default the recording's start.
   * The chain is rebuilt up to it in slices (Replayer.seekAsync) while the
   * server already answers.
   */
  readonly fromS?: number;
  /** CAT062 and CoT feeds to partners' systems, fed from the replayed frames (src/app/outputs.ts). */
  readonly outputs?: OutputsConfig;
  /** An operator's tile server URL template for the map (ServeOptions.tiles), as live. */
  readonly tiles?: string;
  /** Append logins and replay control calls (seek, speed, pause, resume) to this hash-chained audit log. */
  readonly auditFile?: string;
  readonly log: (line: string) => void;
}

export interface ReplaySystem extends LiveSystem {
  /** The replay itself: seekAsync, pause, speed (the tests; operators use /api/replay, src/serve/routes/replay.ts). */
  readonly replayer: Replayer;
}

export async function startReplay(o: ReplayServeOptions): Promise<ReplaySystem> {
  const reader = new RecordingReader(o.file);
  const session = reader.sessions()[0];
  if (!session) throw new SkyError('SKY_RECORD_OPEN', `${o.file} holds no recorded session`, { file: o.file });
  const coalition = session.config.coalition;
  const bus = new InProcessBus((topic, err) => o.log(`bus handler on ${topic} failed: ${String(err)}`));
  let replayer: Replayer | null = null;
  // Membership follows the recording: every recorded membership or policy
  // change is applied to Membership too (not only to the replayed fusion),
  // so its listeners act as in live — above all the server's, which ends a
  // withdrawn partner's sessions and closes its sockets at once. Only these
  // recorded changes get through; the API cannot change anything.
  let following = false;
  const readonly = () => {
    if (!following) throw new SkyError('SKY_REPLAY_READONLY', 'membership follows the recording during a replay');
  };
  const membership = new Membership(coalition, {
    audienceOf: (p) => replayer?.audienceOf(p),
    setPartnerStatus: readonly,
    // Present only while following the recording, so Membership.releasesEditable is false to the API:
    // a policy PUT is refused (409) before anything is audited, as other refused calls are.
    get setReleases() {
      return following ? readonly : undefined;
    },
  });
  const follow = (apply: () => void) => {
    following = true;
    try {
      apply();
    } finally {
      following = false;
    }
  };
  /** The replayed chain, telling Membership of each recorded change it applies. */
  class FollowingChain extends Chain {
    override setPartnerStatus(partnerId: string, status: PartnerStatus): void {
      super.setPartnerStatus(partnerId, status);
      if (membership.partner(partnerId) && membership.partner(partnerId)!.status !== status) follow(() => membership.setPartnerStatus(partnerId, status));
    }
    override setReleases(partnerId: string, releases: readonly ReleaseRule[] | null): void {
      super.setReleases(partnerId, releases);
      if (membership.partner(partnerId)) follow(() => membership.setReleases(partnerId, releases));
    }
  }
  let outputsRef: Outputs | null = null;
  const rp = new Replayer(reader, {
    ...(o.fromS !== undefined ? { fromS: o.fromS } : {}),
    makeChain: (config, sinks) => new FollowingChain(config, sinks),
    // The chain the replay goes on with (a session starts, or a seek restores a checkpoint
    // or re-runs a session) has its own membership: so does Membership.
    onChain: (chain) => followPartners(chain.partners),
    // Back in time, the outputs start afresh (their update times and track numbers would wait for data time to catch up).
    onSeek: (_timeS, back) => {
      if (back) outputsRef?.restart();
    },
    speed: o.speed,
    onFrame: (f) => bus.publish('tracks', f),
    onEvents: (e) => bus.publish('events', e),
    onEnd: () => o.log('replay: end of recording'),
  });
  replayer = rp;
  const followPartners = (partners: readonly Partner[]) => {
    for (const p of partners) {
      const cur = membership.partner(p.id);
      if (cur && cur.status !== p.status) follow(() => membership.setPartnerStatus(p.id, p.status));
      if (cur && JSON.stringify(cur.releases) !== JSON.stringify(p.releases)) follow(() => membership.setReleases(p.id, p.releases));
    }
  };
  // Started before any frame: each feed follows Membership (started while its partner is a member).
  const outputs: Outputs | null = o.outputs ? startOutputs(bus, membership, o.outputs, o.log) : null;
  outputsRef = outputs;
  let audit: AuditLog | null = null;
  try {
    audit = o.auditFile ? await AuditLog.open(o.auditFile) : null;
    const { users, accounts } = await demoUsers(coalition, o.demoAccounts === true);
    // The time control (/api/replay): the span of the recording, and the Replayer's pause, speed and seek.
    const span = reader.span() ?? { fromS: session.startedS, toS: session.startedS };
    const replay: ReplayControl = {
      fromS: span.fromS,
      toS: span.toS,
      now: () => ({ atS: rp.positionS, speed: rp.currentSpeed, playing: rp.playing, seeking: rp.isWarming, ended: rp.isEnded }),
      seek: (timeS) => void rp.seekAsync(timeS),
      setSpeed: (speed) => rp.setSpeed(speed),
      pause: () => rp.pause(),
      resume: () => rp.resume(),
    };
    const tokenPartner = (coalition.partners.find((p) => p.status === 'member') ?? coalition.partners[0]!).id;
    const server = await startServer({
      host: o.host, port: o.port, bus, membership, users, log: o.log, demo: o.demoAccounts === true, audit, replay,
      // History and export read the same recording (what each partner saw in it).
      recording: { file: o.file },
      operator: { token: o.token ?? generateToken(), partnerId: tokenPartner, name: `demo-${tokenPartner.toLowerCase()}` },
      ...(o.tiles !== undefined ? { tiles: o.tiles } : {}),
      ...(outputs ? { outputsOf: () => outputs.stats() } : {}),
    });
    if (reader.span()) o.log(`replay: ${o.file}, ${new Date(span.fromS * 1000).toISOString()} to ${new Date(span.toS * 1000).toISOString()}, speed ${o.speed}`);
    if (o.fromS === undefined) rp.start();
    else {
      // A start far into a session re-runs it up to there: in slices, the server answering meanwhile; then plays.
      void rp.seekAsync(o.fromS);
      rp.resume();
    }
    return {
      url: server.url,
      operatorUrl: server.operatorUrl,
      bus,
      membership,
      operatorPartner: tokenPartner,
      demoAccounts: accounts,
      replayer: rp,
      ...(outputs ? { outputs } : {}),
      async close() {
        rp.stop();
        await outputs?.close();
        await server.close();
        await bus.close();
        await audit?.close();
      },
    };
  } catch (e) {
    rp.stop();
    await outputs?.close();
    await audit?.close();
    throw e;
  }
}
