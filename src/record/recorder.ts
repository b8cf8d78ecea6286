// The recorder: callers hand it blocks, ticks, events and frames through
// cheap calls that only append to in-memory buffers; a timer (every
// `commitEveryMs`) or a full buffer commits them in one transaction. A
// process killed at any moment leaves a database holding every committed
// batch (WAL, synchronous=NORMAL); the next Recorder on the same file
// appends a new session. Retention deletes the oldest rows in small batches
// so no single commit stalls the pipeline. It never deletes a session's row
// (its config) nor its input events (membership, release policy: a few per
// session, human actions) while anything of that session is left, so what
// a partner saw stays provable for every frame kept; and the recorder keeps
// a count of the inputs it was handed per session (meta `inputs:<session>`)
// so a reader can check none of them went missing (a dropped batch).

import { trackToJson } from '../core/contract.ts';
import { SkyError } from '../core/errors.ts';
import type { PartnerStatus, TrackFrame } from '../core/types.ts';
import type { DataBlock } from '../ingest/index.ts';
import type { ChainConfig } from './chain.ts';
import { openRecording, type Db, type Statement } from './schema.ts';

/** Anything with a kind and a time: SkyEvents, registration jumps, membership changes. */
export interface RecordableEvent {
  readonly kind: string;
  readonly timeS: number;
}

/** A membership change as an input the replayer applies to the fusion. */
export interface PartnerStatusInput {
  readonly kind: 'partner-status';
  readonly timeS: number;
  readonly partnerId: string;
  readonly status: PartnerStatus;
}

/** Event kinds that are inputs of the chain (replay applies them), not just outputs. */
export const INPUT_EVENT_KINDS: ReadonlySet<string> = new Set(['partner-status', 'policy-change']);

/** INPUT_EVENT_KINDS as an SQL list: `kind IN (${INPUT_KINDS_SQL})`. */
export const INPUT_KINDS_SQL = [...INPUT_EVENT_KINDS].map((k) => `'${k.replace(/'/g, "''")}'`).join(',');

/** The meta key holding how many input events the recorder was handed in a session. */
export const inputCountKey = (session: number): string => `inputs:${session}`;

export interface RecorderOptions {
  readonly file: string;
  /** How the chain of this session is built (stored so replay can rebuild it). */
  readonly session: ChainConfig;
  /** Seconds since the epoch; used for arrival times a block does not carry, and for retention. */
  readonly clock?: () => number;
  /** Commit period; the crash-loss bound is this plus one commit's duration. Default 100 ms. */
  readonly commitEveryMs?: number;
  /** Buffered rows that trigger an early commit (on the next turn of the event loop). Default 20,000. */
  readonly commitRows?: number;
  /** Delete data older than this (by arrival / data time). */
  readonly maxAgeS?: number;
  /** Keep the data pages under this many bytes (the file ends slightly larger: WAL, free pages). */
  readonly maxBytes?: number;
  /** Rows per table deleted per pruning round; rounds run at most once a second. Default 2,000. */
  readonly pruneRows?: number;
  /** Write failures (disk full, ...): reported, the batch dropped, recording goes on. */
  readonly onError?: (e: SkyError) => void;
}

export interface RecorderStats {
  blocks: number;
  ticks: number;
  events: number;
  frames: number;
  trackLines: number;
  commits: number;
  /** Rows lost to failed commits. */
  dropped: number;
  pruned: number;
  /** Time spent in commits and pruning, ms. */
  commitMs: number;
  /** The longest single commit (with its pruning), ms: how long the event loop was held. */
  maxCommitMs: number;
}

export class Recorder {
  readonly session: number;
  readonly stats: RecorderStats = { blocks: 0, ticks: 0, events: 0, frames: 0, trackLines: 0, commits: 0, dropped: 0, pruned: 0, commitMs: 0, maxCommitMs: 0 };
  private readonly db: Db;
  private readonly clock: () => number;
  private readonly commitRows: number;
  private readonly pruneRows: number;
  private seq: number;
  private nextSourceId: number;
  private readonly sourceIds = new Map<string, number>();
  // Buffers: parallel arrays, so a record call allocates nothing but the copy of the bytes.
  private bSeq: number[] = [];
  private bTime: number[] = [];
  private bSource: number[] = [];
  private bBytes: Uint8Array[] = [];
  private tSeq: number[] = [];
  private tTime: number[] = [];
  private eSeq: number[] = [];
  private eEvent: RecordableEvent[] = [];
  private fFrames: TrackFrame[] = [];
  private newSources: [number, string, string | null][] = [];
  private pending = 0;
  private commitQueued = false;
  private readonly timer: NodeJS.Timeout;
  private lastPruneS = -Infinity;
  private closed = false;
  private reportedError = false;
  /** Input events handed to this session, and how many of them the file's count says. */
  private inputs = 0;
  private inputsWritten = 0;
  private readonly st: {
    block: Statement;
    tick: Statement;
    event: Statement;
    frame: Statement;
    source: Statement;
    inputs: Statement;
  };
  private readonly commitTx: () => void;

  constructor(private readonly o: RecorderOptions) {
    this.clock = o.clock ?? (() => Date.now() / 1000);
    this.commitRows = o.commitRows ?? 20000;
    this.pruneRows = o.pruneRows ?? 2000;
    const db = (this.db = openRecording(o.file));
    // Deleted cells and emptied page areas are zeroed where that costs no extra I/O, so that a purge
    // (purge.ts) need not rebuild the file to get rid of stale copies of a withdrawn partner's blocks.
    db.pragma('secure_delete = FAST');
    // Resume: the shared sequence continues after everything already in the file.
    const maxSeq = db.prepare(`SELECT max(
      coalesce((SELECT max(seq) FROM blocks), 0), coalesce((SELECT max(seq) FROM ticks), 0),
      coalesce((SELECT max(seq) FROM events), 0), coalesce((SELECT max(first_seq) FROM sessions), 0)) AS m`).get() as { m: number };
    this.seq = maxSeq.m + 1;
    for (const r of db.prepare('SELECT id, source, sensor_id FROM sources').all() as { id: number; source: string; sensor_id: string | null }[]) {
      this.sourceIds.set(sourceKey(r.source, r.sensor_id), r.id);
    }
    this.nextSourceId = ((db.prepare('SELECT coalesce(max(id), 0) AS m FROM sources').get() as { m: number }).m) + 1;
    this.session = db.transaction(() => {
      // A file every row of which is written with secure_delete: a purge may then skip the full VACUUM (purge.ts).
      const fresh = db.prepare('SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM blocks) AS n').get() as { n: number };
      if (fresh.n === 0) db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('secure_delete', 'fast')").run();
      const id = Number(db.prepare('INSERT INTO sessions (started_s, first_seq, config) VALUES (?, ?, ?)').run(this.clock(), this.seq, JSON.stringify(o.session)).lastInsertRowid);
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(inputCountKey(id), '0');
      return id;
    })();
    this.st = {
      block: db.prepare('INSERT INTO blocks (seq, session, arrival_s, source, bytes) VALUES (?, ?, ?, ?, ?)'),
      tick: db.prepare('INSERT INTO ticks (seq, session, time_s) VALUES (?, ?, ?)'),
      event: db.prepare('INSERT INTO events (seq, session, time_s, kind, json) VALUES (?, ?, ?, ?, ?)'),
      frame: db.prepare('INSERT INTO frames (session, time_s, audience, n_tracks, tracks) VALUES (?, ?, ?, ?, ?)'),
      source: db.prepare('INSERT INTO sources (id, source, sensor_id) VALUES (?, ?, ?)'),
      inputs: db.prepare('UPDATE meta SET value = ? WHERE key = ?'),
    };
    this.commitTx = db.transaction(() => this.writeBuffers());
    this.timer = setInterval(() => this.commit(), o.commitEveryMs ?? 100);
    this.timer.unref();
  }

  /** A received data block, in the order the pipeline consumes it. The bytes are copied. */
  recordBlock(block: DataBlock, sensorId: string | null = null): void {
    if (this.closed) return;
    const key = sourceKey(block.source, sensorId);
    let id = this.sourceIds.get(key);
    if (id === undefined) {
      id = this.nextSourceId++;
      this.sourceIds.set(key, id);
      this.newSources.push([id, block.source, sensorId]);
    }
    this.bSeq.push(this.seq++);
    this.bTime.push(block.receivedS ?? this.clock());
    this.bSource.push(id);
    this.bBytes.push(block.bytes.slice());
    this.added();
  }

  /** The live pump told the chain that time reached `nowS` (TrackingLoop.tick). */
  recordTick(nowS: number): void {
    if (this.closed) return;
    this.tSeq.push(this.seq++);
    this.tTime.push(nowS);
    this.added();
  }

  recordEvent(e: RecordableEvent): void {
    if (this.closed) return;
    this.eSeq.push(this.seq++);
    this.eEvent.push(e);
    if (INPUT_EVENT_KINDS.has(e.kind)) this.inputs++;
    this.added();
  }

  recordEvents(events: readonly RecordableEvent[]): void {
    for (const e of events) this.recordEvent(e);
  }

  /** A membership change applied to the fusion now (replay re-applies it at this point). */
  recordPartnerStatus(partnerId: string, status: PartnerStatus, timeS: number = this.clock()): void {
    const e: PartnerStatusInput = { kind: 'partner-status', timeS, partnerId, status };
    this.recordEvent(e);
  }

  /** A frame of system tracks; stored as one row (its tracks as a JSON array of contract lines). */
  recordFrame(frame: TrackFrame): void {
    if (this.closed) return;
    this.fFrames.push(frame);
    this.added(frame.tracks.length >> 4);
  }

  private added(weight = 0): void {
    this.pending += 1 + weight;
    if (this.pending >= this.commitRows && !this.commitQueued) {
      this.commitQueued = true;
      setImmediate(() => this.commit());
    }
    // A caller that never yields to the event loop must not grow memory without bound.
    if (this.pending >= 4 * this.commitRows) this.commit();
  }

  /** Writes everything buffered now, in one transaction; then prunes if due. */
  commit(): void {
    this.commitQueued = false;
    if (this.closed) return;
    const t0 = performance.now();
    // A count behind the inputs handed (a batch with one was dropped) is written even with nothing else to write.
    if (this.pending > 0 || this.inputs !== this.inputsWritten) {
      const inputs = this.inputs;
      try {
        this.commitTx();
        this.inputsWritten = inputs;
        this.stats.commits++;
      } catch (e) {
        this.stats.dropped += this.bSeq.length + this.tSeq.length + this.eSeq.length + this.fFrames.length;
        this.report(new SkyError('SKY_RECORD_WRITE', `recording to ${this.o.file} failed: ${(e as Error).message}; ${this.stats.dropped} rows lost so far; free disk space or lower maxBytes`, { file: this.o.file }));
        // Sources written in a failed transaction are not in the file: forget them all, re-read.
        this.sourceIds.clear();
        for (const r of this.db.prepare('SELECT id, source, sensor_id FROM sources').all() as { id: number; source: string; sensor_id: string | null }[]) {
          this.sourceIds.set(sourceKey(r.source, r.sensor_id), r.id);
        }
      }
      this.clearBuffers();
    }
    const nowS = this.clock();
    if ((this.o.maxAgeS !== undefined || this.o.maxBytes !== undefined) && nowS - this.lastPruneS >= 1) {
      this.lastPruneS = nowS;
      try {
        this.prune(nowS);
      } catch (e) {
        this.report(new SkyError('SKY_RECORD_WRITE', `pruning ${this.o.file} failed: ${(e as Error).message}`, { file: this.o.file }));
      }
    }
    const ms = performance.now() - t0;
    this.stats.commitMs += ms;
    if (ms > this.stats.maxCommitMs) this.stats.maxCommitMs = ms;
  }

  private writeBuffers(): void {
    const s = this.session;
    for (const [id, source, sensor] of this.newSources) this.st.source.run(id, source, sensor);
    // Counts every input handed, also those of batches dropped before: a reader finding fewer knows some are lost.
    if (this.inputs !== this.inputsWritten) this.st.inputs.run(String(this.inputs), inputCountKey(s));
    for (let i = 0; i < this.bSeq.length; i++) this.st.block.run(this.bSeq[i], s, this.bTime[i], this.bSource[i], this.bBytes[i]);
    for (let i = 0; i < this.tSeq.length; i++) this.st.tick.run(this.tSeq[i], s, this.tTime[i]);
    for (let i = 0; i < this.eSeq.length; i++) {
      const e = this.eEvent[i]!;
      this.st.event.run(this.eSeq[i], s, e.timeS, e.kind, JSON.stringify(e));
    }
    for (const f of this.fFrames) {
      this.st.frame.run(s, f.timeS, f.audience ?? null, f.tracks.length, JSON.stringify(f.tracks.map(trackToJson)));
    }
    this.stats.blocks += this.bSeq.length;
    this.stats.ticks += this.tSeq.length;
    this.stats.events += this.eSeq.length;
    this.stats.frames += this.fFrames.length;
    for (const f of this.fFrames) this.stats.trackLines += f.tracks.length;
  }

  private clearBuffers(): void {
    this.bSeq = []; this.bTime = []; this.bSource = []; this.bBytes = [];
    this.tSeq = []; this.tTime = [];
    this.eSeq = []; this.eEvent = [];
    this.fFrames = [];
    this.newSources = [];
    this.pending = 0;
  }

  /** One round of retention: at most `pruneRows` rows per table, in one transaction. */
  prune(nowS: number = this.clock()): number {
    const n = this.pruneRows;
    let deleted = 0;
    const cut = (t: number) => {
      deleted += this.db.prepare('DELETE FROM blocks WHERE seq IN (SELECT seq FROM blocks WHERE arrival_s < ? ORDER BY arrival_s LIMIT ?)').run(t, n).changes;
      deleted += this.db.prepare('DELETE FROM ticks WHERE seq IN (SELECT seq FROM ticks WHERE time_s < ? ORDER BY time_s LIMIT ?)').run(t, n).changes;
      // Input events stay while their session has anything left (below): history needs them to know who saw what.
      deleted += this.db.prepare(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time_s < ? AND kind NOT IN (${INPUT_KINDS_SQL}) ORDER BY time_s LIMIT ?)`).run(t, n).changes;
      deleted += this.db.prepare('DELETE FROM frames WHERE id IN (SELECT id FROM frames WHERE time_s < ? ORDER BY time_s LIMIT ?)').run(t, n).changes;
    };
    this.db.transaction(() => {
      if (this.o.maxAgeS !== undefined) cut(nowS - this.o.maxAgeS);
      if (this.o.maxBytes !== undefined && this.usedBytes() > this.o.maxBytes) {
        // The time of the n-th oldest block (or frame, if no blocks are left) bounds this round.
        const row = (this.db.prepare('SELECT arrival_s AS t FROM blocks ORDER BY arrival_s LIMIT 1 OFFSET ?').get(n - 1)
          ?? this.db.prepare('SELECT max(arrival_s) AS t FROM blocks').get()) as { t: number | null } | undefined;
        let t = row?.t ?? null;
        if (t === null) t = (this.db.prepare('SELECT time_s AS t FROM frames ORDER BY time_s LIMIT 1 OFFSET ?').get(Math.min(n, 200) - 1) as { t: number } | undefined)?.t ?? null;
        if (t !== null) cut(t + 1e-6) // just past t: ~4 ulp at epoch seconds;
      }
      // Sessions older than the oldest one still holding data are dropped, with their inputs and input count.
      const oldest = (this.db.prepare(`SELECT min(s) AS s FROM (
        SELECT (SELECT session FROM blocks ORDER BY seq LIMIT 1) AS s UNION ALL SELECT (SELECT session FROM ticks ORDER BY seq LIMIT 1)
        UNION ALL SELECT (SELECT session FROM events WHERE kind NOT IN (${INPUT_KINDS_SQL}) ORDER BY seq LIMIT 1)
        UNION ALL SELECT (SELECT session FROM frames ORDER BY id LIMIT 1))`).get() as { s: number | null }).s;
      const keep = Math.min(oldest ?? this.session, this.session);
      const gone = this.db.prepare('SELECT id FROM sessions WHERE id < ?').all(keep) as { id: number }[];
      if (gone.length > 0) {
        // By seq (the primary key), not by session (no index): the kept session's first seq bounds the older ones.
        deleted += this.db.prepare(`DELETE FROM events WHERE seq < (SELECT first_seq FROM sessions WHERE id = ?) AND kind IN (${INPUT_KINDS_SQL})`).run(keep).changes;
        const dropKey = this.db.prepare('DELETE FROM meta WHERE key = ?');
        for (const g of gone) dropKey.run(inputCountKey(g.id));
        this.db.prepare('DELETE FROM sessions WHERE id < ?').run(keep);
      }
    })();
    // Give free pages back to the disk only when the file itself is over the limit.
    if (this.o.maxBytes !== undefined && this.fileBytes() > this.o.maxBytes * 1.1) this.db.pragma('incremental_vacuum(2000)');
    this.stats.pruned += deleted;
    return deleted;
  }

  /** Bytes in pages holding data (the file minus its free pages). */
  usedBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * (this.db.pragma('page_size', { simple: true }) as number);
  }

  fileBytes(): number {
    return (this.db.pragma('page_count', { simple: true }) as number) * (this.db.pragma('page_size', { simple: true }) as number);
  }

  /** Commit what is buffered, checkpoint, and close the file. */
  close(): void {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    clearInterval(this.timer);
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A reader holding the WAL open only delays the checkpoint to the next open.
    }
    this.db.close();
  }

  private report(e: SkyError): void {
    if (!this.reportedError) {
      this.reportedError = true;
      (this.o.onError ?? ((x: SkyError) => console.error(x.toLine())))(e);
    }
  }
}

function sourceKey(source: string, sensorId: string | null): string {
  return sensorId === null ? source : `${source}\u0000${sensorId}`;
}
