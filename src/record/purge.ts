// Purging a withdrawn partner's raw data from a recording (coalition file
// `"withdrawal": "purge"`). Deletes the recorded data blocks of the given
// sensors — the partner's raw plots as they arrived — so that no copy of
// them is left in the database file or the -wal file. Track frames, which
// other partners' pictures were made of, are kept: they are those
// partners' records, not the withdrawn partner's raw data; so are the
// recorded alerts (events of kind 'alert', src/alert/journal.ts), derived
// per audience like the frames and kept with them. Safe while a
// Recorder appends to the same file (WAL, busy timeout): call
// Recorder.commit() first so nothing of those sensors is still buffered,
// and stop recording them.
//
// It never holds the write lock for long, so the recorder is not stalled:
// the blocks go in small transactions with secure_delete on (their cells,
// and pages freed, are overwritten with zeros), then the free pages are
// given back to the disk by `incremental_vacuum` in small steps (the file
// is auto_vacuum=INCREMENTAL), and the WAL, which held copies of those
// pages, is checkpointed and truncated. A full VACUUM held the write lock
// for the whole rebuild: with 100k blocks longer than the recorder's 5 s
// busy timeout, which then dropped a batch. purgeSensorBlocksAsync yields
// to the event loop between steps, for a recorder in the same process.

import { SkyError } from '../core/errors.ts';
import { openRecording, type Db } from './schema.ts';

export interface PurgeResult {
  /** Data blocks deleted. */
  readonly blocks: number;
  /** Bytes of block data deleted. */
  readonly bytes: number;
  /** Blocks left that name no sensor (recorded from a file or an unknown source): not attributable, not deleted. */
  readonly unattributed: number;
}

export interface PurgeOptions {
  /** Blocks deleted per transaction. Default 500 (a few ms of write lock). */
  readonly stepRows?: number;
  /** Pages given back per incremental_vacuum step. Default 200. */
  readonly vacuumPages?: number;
}

/** Deletes every recorded block of these sensors. Errors: SKY_RECORD_OPEN, SKY_RECORD_SCHEMA, SKY_RECORD_PURGE. */
export function purgeSensorBlocks(fileOrDb: string | Db, sensorIds: readonly string[], o: PurgeOptions = {}): PurgeResult {
  return withDb(fileOrDb, sensorIds, (db) => {
    const steps = purgeSteps(db, sensorIds, o);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  });
}

/** As purgeSensorBlocks, letting the event loop run (a recorder's commits) between its short transactions. */
export async function purgeSensorBlocksAsync(fileOrDb: string | Db, sensorIds: readonly string[], o: PurgeOptions = {}): Promise<PurgeResult> {
  const own = typeof fileOrDb === 'string';
  const db = own ? openRecording(fileOrDb) : fileOrDb;
  try {
    const steps = purgeSteps(db, sensorIds, o);
    for (;;) {
      let r: IteratorResult<void, PurgeResult>;
      try {
        r = steps.next();
      } catch (e) {
        throw asPurgeError(e, sensorIds);
      }
      if (r.done) return r.value;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    if (own) db.close();
  }
}

function withDb<T>(fileOrDb: string | Db, sensorIds: readonly string[], fn: (db: Db) => T): T {
  const own = typeof fileOrDb === 'string';
  const db = own ? openRecording(fileOrDb) : fileOrDb;
  try {
    return fn(db);
  } catch (e) {
    throw asPurgeError(e, sensorIds);
  } finally {
    if (own) db.close();
  }
}

function asPurgeError(e: unknown, sensorIds: readonly string[]): SkyError {
  if (e instanceof SkyError) return e;
  return new SkyError('SKY_RECORD_PURGE', `cannot purge sensors ${sensorIds.join(', ')}: ${(e as Error).message}`);
}

/** The purge as a sequence of short transactions; it yields between them. */
function* purgeSteps(db: Db, sensorIds: readonly string[], o: PurgeOptions): Generator<void, PurgeResult> {
  const stepRows = o.stepRows ?? 500;
  const vacuumPages = o.vacuumPages ?? 200;
  // Zeroes deleted cells and freed pages of this connection's deletes.
  db.pragma('secure_delete = ON');
  const sources = (db.prepare('SELECT id FROM sources WHERE sensor_id IN (SELECT value FROM json_each(?))').all(JSON.stringify([...sensorIds])) as { id: number }[]).map((r) => r.id);
  let blocks = 0;
  let bytes = 0;
  if (sources.length > 0) {
    const ids = JSON.stringify(sources);
    // First every purged block is overwritten with zeros in place (same size: SQLite rewrites the cell and its
    // overflow pages where they are). Deleting straight away would let the B-tree rebalance after each delete
    // and move not-yet-deleted cells between pages, leaving their bytes in the unused gaps of the pages they
    // left, where no later delete or incremental vacuum reaches them (a full VACUUM did).
    const zero = db.prepare(`UPDATE blocks SET bytes = zeroblob(length(bytes)) WHERE seq IN (SELECT seq FROM blocks WHERE seq > ? AND source IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?)
      RETURNING seq`);
    const zeroTx = db.transaction((after: number) => zero.all(after, ids, stepRows) as { seq: number }[]);
    for (let after = -1; ;) {
      const rows = zeroTx(after);
      if (rows.length === 0) break;
      for (const r of rows) if (r.seq > after) after = r.seq;
      yield* checkpoint(db);
    }
    // A cursor on seq: each step goes on where the last one stopped instead of rescanning the table.
    const step = db.prepare(`DELETE FROM blocks WHERE seq IN (SELECT seq FROM blocks WHERE seq > ? AND source IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?)
      RETURNING seq, length(bytes) AS n`);
    const tx = db.transaction((after: number) => step.all(after, ids, stepRows) as { seq: number; n: number }[]);
    let after = -1;
    for (;;) {
      const rows = tx(after);
      if (rows.length === 0) break;
      for (const r of rows) {
        bytes += r.n;
        if (r.seq > after) after = r.seq;
      }
      blocks += rows.length;
      yield* checkpoint(db);
    }
  }
  const unattributed = (db.prepare('SELECT count(*) AS n FROM blocks WHERE source IN (SELECT id FROM sources WHERE sensor_id IS NULL)').get() as { n: number }).n;
  // Only a file whose every session was recorded with secure_delete (this skyfuse: the flag set at creation and
  // each session's input count, which older recorders do not write) has no stale copies in its live pages.
  const zeroed = (db.prepare(`SELECT (SELECT value FROM meta WHERE key = 'secure_delete') = 'fast'
    AND NOT EXISTS (SELECT 1 FROM sessions WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'inputs:' || sessions.id)) AS ok`).get() as { ok: number | null }).ok === 1;
  if (zeroed && (db.pragma('auto_vacuum', { simple: true }) as number) === 2) {
    // Every free page leaves the file: those freed now (zeroed) and older ones the recorder's retention freed (not zeroed).
    for (let guard = 0; (db.pragma('freelist_count', { simple: true }) as number) > 0 && guard < 1e6; guard++) {
      db.pragma(`incremental_vacuum(${vacuumPages})`);
      yield* checkpoint(db);
    }
  } else {
    // A file recorded by an older skyfuse may hold stale copies of cells in the unused parts of live pages,
    // and one without incremental auto-vacuum cannot give its free pages back in steps: rebuild it (holds the lock).
    db.exec('VACUUM');
  }
  // The WAL holds copies of the pages as they were: into the file, then emptied. A passive checkpoint first
  // copies the bulk without blocking the recorder; the TRUNCATE one then has little left to copy under its lock.
  db.pragma('wal_checkpoint(PASSIVE)');
  yield;
  for (let k = 0; k < 50; k++) {
    const r = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    if (r[0] === undefined || r[0].busy === 0) break;
    yield;
  }
  return { blocks, bytes, unattributed };
}

/**
 * After each step the purge copies the WAL into the file itself (PASSIVE: it
 * never waits for, nor blocks, the recorder). Otherwise the WAL would fill
 * with the purge's pages and the recorder's next commit would run the
 * automatic checkpoint of all of them, holding its event loop.
 */
function* checkpoint(db: Db): Generator<void, void> {
  db.pragma('wal_checkpoint(PASSIVE)');
  yield;
}
