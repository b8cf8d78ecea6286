// Reading a recording back, and the Replayer: it feeds the recorded inputs
// (blocks, the live pump's ticks, membership changes) in their recorded
// order through a fresh chain built from the session's own config, so the
// frames it produces are the frames the live run produced. Pacing follows
// the recorded arrival times at 1x-60x, or runs as fast as possible. Seeks
// start from checkpoints of the chain's state taken while replaying, and
// seekAsync re-runs in slices that leave the event loop free.

import { SkyError } from '../core/errors.ts';
import type { PartnerStatus, ReleaseRule, SkyEvent, TrackFrame } from '../core/types.ts';
import type { DataBlock } from '../ingest/index.ts';
import type { TrackJson } from '../core/contract.ts';
import type { Audience } from '../coalition/releasability.ts';
import { Chain, type ChainCheckpoint, type ChainConfig, type ChainSinks } from './chain.ts';
import { Uncloneable } from './checkpoint.ts';
import { INPUT_EVENT_KINDS } from './recorder.ts';
import { openRecording, type Db, type Statement } from './schema.ts';

export interface SessionInfo {
  readonly id: number;
  readonly startedS: number;
  readonly firstSeq: number;
  readonly config: ChainConfig;
}

export interface RecordedBlock {
  readonly seq: number;
  readonly session: number;
  readonly arrivalS: number;
  readonly sensorId: string | null;
  readonly source: string;
  readonly bytes: Uint8Array;
}

/** One input of the chain, in recorded order. `timeS` is the wall-clock time it was fed. */
export type RecordedInput =
  | { readonly kind: 'block'; readonly seq: number; readonly session: number; readonly timeS: number; readonly block: RecordedBlock }
  | { readonly kind: 'tick'; readonly seq: number; readonly session: number; readonly timeS: number }
  | { readonly kind: 'partner-status'; readonly seq: number; readonly session: number; readonly timeS: number; readonly partnerId: string; readonly status: PartnerStatus }
  | { readonly kind: 'policy-change'; readonly seq: number; readonly session: number; readonly timeS: number; readonly partnerId: string; readonly releases: readonly ReleaseRule[] | null };

export interface RecordedFrame {
  readonly session: number;
  readonly timeS: number;
  readonly audience: string | null;
  readonly tracks: readonly TrackJson[];
}

const PAGE = 2000;

/**
 * Read access to a recording. Reads page through the file (no read
 * transaction stays open between pages), so reading a file that is being
 * recorded never holds back the recorder's WAL checkpoints.
 */
export class RecordingReader {
  private readonly db: Db;
  private readonly own: boolean;
  private sessionCache: Map<number, SessionInfo> | null = null;
  private readonly sources = new Map<number, { source: string; sensorId: string | null }>();

  constructor(fileOrDb: string | Db) {
    this.own = typeof fileOrDb === 'string';
    this.db = typeof fileOrDb === 'string' ? openRecording(fileOrDb, { readonly: true }) : fileOrDb;
  }

  sessions(): SessionInfo[] {
    const rows = this.db.prepare('SELECT id, started_s, first_seq, config FROM sessions ORDER BY id').all() as { id: number; started_s: number; first_seq: number; config: string }[];
    const out = rows.map((r) => ({ id: r.id, startedS: r.started_s, firstSeq: r.first_seq, config: JSON.parse(r.config) as ChainConfig }));
    this.sessionCache = new Map(out.map((s) => [s.id, s]));
    return out;
  }

  session(id: number): SessionInfo | undefined {
    if (!this.sessionCache?.has(id)) this.sessions();
    return this.sessionCache!.get(id);
  }

  /** Arrival times of the first and last recorded block; null for an empty recording. */
  span(): { fromS: number; toS: number } | null {
    const r = this.db.prepare('SELECT min(arrival_s) AS a, max(arrival_s) AS b FROM blocks').get() as { a: number | null; b: number | null };
    return r.a === null || r.b === null ? null : { fromS: r.a, toS: r.b };
  }

  /** The first seq of an input fed at or after `timeS` (blocks and ticks), or null past the end. */
  seqAt(timeS: number): number | null {
    const r = this.db.prepare(`SELECT min(s) AS s FROM (
      SELECT (SELECT seq FROM blocks WHERE arrival_s >= ? ORDER BY arrival_s LIMIT 1) AS s
      UNION ALL SELECT (SELECT seq FROM ticks WHERE time_s >= ? ORDER BY time_s LIMIT 1))`).get(timeS, timeS) as { s: number | null };
    return r.s;
  }

  private source(id: number): { source: string; sensorId: string | null } {
    let s = this.sources.get(id);
    if (!s) {
      const r = this.db.prepare('SELECT source, sensor_id FROM sources WHERE id = ?').get(id) as { source: string; sensor_id: string | null } | undefined;
      s = { source: r?.source ?? `source#${id}`, sensorId: r?.sensor_id ?? null };
      this.sources.set(id, s);
    }
    return s;
  }

  /** Blocks with fromS <= arrival < toS, in arrival (recorded) order; bytes as recorded. */
  *blocks(fromS = -Infinity, toS = Infinity): Generator<RecordedBlock> {
    const st = this.db.prepare('SELECT seq, session, arrival_s, source, bytes FROM blocks WHERE seq > ? ORDER BY seq LIMIT ?');
    const startSeq = Number.isFinite(fromS) ? this.seqAt(fromS) : 0;
    if (startSeq === null) return;
    let after = startSeq - 1;
    for (;;) {
      const rows = st.all(after, PAGE) as { seq: number; session: number; arrival_s: number; source: number; bytes: Buffer }[];
      if (rows.length === 0) return;
      for (const r of rows) {
        if (r.arrival_s >= toS) return;
        // A wall clock stepped back can put a later block before fromS: skip it, keep order.
        if (r.arrival_s < fromS) continue;
        yield { seq: r.seq, session: r.session, arrivalS: r.arrival_s, ...this.source(r.source), bytes: r.bytes };
      }
      after = rows[rows.length - 1]!.seq;
    }
  }

  /**
   * Every input with fromSeq <= seq < toSeq (blocks, ticks and membership
   * changes merged by seq): exactly what the live chain consumed, in order.
   */
  *inputs(fromSeq = 0, toSeq = Infinity): Generator<RecordedInput> {
    const qb = this.db.prepare('SELECT seq, session, arrival_s, source, bytes FROM blocks WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?');
    const qt = this.db.prepare('SELECT seq, session, time_s FROM ticks WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?');
    const kinds = [...INPUT_EVENT_KINDS].map((k) => `'${k}'`).join(',');
    const qe = this.db.prepare(`SELECT seq, session, time_s, json FROM events WHERE seq >= ? AND seq < ? AND kind IN (${kinds}) ORDER BY seq LIMIT ?`);
    const hi = Number.isFinite(toSeq) ? toSeq : Number.MAX_SAFE_INTEGER;
    const page = <T extends { seq: number }>(q: Statement, map: (r: T) => RecordedInput) => {
      let buf: RecordedInput[] = [];
      let i = 0;
      let next = fromSeq;
      let done = false;
      return {
        peek(): RecordedInput | null {
          if (i >= buf.length) {
            if (done) return null;
            const rows = q.all(next, hi, PAGE) as T[];
            if (rows.length < PAGE) done = true;
            if (rows.length === 0) return null;
            buf = rows.map(map);
            i = 0;
            next = rows[rows.length - 1]!.seq + 1;
          }
          return buf[i] ?? null;
        },
        take(): void {
          i++;
        },
      };
    };
    const streams = [
      page<{ seq: number; session: number; arrival_s: number; source: number; bytes: Buffer }>(qb, (r) => ({
        kind: 'block', seq: r.seq, session: r.session, timeS: r.arrival_s,
        block: { seq: r.seq, session: r.session, arrivalS: r.arrival_s, ...this.source(r.source), bytes: r.bytes },
      })),
      page<{ seq: number; session: number; time_s: number }>(qt, (r) => ({ kind: 'tick', seq: r.seq, session: r.session, timeS: r.time_s })),
      page<{ seq: number; session: number; time_s: number; json: string }>(qe, (r) => {
        const e = JSON.parse(r.json) as { kind?: string; partnerId: string; status: PartnerStatus; releases?: readonly ReleaseRule[] | null };
        if (e.kind === 'policy-change') return { kind: 'policy-change', seq: r.seq, session: r.session, timeS: r.time_s, partnerId: e.partnerId, releases: e.releases ?? null };
        return { kind: 'partner-status', seq: r.seq, session: r.session, timeS: r.time_s, partnerId: e.partnerId, status: e.status };
      }),
    ];
    for (;;) {
      let best = -1;
      let bestSeq = Infinity;
      for (let k = 0; k < streams.length; k++) {
        const h = streams[k]!.peek();
        if (h && h.seq < bestSeq) { bestSeq = h.seq; best = k; }
      }
      if (best < 0) return;
      const s = streams[best]!;
      const v = s.peek()!;
      s.take();
      yield v;
    }
  }

  /** Recorded frames with fromS <= time < toS, in order; optionally one audience's only. */
  frames(fromS = -Infinity, toS = Infinity, audience?: string | null): RecordedFrame[] {
    const rows = this.db.prepare('SELECT session, time_s, audience, tracks FROM frames WHERE time_s >= ? AND time_s < ? ORDER BY id')
      .all(Number.isFinite(fromS) ? fromS : -1e300, Number.isFinite(toS) ? toS : 1e300) as { session: number; time_s: number; audience: string | null; tracks: string }[];
    return rows
      .filter((r) => audience === undefined || r.audience === audience)
      .map((r) => ({ session: r.session, timeS: r.time_s, audience: r.audience, tracks: JSON.parse(r.tracks) as TrackJson[] }));
  }

  /** Recorded events (outputs and inputs) with fromS <= time < toS. */
  events(fromS = -Infinity, toS = Infinity): { seq: number; timeS: number; kind: string; event: unknown }[] {
    const rows = this.db.prepare('SELECT seq, time_s, kind, json FROM events WHERE time_s >= ? AND time_s < ? ORDER BY seq')
      .all(Number.isFinite(fromS) ? fromS : -1e300, Number.isFinite(toS) ? toS : 1e300) as { seq: number; time_s: number; kind: string; json: string }[];
    return rows.map((r) => ({ seq: r.seq, timeS: r.time_s, kind: r.kind, event: JSON.parse(r.json) }));
  }

  close(): void {
    if (this.own) this.db.close();
  }
}

export interface ReplayOptions {
  /** Replay window by arrival time (default: the whole recording). */
  readonly fromS?: number;
  readonly toS?: number;
  /** 1 to 60 times real time, or 'max' for as fast as possible. Default 1. */
  readonly speed?: number | 'max';
  /**
   * How much recording before a start or seek time is re-run (frames
   * suppressed) to rebuild the fusion. Infinity (default) re-runs from the
   * start of the session, or from a checkpoint of it: the picture is then
   * exactly the live one. A finite value is faster; see SEEK_HISTORY_S for
   * what it gives (checkpoints are then not used).
   */
  readonly historyS?: number;
  /**
   * Seconds of recording between checkpoints of the chain's whole state,
   * taken while replaying forward (default 60; 0: none). A seek starts from
   * the latest checkpoint at or before its point in the same session
   * instead of the session's start: the same frames, exactly, sooner.
   */
  readonly checkpointEveryS?: number;
  /**
   * Most checkpoints kept (default 32), which bounds their memory: when one
   * more is taken, every other one is dropped (the newest kept) and the
   * interval doubles, so they always cover the whole replay.
   */
  readonly maxCheckpoints?: number;
  /** Longest run of a seekAsync warm-up between two turns of the event loop, ms (default 20). */
  readonly sliceMs?: number;
  readonly onFrame: (frame: TrackFrame) => void;
  readonly onEvents?: (events: readonly SkyEvent[]) => void;
  /** Called once when the replay has fed its last input. */
  readonly onEnd?: () => void;
  /** Wall clock for pacing, seconds; injected for tests. */
  readonly clock?: () => number;
  /** Builds the chain of a session (default: `new Chain(config, sinks)`, as live does). */
  readonly makeChain?: (config: ChainConfig, sinks: ChainSinks) => Chain;
  /**
   * Called with each chain the replay goes on with: one just built for a
   * session (as its config says), or one restored from a checkpoint (with
   * the membership of that point: chain.partners).
   */
  readonly onChain?: (chain: Chain) => void;
  /** Called at each seek, before the picture of `timeS` is rebuilt; `back`: to before the position the replay was at. */
  readonly onSeek?: (timeS: number, back: boolean) => void;
}

/**
 * A shorter history for fast seeks in long sessions, when the operations
 * room wants a picture quickly rather than exactly. Measured on the `small`
 * scenario (seek to +200 s): with 60 s of history every live track is there
 * but positions differ by up to ~75 m and track numbers differ (the IMM's
 * state remembers more than a minute); with 120 s, up to ~15 m. Only a re-run
 * from the session's start or a checkpoint (historyS = Infinity, the default)
 * is exact.
 */
export const SEEK_HISTORY_S = 60;

const MAX_SPEED = 60;

/** The chain's state before input `seq` of `session` was fed, and each audience's latest frame then. */
interface Checkpoint {
  readonly session: number;
  readonly seq: number;
  readonly timeS: number;
  readonly chain: ChainCheckpoint;
  readonly latest: ReadonlyMap<string, TrackFrame>;
}

/** A seekAsync warm-up under way. */
interface WarmJob {
  cancelled: boolean;
  /** Play on when it is done (the replay was playing, or resume() was called meanwhile). */
  resumeAfter: boolean;
  done: (completed: boolean) => void;
}

export class Replayer {
  private readonly reader: RecordingReader;
  private readonly clock: () => number;
  private speed: number | 'max';
  private chain: Chain | null = null;
  private chainSession = -1;
  private iter: Generator<RecordedInput> | null = null;
  private head: RecordedInput | null = null;
  private readonly endSeq: number;
  /** Recording time at the pacing anchor, and the wall time then. */
  private anchorRecS = 0;
  private anchorWallS = 0;
  private paused = true;
  private stopped = false;
  private ended = false;
  private timer: NodeJS.Timeout | null = null;
  /** While re-running history, frames are held (latest per audience), not emitted. */
  private warming = false;
  private held = new Map<string, TrackFrame>();
  /** Each audience's latest frame of the chain's session so far (emitted or held): what a checkpoint keeps. */
  private latest = new Map<string, TrackFrame>();
  private checkpoints: Checkpoint[] = [];
  private checkpointEveryS: number;
  private readonly maxCheckpoints: number;
  /** Recording time from which the next checkpoint is due. */
  private nextCheckpointS = Infinity;
  private warmJob: WarmJob | null = null;
  /** Inputs fed so far (for progress and tests). */
  fed = 0;
  /** Recording time of the latest input fed. */
  private fedUpToS = -Infinity;
  /** Checkpoints taken and seeks started from one; `failed`: why checkpoints stopped (the chain's state could not be copied). */
  readonly checkpointStats = { taken: 0, restored: 0, ms: 0, failed: null as string | null };

  constructor(fileOrReader: string | RecordingReader, private readonly o: ReplayOptions) {
    this.reader = typeof fileOrReader === 'string' ? new RecordingReader(fileOrReader) : fileOrReader;
    this.clock = o.clock ?? (() => Date.now() / 1000);
    this.speed = checkSpeed(o.speed ?? 1);
    const span = this.reader.span();
    const toS = o.toS ?? Infinity;
    this.endSeq = Number.isFinite(toS) ? (this.reader.seqAt(toS) ?? Infinity) : Infinity;
    this.anchorRecS = o.fromS ?? span?.fromS ?? 0;
    const exact = !Number.isFinite(o.historyS ?? Infinity);
    this.checkpointEveryS = exact ? Math.max(0, o.checkpointEveryS ?? 60) : 0;
    this.maxCheckpoints = Math.max(2, o.maxCheckpoints ?? 32);
  }

  /** Recording time the replay has reached. */
  get positionS(): number {
    if (this.paused || this.speed === 'max') return this.anchorRecS;
    return this.anchorRecS + (this.clock() - this.anchorWallS) * this.speed;
  }

  /**
   * The audience whose replayed picture a partner sees now (the recorded
   * membership as of the replay position): for Membership in replay mode.
   */
  audienceOf(partnerId: string): Audience | undefined {
    return this.chain?.fusion?.audienceOf(partnerId);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** A seekAsync warm-up is under way. */
  get isWarming(): boolean {
    return this.warmJob !== null;
  }

  /** The pacing: 1 to 60 times real time, or 'max'. */
  get currentSpeed(): number | 'max' {
    return this.speed;
  }

  /** Plays now, or will once the seekAsync under way is done (it paused the replay meanwhile). */
  get playing(): boolean {
    return this.warmJob ? this.warmJob.resumeAfter : !this.paused;
  }

  /** Checkpoints held now: their number and the recording times they are at. */
  get checkpointTimes(): number[] {
    return this.checkpoints.map((c) => c.timeS);
  }

  /** Start (paced, on timers) from `fromS`. */
  start(): void {
    this.seekTo(this.anchorRecS);
    this.resume();
  }

  /** Feed everything up to the end as fast as possible, synchronously (tests, batch use). */
  runToEnd(): void {
    if (this.warmJob) this.cancelWarm();
    if (!this.iter || this.warming) this.seekTo(this.anchorRecS);
    this.feedUntil(Infinity);
  }

  pause(): void {
    if (this.warmJob) this.warmJob.resumeAfter = false;
    if (this.paused) return;
    this.anchorRecS = this.positionS;
    this.paused = true;
    this.clearTimer();
  }

  resume(): void {
    if (this.warmJob) {
      this.warmJob.resumeAfter = true;
      return;
    }
    // At the end there is nothing to play (a seek back plays again).
    if (!this.paused || this.stopped || this.ended) return;
    this.paused = false;
    this.anchorWallS = this.clock();
    this.schedule();
  }

  setSpeed(speed: number | 'max'): void {
    const pos = this.positionS;
    this.speed = checkSpeed(speed);
    this.anchorRecS = pos;
    this.anchorWallS = this.clock();
    if (!this.paused) {
      this.clearTimer();
      this.schedule();
    }
  }

  /**
   * Jump to recording time `timeS`: the chain is rebuilt as of that time
   * (from the latest checkpoint before it in its session, or the session's
   * start; a jump forward just runs on) with frames held back, then the
   * picture as of `timeS` is emitted (the last frame of each audience), and
   * the replay carries on at the current speed (or stays paused). All of
   * it before returning: for tests and batch use; a server uses seekAsync.
   */
  seek(timeS: number): void {
    const resumeAfter = this.interrupt();
    this.seekTo(timeS);
    if (resumeAfter) this.resume();
  }

  /**
   * seek(), with the re-run in slices of at most sliceMs that yield to the
   * event loop between them, so a server goes on answering during a long
   * warm-up. Resolves true once the picture as of `timeS` is emitted, or
   * false if another seek (or stop) cancelled it first; nothing of a
   * cancelled warm-up is emitted.
   */
  seekAsync(timeS: number): Promise<boolean> {
    const resumeAfter = this.interrupt();
    const atSeq = this.prepareSeek(timeS);
    const sliceMs = this.o.sliceMs ?? 20;
    return new Promise<boolean>((resolve) => {
      const job: WarmJob = { cancelled: false, resumeAfter, done: resolve };
      this.warmJob = job;
      const step = (): void => {
        if (job.cancelled) return;
        const deadline = performance.now() + sliceMs;
        let n = 0;
        this.feedWhile((i) => i.seq < atSeq && (++n % 16 !== 0 || performance.now() < deadline));
        const next = this.next();
        if (next && next.seq < atSeq) {
          setImmediate(step);
          return;
        }
        this.warmJob = null;
        this.finishSeek(timeS);
        resolve(true);
        if (job.resumeAfter) this.resume();
      };
      setImmediate(step);
    });
  }

  stop(): void {
    this.cancelWarm();
    this.stopped = true;
    this.paused = true;
    this.clearTimer();
  }

  /** Stops playing and any warm-up for a seek; returns whether to play on after it. */
  private interrupt(): boolean {
    const resumeAfter = !this.paused || (this.warmJob?.resumeAfter ?? false);
    this.cancelWarm();
    this.clearTimer();
    if (!this.paused) this.anchorRecS = this.positionS;
    this.paused = true;
    return resumeAfter;
  }

  private cancelWarm(): void {
    const j = this.warmJob;
    if (!j) return;
    j.cancelled = true;
    this.warmJob = null;
    j.done(false);
  }

  private seekTo(timeS: number): void {
    const atSeq = this.prepareSeek(timeS);
    this.feedWhile((i) => i.seq < atSeq);
    this.finishSeek(timeS);
  }

  /** Puts the chain where a seek to `timeS` re-runs from; returns the seq to re-run up to (excluded). */
  private prepareSeek(timeS: number): number {
    this.o.onSeek?.(timeS, timeS < this.fedUpToS);
    this.ended = false;
    this.anchorRecS = timeS;
    const atSeq = this.reader.seqAt(timeS) ?? Infinity;
    // The session holding the seek point: history never crosses into an earlier one
    // (a restart began with an empty picture there too).
    const sessions = this.reader.sessions();
    let session: SessionInfo | undefined;
    for (const s of sessions) if (s.firstSeq <= atSeq) session = s;
    const historyS = this.o.historyS ?? Infinity;
    let fromSeq = session?.firstSeq ?? 0;
    if (Number.isFinite(historyS)) fromSeq = Math.max(fromSeq, this.reader.seqAt(timeS - historyS) ?? fromSeq);
    let cp: Checkpoint | undefined;
    if (session && this.checkpointEveryS > 0) {
      for (const c of this.checkpoints) if (c.session === session.id && c.seq <= atSeq && c.seq >= fromSeq && (!cp || c.seq > cp.seq)) cp = c;
    }
    // A jump forward in the same session just runs on from here: exact, and costs only the gap.
    const here = this.iter ? this.next() : null;
    const forward = here !== null && this.chain !== null && session !== undefined && this.chainSession === session.id &&
      here.seq <= atSeq && here.seq >= fromSeq && (!cp || here.seq >= cp.seq);
    // Running on keeps the held frames (a cancelled warm-up's, never emitted); otherwise they start over.
    if (forward) {
      // nothing to rebuild
    } else if (cp) {
      this.restore(cp);
      this.iter = this.reader.inputs(cp.seq, this.endSeq);
      this.head = null;
    } else {
      this.chain = null;
      this.chainSession = -1;
      this.held = new Map();
      this.iter = this.reader.inputs(fromSeq, this.endSeq);
      this.head = null;
    }
    this.warming = true;
    return atSeq;
  }

  /** Ends a seek's re-run: emits the picture as of `timeS`. */
  private finishSeek(timeS: number): void {
    this.warming = false;
    // Audiences that ended during the history (a membership change) are not part of the picture.
    const running = this.chain?.fusion ? new Set(this.chain.fusion.audiences.map((a) => a.key)) : null;
    const held = [...this.held.values()].filter((f) => !running || running.has(f.audience ?? ''));
    this.held.clear();
    for (const f of held) this.o.onFrame(f);
    this.anchorRecS = timeS;
  }

  private next(): RecordedInput | null {
    if (!this.head) {
      const n = this.iter?.next();
      this.head = n && !n.done ? n.value : null;
    }
    return this.head;
  }

  private feedWhile(cond: (i: RecordedInput) => boolean): void {
    for (;;) {
      const i = this.next();
      if (!i || !cond(i)) return;
      this.head = null;
      this.feed(i);
    }
  }

  private feedUntil(recS: number): void {
    this.feedWhile((i) => i.timeS <= recS);
    if (!this.next() && !this.ended) {
      this.ended = true;
      if (Number.isFinite(this.fedUpToS)) this.anchorRecS = Math.max(this.anchorRecS, this.fedUpToS);
      this.clearTimer();
      this.paused = true;
      this.o.onEnd?.();
    }
  }

  private sinks(): ChainSinks {
    return {
      onFrame: (f) => {
        this.latest.set(f.audience ?? '', f);
        if (this.warming) this.held.set(f.audience ?? '', f);
        else this.o.onFrame(f);
      },
      onEvents: (e) => {
        if (!this.warming) this.o.onEvents?.(e);
      },
    };
  }

  private restore(cp: Checkpoint): void {
    const chain = Chain.restore(cp.chain, this.sinks());
    this.chain = chain;
    this.chainSession = cp.session;
    this.latest = new Map(cp.latest);
    this.held = new Map(cp.latest);
    this.nextCheckpointS = cp.timeS + this.checkpointEveryS;
    this.checkpointStats.restored++;
    this.o.onChain?.(chain);
  }

  private takeCheckpoint(i: RecordedInput): void {
    this.nextCheckpointS = i.timeS + this.checkpointEveryS;
    if (this.checkpoints.some((c) => c.seq === i.seq)) return;
    const t0 = performance.now();
    let chain: ChainCheckpoint;
    try {
      chain = this.chain!.checkpoint();
    } catch (e) {
      if (!(e instanceof Uncloneable)) throw e;
      // Seeks stay exact, from the session's start.
      this.checkpointStats.failed = e.message;
      this.checkpointEveryS = 0;
      this.checkpoints = [];
      return;
    }
    this.checkpointStats.ms += performance.now() - t0;
    this.checkpointStats.taken++;
    const cp: Checkpoint = { session: i.session, seq: i.seq, timeS: i.timeS, chain, latest: new Map(this.latest) };
    let k = this.checkpoints.length;
    while (k > 0 && this.checkpoints[k - 1]!.seq > cp.seq) k--;
    this.checkpoints.splice(k, 0, cp);
    if (this.checkpoints.length > this.maxCheckpoints) {
      const n = this.checkpoints.length;
      this.checkpoints = this.checkpoints.filter((_, j) => (n - 1 - j) % 2 === 0);
      this.checkpointEveryS *= 2;
      this.nextCheckpointS = i.timeS + this.checkpointEveryS;
    }
  }

  private feed(i: RecordedInput): void {
    if (i.session !== this.chainSession || !this.chain) {
      const s = this.reader.session(i.session);
      if (!s) return; // its session row was pruned: nothing to rebuild the chain from
      this.chain = (this.o.makeChain ?? ((c, k) => new Chain(c, k)))(s.config, this.sinks());
      this.chainSession = i.session;
      this.latest.clear();
      this.nextCheckpointS = i.timeS + this.checkpointEveryS;
      this.o.onChain?.(this.chain);
    } else if (this.checkpointEveryS > 0 && i.timeS >= this.nextCheckpointS) this.takeCheckpoint(i);
    this.fed++;
    this.fedUpToS = i.timeS;
    const c = this.chain;
    if (i.kind === 'block') {
      const b = i.block;
      const block: DataBlock = { bytes: b.bytes, offset: -1, source: b.source, receivedS: b.arrivalS };
      c.block(block);
    } else if (i.kind === 'tick') c.tick(i.timeS);
    else if (i.kind === 'policy-change') c.setReleases(i.partnerId, i.releases);
    else c.setPartnerStatus(i.partnerId, i.status);
  }

  private schedule(): void {
    if (this.paused || this.stopped) return;
    if (this.speed === 'max') {
      // Chunks of inputs per turn, so pause/seek/stop calls get in between.
      const deadline = performance.now() + 20;
      let n = 0;
      this.feedWhile(() => (++n % 256 !== 0 || performance.now() < deadline));
      this.anchorRecS = this.head?.timeS ?? this.anchorRecS;
      if (!this.next()) this.feedUntil(Infinity);
      else this.timer = setTimeout(() => this.schedule(), 0);
      return;
    }
    this.feedUntil(this.positionS);
    if (this.ended) return;
    // Wake at the next input's time, but at least every 100 ms of wall time (UI position updates).
    const nextRecS = this.next()?.timeS ?? this.positionS;
    const waitMs = Math.max(0, Math.min(100, ((nextRecS - this.positionS) / (this.speed as number)) * 1000));
    this.timer = setTimeout(() => this.schedule(), waitMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function checkSpeed(s: number | 'max'): number | 'max' {
  if (s === 'max') return s;
  if (!(s >= 1 && s <= MAX_SPEED)) throw new SkyError('SKY_USAGE', `replay speed must be 1 to ${MAX_SPEED} (times real time) or 'max', got ${s}`);
  return s;
}
