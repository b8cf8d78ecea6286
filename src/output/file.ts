// `skyfuse track --out-cat062 FILE`: the tracker's snapshots as CAT062 data
// blocks laid end to end (contract section 3 framing), each frame followed by
// a CAT065 end-of-batch block, so the file holds the same bytes a capture of
// the live feed's payloads would. Writes are synchronous and buffered: the
// batch tracker calls write() from its frame callback and close() at the end.

import { closeSync, openSync, writeSync } from 'node:fs';
import { SkyError } from '../core/errors.ts';
import type { TrackFrame } from '../core/types.ts';
import { encodeCat062Frame, encodeCat065Message, type Cat062Options } from './cat062.ts';
import { TrackNumbers } from './numbers.ts';

export interface Cat062FileOptions extends Cat062Options {
  /** Follow each frame with a CAT065 end-of-batch block; default true. */
  readonly endOfBatch?: boolean;
  /** Reuse delay of track numbers (see TrackNumbers); default 300 s. */
  readonly reuseDelayS?: number;
}

const FLUSH_BYTES = 1 << 16;

export class Cat062FileWriter {
  readonly stats = { frames: 0, blocks: 0, bytes: 0 };
  private fd: number | null;
  private readonly numbers: TrackNumbers;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  /** Creates (or truncates) the file. Throws SKY_FILE_UNWRITABLE when it cannot. */
  constructor(readonly path: string, private readonly opts: Cat062FileOptions) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new SkyError('SKY_FILE_UNWRITABLE', `cannot write the CAT062 file ${path}: ${(e as Error).message}; check the directory exists and is writable`, { file: path });
    }
    this.numbers = new TrackNumbers({ reuseDelayS: opts.reuseDelayS });
  }

  write(frame: TrackFrame): void {
    if (this.fd === null) throw new SkyError('SKY_USAGE', `the CAT062 file ${this.path} is closed; frames after close() are not written`);
    const blocks = encodeCat062Frame(frame, this.opts, this.numbers);
    if (this.opts.endOfBatch !== false) blocks.push(encodeCat065Message({ kind: 'end-of-batch', timeS: frame.timeS }, this.opts));
    for (const b of blocks) {
      this.pending.push(b);
      this.pendingBytes += b.length;
    }
    this.stats.frames++;
    this.stats.blocks += blocks.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  /** Writes buffered blocks to the file. */
  flush(): void {
    if (this.fd === null || this.pending.length === 0) return;
    const buf = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      throw new SkyError('SKY_FILE_UNWRITABLE', `writing the CAT062 file ${this.path} failed: ${(e as Error).message}`, { file: this.path });
    }
    this.stats.bytes += buf.length;
  }

  close(): void {
    if (this.fd === null) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
