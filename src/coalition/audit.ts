// The audit log: who logged in (or failed to), who changed a release policy
// or a partner's membership, who exported data. Append-only and hash-chained,
// so any later change, deletion or reordering of an entry is detectable by
// `skyfuse audit --verify`; with an anchor (a (seq, hash) pair kept elsewhere)
// so is cutting entries off the end or rewriting the whole chain.
//
// File: JSON lines, one entry a line, UTF-8, '\n'-terminated:
//   {"seq":1,"t":1763900000.5,"kind":"login","actor":{"user":"ana","partner":"EGY"},
//    "details":{...},"prev":"000…0","hash":"9f…"}
// hash = hex SHA-256 of the UTF-8 bytes of  prev + canonical(entry without hash),
// canonical = JSON with object keys sorted by UTF-16 code units at every depth,
// no whitespace, strings and numbers as JSON.stringify writes them (the RFC 8785
// "JCS" rules for the values this log admits: finite numbers, no undefined).
// The first entry has seq 1 and prev = 64 zeros. A line must be byte for byte
// the form this module writes (fixed top-level key order, nested keys sorted),
// so a changed byte can never hide behind an equivalent spelling.
//
// Durability: an append is acknowledged (its promise resolves) only after its
// line is written and fdatasync'd. Appends that arrive while a sync is running
// are written and synced together (group commit): ~1.5 ms per lone entry on
// this machine's ext4, ~0.03 ms per entry in bursts of 100, and the event loop
// never waits on the disk. A crash can leave a partial last line; opening the
// log moves it to a side file, truncates it away and records that in the chain
// (kind "audit-recovered"), so nothing disappears unrecorded.
//
// One process writes a log at a time (the server); nothing here is global.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';
import { SkyError } from '../core/errors.ts';

export const AUDIT_GENESIS = '0'.repeat(64);
/** Longest line accepted (bytes, with its newline): keeps the tail search bounded and a runaway details object out. */
export const AUDIT_MAX_LINE_BYTES = 64 * 1024;

/** What happened. Verification accepts any lower-case kind, so later versions may add kinds. */
export type AuditKind =
  | 'login'
  | 'login-failed'
  | 'logout'
  | 'token-issued'
  | 'token-revoked'
  | 'policy-change'
  | 'membership-change'
  | 'data-purge'
  | 'export'
  | 'replay-control'
  | 'audit-recovered';

/** Who did it; null for the system itself (a scenario event, a recovery). */
export interface AuditActor {
  readonly user: string;
  readonly partner: string;
}

export type AuditJson = null | boolean | number | string | readonly AuditJson[] | { readonly [k: string]: AuditJson };
export type AuditDetails = { readonly [k: string]: AuditJson };

export interface AuditEntry {
  readonly seq: number;
  /** Seconds since the epoch (UTC). */
  readonly t: number;
  readonly kind: string;
  readonly actor: AuditActor | null;
  readonly details: AuditDetails;
  readonly prev: string;
  readonly hash: string;
}

/** What the server (or any stage) needs: AuditLog implements it, tests may fake it. */
export interface AuditSink {
  /** Resolves once the entry is on disk (fdatasync'd); rejects with SKY_AUDIT_* if it cannot be. */
  append(kind: AuditKind, actor: AuditActor | null, details: AuditDetails): Promise<AuditEntry>;
}

const KIND_RE = /^[a-z][a-z0-9-]{0,63}$/;
const HASH_RE = /^[0-9a-f]{64}$/;
/** Keys that must never reach an audit log: it is read by more people than the secrets' owners. */
const SECRET_KEY_RE = /^(password|passwd|secret|token|bearer)$/i;

// ---------------------------------------------------------------- canonical form

/** Canonical JSON (sorted keys, no whitespace). Throws a message for values JSON cannot carry exactly. */
export function canonicalJson(v: unknown, path = '$'): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`${path} is ${v}, not a finite number`);
      return JSON.stringify(v);
    case 'string':
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x, i) => canonicalJson(x, `${path}[${i}]`)).join(',')}]`;
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new Error(`${path} is a ${proto?.constructor?.name ?? 'non-plain object'}, not plain JSON`);
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new Error(`${path} is ${typeof v}, not JSON`);
  }
}

function hashOf(e: Omit<AuditEntry, 'hash'>): string {
  const body = canonicalJson({ seq: e.seq, t: e.t, kind: e.kind, actor: e.actor, details: e.details, prev: e.prev });
  return createHash('sha256').update(e.prev + body, 'utf8').digest('hex');
}

/** The line as written: top-level keys in reading order, nested values canonical. No newline. */
function lineOf(e: AuditEntry): string {
  return (
    `{"seq":${e.seq},"t":${JSON.stringify(e.t)},"kind":${JSON.stringify(e.kind)},"actor":${canonicalJson(e.actor)},` +
    `"details":${canonicalJson(e.details)},"prev":"${e.prev}","hash":"${e.hash}"}`
  );
}

function findSecret(v: unknown, path: string): string | null {
  if (v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v)) {
    if (SECRET_KEY_RE.test(k)) return `${path}.${k}`;
    const inner = findSecret(x, `${path}.${k}`);
    if (inner) return inner;
  }
  return null;
}

/**
 * Parse one line (without its newline) and check it on its own: shape,
 * canonical bytes, hash. Returns the entry or why it is bad.
 */
function checkLine(bytes: Buffer): AuditEntry | string {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'the line is not JSON';
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'the line is not a JSON object';
  const o = v as Record<string, unknown>;
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 1) return 'seq is not a positive integer';
  if (typeof o.t !== 'number' || !Number.isFinite(o.t)) return 't is not a number';
  if (typeof o.kind !== 'string' || !KIND_RE.test(o.kind)) return 'kind is not a lower-case name';
  const a = o.actor;
  if (a !== null) {
    if (typeof a !== 'object' || Array.isArray(a)) return 'actor is neither null nor {user, partner}';
    const ao = a as Record<string, unknown>;
    if (typeof ao.user !== 'string' || typeof ao.partner !== 'string' || Object.keys(ao).length !== 2) return 'actor is neither null nor {user, partner}';
  }
  if (o.details === null || typeof o.details !== 'object' || Array.isArray(o.details)) return 'details is not an object';
  if (typeof o.prev !== 'string' || !HASH_RE.test(o.prev)) return 'prev is not 64 hex digits';
  if (typeof o.hash !== 'string' || !HASH_RE.test(o.hash)) return 'hash is not 64 hex digits';
  if (Object.keys(o).length !== 7) return 'the entry has fields other than seq, t, kind, actor, details, prev, hash';
  const e = o as unknown as AuditEntry;
  let line: string;
  try {
    line = lineOf(e);
  } catch (err) {
    return `not canonical JSON (${(err as Error).message})`;
  }
  if (!Buffer.from(line, 'utf8').equals(bytes)) return 'the line is not in the canonical form this log writes (bytes changed)';
  if (hashOf(e) !== e.hash) return "the hash does not match the entry's content";
  return e;
}

// ---------------------------------------------------------------- verification

export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
}

export interface AuditVerifyResult {
  /** True when every line verifies, the file ends with a complete line and every anchor holds. */
  readonly ok: boolean;
  /** Entries that verify, from seq 1 up to the first bad one. */
  readonly entries: number;
  /** The seq the first bad line should have had (or the anchor's seq); null when ok. */
  readonly firstBadSeq: number | null;
  readonly reason: string | null;
  /** Byte offset and 1-based line of the first bad line, when there is one in the file. */
  readonly badOffset: number | null;
  readonly badLine: number | null;
  /** The last good entry: what to note down as an anchor. */
  readonly head: AuditAnchor;
  readonly firstT: number | null;
  readonly lastT: number | null;
  readonly kinds: Readonly<Record<string, number>>;
}

/**
 * Read the whole log (streaming, 1 MiB at a time) and check the chain:
 * each line canonical, its hash right, seq = previous + 1, prev = previous
 * hash. A missing file throws SKY_FILE_NOT_FOUND; everything else is a result.
 */
export function verifyAuditLog(path: string, opts: { anchors?: readonly AuditAnchor[] } = {}): AuditVerifyResult {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SkyError('SKY_FILE_NOT_FOUND', `${path} does not exist; check the path`, { file: path });
    throw new SkyError('SKY_FILE_UNREADABLE', `${path} cannot be read (${code ?? String(err)})`, { file: path });
  }
  const kinds: Record<string, number> = {};
  let entries = 0;
  let head: AuditAnchor = { seq: 0, hash: AUDIT_GENESIS };
  let firstT: number | null = null;
  let lastT: number | null = null;
  const anchors = new Map<number, string>();
  for (const a of opts.anchors ?? []) anchors.set(a.seq, a.hash.toLowerCase());
  const result = (bad: { seq: number; reason: string; offset: number | null; line: number | null } | null): AuditVerifyResult => ({
    ok: bad === null,
    entries,
    firstBadSeq: bad?.seq ?? null,
    reason: bad?.reason ?? null,
    badOffset: bad?.offset ?? null,
    badLine: bad?.line ?? null,
    head,
    firstT,
    lastT,
    kinds,
  });
  try {
    const buf = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    let fileOffset = 0; // offset of carry[0]
    let lineNo = 0;
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        throw new SkyError('SKY_FILE_UNREADABLE', `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file: path });
      }
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(0x0a, start);
        if (nl < 0) break;
        lineNo++;
        const seq = head.seq + 1;
        const at = fileOffset + start;
        const e = checkLine(data.subarray(start, nl));
        if (typeof e === 'string') return result({ seq, reason: e, offset: at, line: lineNo });
        if (e.seq !== seq) return result({ seq, reason: `seq is ${e.seq}, expected ${seq} (an entry was deleted, inserted or moved)`, offset: at, line: lineNo });
        if (e.prev !== head.hash) return result({ seq, reason: `prev does not match the hash of entry ${head.seq}`, offset: at, line: lineNo });
        const want = anchors.get(seq);
        if (want !== undefined && want !== e.hash) {
          return result({ seq, reason: `entry ${seq} has hash ${e.hash}, the anchor says ${want} (the chain was rewritten)`, offset: at, line: lineNo });
        }
        entries++;
        head = { seq, hash: e.hash };
        kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
        firstT ??= e.t;
        lastT = e.t;
        start = nl + 1;
      }
      // Copy: buf is reused by the next read.
      carry = Buffer.from(data.subarray(start));
      fileOffset += start;
      if (n === 0) break;
      if (carry.length > AUDIT_MAX_LINE_BYTES) break;
    }
    if (carry.length > 0) {
      return result({
        seq: head.seq + 1,
        reason:
          carry.length > AUDIT_MAX_LINE_BYTES
            ? `line ${lineNo + 1} is longer than ${AUDIT_MAX_LINE_BYTES} bytes, which this log never writes`
            : `the last line is cut short (${carry.length} bytes, no newline): an append interrupted by a crash, or the file was truncated`,
        offset: fileOffset,
        line: lineNo + 1,
      });
    }
    const missing = [...anchors.keys()].filter((s) => s > head.seq).sort((a, b) => a - b)[0];
    if (missing !== undefined) {
      return result({ seq: head.seq + 1, reason: `the log ends at entry ${head.seq} but the anchor names entry ${missing}: entries were cut off the end`, offset: null, line: null });
    }
    return result(null);
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------- the writer

function write(fd: number, buf: Buffer, off: number, len: number): Promise<number> {
  return new Promise((resolve, reject) => fs.write(fd, buf, off, len, null, (err, n) => (err ? reject(err) : resolve(n))));
}
const fdatasync = promisify(fs.fdatasync);

export interface AuditOpenOptions {
  /** Seconds since the epoch; injected for deterministic tests. */
  readonly now?: () => number;
  /** Told once about anything found on open (a recovered partial line). */
  readonly log?: (line: string) => void;
}

interface Pending {
  readonly bytes: Buffer;
  readonly entry: AuditEntry;
  readonly resolve: (e: AuditEntry) => void;
  readonly reject: (e: unknown) => void;
}

function fsyncDir(path: string): void {
  // Makes a new file's directory entry durable. Some platforms refuse to open a directory; then there is nothing to do.
  let fd: number | null = null;
  try {
    fd = fs.openSync(dirname(path), 'r');
    fs.fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

function ioError(path: string, what: string, err: unknown): SkyError {
  return new SkyError('SKY_AUDIT_WRITE', `audit log ${path}: ${what} failed (${(err as NodeJS.ErrnoException).code ?? String(err)}); the log is closed, restart once the disk is fixed`, { file: path });
}

export class AuditLog implements AuditSink {
  private seq: number;
  private hash: string;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private failure: SkyError | null = null;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    head: AuditAnchor,
    private readonly now: () => number,
  ) {
    this.seq = head.seq;
    this.hash = head.hash;
  }

  /**
   * Open (or create, mode 0600) the log at `path` and continue its chain.
   * The last complete line must verify on its own (canonical, hash right;
   * if it is the only one, seq 1 and prev 64 zeros), else SKY_AUDIT_BROKEN:
   * nothing is appended to a chain whose end cannot be trusted. A partial
   * last line (crash mid-append) is copied to `PATH.torn-SEQ`, cut from the
   * log, and an "audit-recovered" entry records its size and SHA-256.
   * Run `verifyAuditLog` for the whole chain; this checks only the tail.
   */
  static async open(path: string, opts: AuditOpenOptions = {}): Promise<AuditLog> {
    const now = opts.now ?? (() => Date.now() / 1000);
    let fd: number;
    let created = false;
    try {
      created = !fs.existsSync(path);
      fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    } catch (err) {
      throw new SkyError('SKY_FILE_UNWRITABLE', `audit log ${path} cannot be opened for writing (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file: path });
    }
    try {
      if (created) fsyncDir(path);
      const { head, torn } = readTail(path, fd);
      const log = new AuditLog(path, fd, head, now);
      if (torn) {
        const saved = saveTorn(path, torn.bytes, head.seq + 1);
        try {
          fs.ftruncateSync(fd, torn.offset);
          fs.fsyncSync(fd);
        } catch (err) {
          throw ioError(path, 'cutting the partial last line', err);
        }
        const sha = createHash('sha256').update(torn.bytes).digest('hex');
        opts.log?.(`audit: ${path} ended with a partial line (${torn.bytes.length} bytes at byte ${torn.offset}, after entry ${head.seq}); moved to ${saved}`);
        await log.append('audit-recovered', null, { tornBytes: torn.bytes.length, tornOffset: torn.offset, tornSha256: sha, savedAs: basename(saved) });
      }
      return log;
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** The last entry appended (acknowledged or not): note it down elsewhere as an anchor. */
  head(): AuditAnchor {
    return { seq: this.seq, hash: this.hash };
  }

  /**
   * Append one entry. The seq, time and hash are fixed now, in call order;
   * the promise resolves once the line is durable. Rejects with
   * SKY_AUDIT_INVALID for details that are not plain JSON, carry a secret
   * (a key named password, token, secret…) or make a line over 64 KiB;
   * SKY_AUDIT_WRITE after a disk failure; SKY_AUDIT_CLOSED after close().
   */
  append(kind: AuditKind, actor: AuditActor | null, details: AuditDetails): Promise<AuditEntry> {
    if (this.closed) return Promise.reject(new SkyError('SKY_AUDIT_CLOSED', `audit log ${this.path} is closed`, { file: this.path }));
    if (this.failure) return Promise.reject(this.failure);
    const invalid = (why: string) => Promise.reject(new SkyError('SKY_AUDIT_INVALID', `audit entry "${kind}" refused: ${why}`, { file: this.path }));
    if (!KIND_RE.test(kind)) return invalid('kind must be a lower-case name');
    if (actor !== null && (typeof actor.user !== 'string' || typeof actor.partner !== 'string')) return invalid('actor must be {user, partner} or null');
    if (details === null || typeof details !== 'object' || Array.isArray(details)) return invalid('details must be an object');
    const secret = findSecret(details, 'details');
    if (secret) return invalid(`${secret} looks like a secret; audit entries never carry secrets`);
    const t = this.now();
    const base = { seq: this.seq + 1, t, kind, actor: actor === null ? null : { user: actor.user, partner: actor.partner }, details, prev: this.hash };
    let entry: AuditEntry;
    let line: string;
    try {
      entry = { ...base, hash: hashOf(base) };
      line = lineOf(entry);
    } catch (err) {
      return invalid((err as Error).message);
    }
    const bytes = Buffer.from(line + '\n', 'utf8');
    if (bytes.length > AUDIT_MAX_LINE_BYTES) return invalid(`the line would be ${bytes.length} bytes, over ${AUDIT_MAX_LINE_BYTES}`);
    this.seq = entry.seq;
    this.hash = entry.hash;
    return new Promise<AuditEntry>((resolve, reject) => {
      this.queue.push({ bytes, entry, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Waits for every pending append, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    fs.closeSync(this.fd);
  }

  /** Group commit: everything queued so far goes out in one write and one fdatasync. */
  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        if (this.failure) {
          for (const p of batch) p.reject(this.failure);
          continue;
        }
        const all = batch.length === 1 ? batch[0]!.bytes : Buffer.concat(batch.map((p) => p.bytes));
        try {
          let off = 0;
          while (off < all.length) off += await write(this.fd, all, off, all.length - off);
        } catch (err) {
          this.failure = ioError(this.path, 'write', err);
        }
        if (!this.failure) {
          try {
            await fdatasync(this.fd);
          } catch (err) {
            this.failure = ioError(this.path, 'fdatasync', err);
          }
        }
        for (const p of batch) {
          if (this.failure) p.reject(this.failure);
          else p.resolve(p.entry);
        }
      }
    } finally {
      this.flushing = null;
    }
  }
}

/** The last complete entry, and a partial line after it if there is one. */
function readTail(path: string, fd: number): { head: AuditAnchor; torn: { offset: number; bytes: Buffer } | null } {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return { head: { seq: 0, hash: AUDIT_GENESIS }, torn: null };
  // A partial line is at most one line; the complete line before it at most another.
  const window = Math.min(size, 2 * AUDIT_MAX_LINE_BYTES + 2);
  const buf = Buffer.alloc(window);
  fs.readSync(fd, buf, 0, window, size - window);
  const base = size - window;
  const broken = (why: string) =>
    new SkyError('SKY_AUDIT_BROKEN', `audit log ${path}: ${why}; refusing to append (run skyfuse audit --verify ${path})`, { file: path });
  let end = buf.length;
  let torn: { offset: number; bytes: Buffer } | null = null;
  if (buf[end - 1] !== 0x0a) {
    const nl = buf.lastIndexOf(0x0a);
    const from = nl + 1;
    if (buf.length - from >= AUDIT_MAX_LINE_BYTES || (nl < 0 && base > 0)) throw broken(`its last ${buf.length - from} bytes have no newline, more than one entry can hold`);
    torn = { offset: base + from, bytes: Buffer.from(buf.subarray(from)) };
    end = from;
    if (end === 0) return { head: { seq: 0, hash: AUDIT_GENESIS }, torn };
  }
  // (Buffer.lastIndexOf counts a negative start from the end, hence the guard.)
  const prevNl = end >= 2 ? buf.lastIndexOf(0x0a, end - 2) : -1;
  if (prevNl < 0 && base > 0) throw broken('its last line is longer than any entry');
  const e = checkLine(buf.subarray(prevNl + 1, end - 1));
  if (typeof e === 'string') throw broken(`its last entry (byte ${base + prevNl + 1}) is bad: ${e}`);
  if (prevNl < 0 && base === 0 && (e.seq !== 1 || e.prev !== AUDIT_GENESIS)) throw broken('its only entry is not entry 1 with prev 64 zeros');
  return { head: { seq: e.seq, hash: e.hash }, torn };
}

/** Copy a partial line aside (durably) before it is cut from the log; returns the path used. */
function saveTorn(path: string, bytes: Buffer, seq: number): string {
  for (let i = 0; ; i++) {
    const p = `${path}.torn-${seq}${i ? `-${i}` : ''}`;
    let existing: Buffer | null = null;
    try {
      existing = fs.readFileSync(p);
    } catch {
      /* free name */
    }
    // A crash between saving and cutting leaves the same bytes saved already.
    if (existing && existing.equals(bytes)) return p;
    if (existing) continue;
    try {
      const fd = fs.openSync(p, 'wx', 0o600);
      try {
        fs.writeSync(fd, bytes);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fsyncDir(p);
      return p;
    } catch (err) {
      throw ioError(path, `saving the partial last line to ${p}`, err);
    }
  }
}

/** One line per entry kind count, for summaries. */
export function formatAuditSummary(path: string, r: AuditVerifyResult, anchorsGiven: number): string {
  const out: string[] = [];
  out.push(`audit log ${path}: ${r.entries} ${r.entries === 1 ? 'entry verifies' : 'entries verify'}${r.entries ? ` (seq 1..${r.head.seq})` : ''}`);
  if (r.firstT !== null && r.lastT !== null) {
    const span = r.lastT - r.firstT;
    const h = Math.floor(span / 3600);
    const m = Math.floor((span % 3600) / 60);
    const s = Math.round(span % 60);
    out.push(`  from ${new Date(r.firstT * 1000).toISOString()} to ${new Date(r.lastT * 1000).toISOString()} (${h} h ${m} min ${s} s)`);
  }
  const kinds = Object.entries(r.kinds).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (kinds.length) out.push(`  ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (r.entries) out.push(`  head: entry ${r.head.seq} hash ${r.head.hash}`);
  if (r.ok) {
    out.push(
      `OK: the chain is intact${anchorsGiven ? ` and matches ${anchorsGiven} anchor${anchorsGiven === 1 ? '' : 's'}` : ''}` +
        (r.entries ? `; keep "--anchor ${r.head.seq}:${r.head.hash}" elsewhere to detect later truncation or rewriting` : ''),
    );
  } else {
    const where = r.badLine !== null ? ` (line ${r.badLine}, byte ${r.badOffset})` : '';
    out.push(`BROKEN at entry ${r.firstBadSeq}${where}: ${r.reason}`);
  }
  return out.join('\n') + '\n';
}
