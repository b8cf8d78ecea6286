// `skyfuse serve --replay FILE`: the operations room over a recording
// instead of the live simulation. The recording's own chain config rebuilds
// the same per-audience fusion, so the pictures are the live ones, and each
// frame keeps its audience: a partner replays only its own picture.
// Membership follows the recording (a partner that withdrew in it loses its
// sessions here too); it cannot be changed during a replay.

import { InProcessBus } from '../core/bus.ts';
import { SkyError } from '../core/errors.ts';
import { Chain, RecordingReader, Replayer } from '../record/index.ts';
import type { PartnerStatus, ReleaseRule } from '../core/types.ts';
import { Membership, generateToken, startServer } from '../serve/index.ts';
import { demoUsers } from './accounts.ts';
import type { LiveSystem } from './live.ts';

export interface ReplayServeOptions {
  readonly file: string;
  /** 1 to 60 times real time, or 'max'. */
  readonly speed: number | 'max';
  readonly host: string;
  readonly port: number;
  readonly token?: string;
  readonly demoAccounts?: boolean;
  readonly log: (line: string) => void;
}

export async function startReplay(o: ReplayServeOptions): Promise<LiveSystem> {
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
    setReleases: readonly,
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
  replayer = new Replayer(reader, {
    // A new chain (a session starts, or a seek re-runs one) starts from its session's coalition: so does Membership.
    makeChain: (config, sinks) => {
      for (const p of config.coalition.partners) {
        const cur = membership.partner(p.id);
        if (cur && cur.status !== p.status) follow(() => membership.setPartnerStatus(p.id, p.status));
        if (cur && JSON.stringify(cur.releases) !== JSON.stringify(p.releases)) follow(() => membership.setReleases(p.id, p.releases));
      }
      return new FollowingChain(config, sinks);
    },
    speed: o.speed,
    onFrame: (f) => bus.publish('tracks', f),
    onEvents: (e) => bus.publish('events', e),
    onEnd: () => o.log('replay: end of recording'),
  });
  const { users, accounts } = await demoUsers(coalition, o.demoAccounts === true);
  const tokenPartner = (coalition.partners.find((p) => p.status === 'member') ?? coalition.partners[0]!).id;
  const server = await startServer({
    host: o.host, port: o.port, bus, membership, users, log: o.log, demo: o.demoAccounts === true,
    // History and export read the same recording (what each partner saw in it).
    recording: { file: o.file },
    operator: { token: o.token ?? generateToken(), partnerId: tokenPartner, name: `demo-${tokenPartner.toLowerCase()}` },
  });
  replayer.start();
  const span = reader.span();
  if (span) o.log(`replay: ${o.file}, ${new Date(span.fromS * 1000).toISOString()} to ${new Date(span.toS * 1000).toISOString()}, speed ${o.speed}`);
  return {
    url: server.url,
    operatorUrl: server.operatorUrl,
    bus,
    membership,
    operatorPartner: tokenPartner,
    demoAccounts: accounts,
    async close() {
      replayer?.stop();
      await server.close();
      await bus.close();
    },
  };
}
