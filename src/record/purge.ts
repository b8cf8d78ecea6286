// Purging a withdrawn partner's raw data from a recording (coalition file
// `"withdrawal": "purge"`). Deletes the recorded data blocks of the given
// sensors — the partner's raw plots as they arrived — then rebuilds the
// file (VACUUM) and truncates the WAL, so no copy of them is left in the
// database file or the -wal file. Track frames, which other partners'
// pictures were made of, are kept: they are those partners' records, not
// the withdrawn partner's raw data. Safe while a Recorder appends to the
// same file (WAL, busy timeout): call Recorder.commit() first so nothing of
// those sensors is still buffered, and stop recording them.

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

/** Deletes every recorded block of these sensors. Errors: SKY_RECORD_OPEN, SKY_RECORD_SCHEMA, SKY_RECORD_PURGE. */
export function purgeSensorBlocks(fileOrDb: string | Db, sensorIds: readonly string[]): PurgeResult {
  const own = typeof fileOrDb === 'string';
  const db = own ? openRecording(fileOrDb) : fileOrDb;
  try {
    db.pragma('secure_delete = ON');
    const ids = JSON.stringify([...sensorIds]);
    const sources = `SELECT id FROM sources WHERE sensor_id IN (SELECT value FROM json_each(?))`;
    const run = db.transaction(() => {
      const before = db.prepare(`SELECT count(*) AS n, coalesce(sum(length(bytes)), 0) AS b FROM blocks WHERE source IN (${sources})`).get(ids) as { n: number; b: number };
      db.prepare(`DELETE FROM blocks WHERE source IN (${sources})`).run(ids);
      const left = db.prepare('SELECT count(*) AS n FROM blocks WHERE source IN (SELECT id FROM sources WHERE sensor_id IS NULL)').get() as { n: number };
      return { blocks: before.n, bytes: before.b, unattributed: left.n };
    });
    const r = run();
    // secure_delete zeroes the deleted cells, but B-tree page splits while
    // recording (a connection without secure_delete) leave stale copies of
    // cells in the unused gaps of live pages and in free pages. Only
    // rebuilding the file removes those: VACUUM writes every live row into
    // fresh pages. It holds the write lock meanwhile (a Recorder commit waits
    // up to its busy timeout); withdrawals are rare. Then the WAL's pages go
    // into the file and the WAL is emptied.
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return r;
  } catch (e) {
    if (e instanceof SkyError) throw e;
    throw new SkyError('SKY_RECORD_PURGE', `cannot purge sensors ${sensorIds.join(', ')}: ${(e as Error).message}`);
  } finally {
    if (own) db.close();
  }
}
