// The recording's SQLite schema and how a file is opened. One file holds
// sessions (one per process start, with everything replay needs to rebuild
// the same pipeline) and, under one sequence number shared by blocks, ticks
// and events, every input in the order the pipeline saw it, plus the track
// frames it produced. PRAGMA user_version is the schema version; a newer
// file than this code knows is refused, an older one is migrated in place.

import Database from 'better-sqlite3';
import { SkyError } from '../core/errors.ts';

export type Db = Database.Database;
export type Statement = Database.Statement<unknown[], unknown>;

export const SCHEMA_VERSION = 1;

// seq: the recorder's own counter (not AUTOINCREMENT), shared by blocks,
// ticks and events, so a replay can merge them back into the exact order
// the live pipeline consumed them. Times are seconds since the epoch.
const V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  started_s REAL NOT NULL,
  first_seq INTEGER NOT NULL,
  config TEXT NOT NULL
);
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  sensor_id TEXT,
  UNIQUE (source, sensor_id)
);
CREATE TABLE blocks (
  seq INTEGER PRIMARY KEY,
  session INTEGER NOT NULL,
  arrival_s REAL NOT NULL,
  source INTEGER NOT NULL,
  bytes BLOB NOT NULL
);
CREATE INDEX blocks_arrival ON blocks (arrival_s);
CREATE TABLE ticks (
  seq INTEGER PRIMARY KEY,
  session INTEGER NOT NULL,
  time_s REAL NOT NULL
);
CREATE INDEX ticks_time ON ticks (time_s);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  session INTEGER NOT NULL,
  time_s REAL NOT NULL,
  kind TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX events_time ON events (time_s);
CREATE TABLE frames (
  id INTEGER PRIMARY KEY,
  session INTEGER NOT NULL,
  time_s REAL NOT NULL,
  audience TEXT,
  n_tracks INTEGER NOT NULL,
  tracks TEXT NOT NULL
);
CREATE INDEX frames_time ON frames (time_s);
`;

/** Migrations from version k to k+1, by k. Version 0 is an empty file. */
const MIGRATIONS: Readonly<Record<number, string>> = { 0: V1 };

export interface OpenOptions {
  readonly readonly?: boolean;
}

/**
 * Opens (creating if needed) a recording: WAL, synchronous=NORMAL (a commit
 * is in the WAL file when it returns, so it survives the process being
 * killed; only an OS crash or power cut may lose the last commits),
 * incremental auto-vacuum so retention can give pages back to the disk.
 */
export function openRecording(file: string, o: OpenOptions = {}): Db {
  let db: Db;
  try {
    db = new Database(file, { readonly: o.readonly === true, fileMustExist: o.readonly === true });
  } catch (e) {
    throw new SkyError('SKY_RECORD_OPEN', `cannot open recording ${file}: ${(e as Error).message}; check the path and its permissions`, { file });
  }
  try {
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new SkyError('SKY_RECORD_SCHEMA', `recording ${file} has schema version ${version}, this skyfuse reads up to ${SCHEMA_VERSION}; use a newer skyfuse`, { file });
    }
    if (o.readonly) {
      if (version < SCHEMA_VERSION) throw new SkyError('SKY_RECORD_SCHEMA', `recording ${file} has schema version ${version} (expected ${SCHEMA_VERSION}); open it once for writing to migrate it`, { file });
      return db;
    }
    if (version === 0) db.pragma('auto_vacuum = INCREMENTAL'); // only takes effect before the first table
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Keeps the -wal file from staying at its high-water mark after a burst.
    db.pragma('journal_size_limit = 67108864');
    for (let v = version; v < SCHEMA_VERSION; v++) {
      const sql = MIGRATIONS[v];
      if (sql === undefined) throw new SkyError('SKY_RECORD_SCHEMA', `no migration from schema version ${v}`, { file });
      db.transaction(() => {
        db.exec(sql);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
    db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('created_by', 'skyfuse')`).run();
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
