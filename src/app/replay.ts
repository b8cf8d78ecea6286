// `skyfuse serve --replay FILE`: the operations room over a recording
// instead of the live simulation. The recording's own chain config rebuilds
// the same per-audience fusion, so the pictures are the live ones, and each
// frame keeps its audience: a partner replays only its own picture.
// Membership follows the recording; it cannot be changed during a replay.

import { InProcessBus } from '../core/bus.ts';
import { SkyError } from '../core/errors.ts';
import { RecordingReader, Replayer } from '../record/index.ts';
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
  const membership = new Membership(coalition, {
    audienceOf: (p) => replayer?.audienceOf(p),
    setPartnerStatus: () => {
      throw new SkyError('SKY_REPLAY_READONLY', 'membership follows the recording during a replay');
    },
  });
  replayer = new Replayer(reader, {
    speed: o.speed,
    onFrame: (f) => bus.publish('tracks', f),
    onEvents: (e) => bus.publish('events', e),
    onEnd: () => o.log('replay: end of recording'),
  });
  const { users, accounts } = await demoUsers(coalition, o.demoAccounts === true);
  const tokenPartner = (coalition.partners.find((p) => p.status === 'member') ?? coalition.partners[0]!).id;
  const server = await startServer({
    host: o.host, port: o.port, bus, membership, users, log: o.log, demo: o.demoAccounts === true,
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
