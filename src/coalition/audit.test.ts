import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { AUDIT_GENESIS, AuditLog, canonicalJson, verifyAuditLog, type AuditActor, type AuditDetails, type AuditKind } from './audit.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-audit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `log-${++n}.jsonl`);

/** A clock that ticks one second per call from 2025-11-23T12:00:00Z. */
function clock(startS = 1763899200): () => number {
  let t = startS;
  return () => t++;
}

const ANA: AuditActor = { user: 'ana', partner: 'EGY' };

async function writeLog(path: string, entries: readonly [AuditKind, AuditActor | null, AuditDetails][]): Promise<void> {
  const log = await AuditLog.open(path, { now: clock() });
  for (const [k, a, d] of entries) await log.append(k, a, d);
  await log.close();
}

const lines = (buf: Buffer): Buffer[] => {
  const out: Buffer[] = [];
  let s = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, s)) {
    out.push(buf.subarray(s, i + 1));
    s = i + 1;
  }
  return out;
};

describe('audit log format', () => {
  it('hashes prev + the sorted-key JSON of the entry, from 64 zeros', async () => {
    const p = fresh();
    const log = await AuditLog.open(p, { now: () => 1000 });
    const e = await log.append('login', ANA, { from: '10.0.0.1', session: 's1' });
    await log.close();
    // Written out by hand: keys sorted at every depth, no spaces.
    const canon = `{"actor":{"partner":"EGY","user":"ana"},"details":{"from":"10.0.0.1","session":"s1"},"kind":"login","prev":"${'0'.repeat(64)}","seq":1,"t":1000}`;
    const want = createHash('sha256').update('0'.repeat(64) + canon).digest('hex');
    assert.equal(e.hash, want);
    assert.equal(e.prev, AUDIT_GENESIS);
    assert.equal(
      readFileSync(p, 'utf8'),
      `{"seq":1,"t":1000,"kind":"login","actor":{"partner":"EGY","user":"ana"},"details":{"from":"10.0.0.1","session":"s1"},"prev":"${'0'.repeat(64)}","hash":"${want}"}\n`,
    );
  });

  it('canonical JSON sorts keys at every depth and refuses what JSON cannot carry', () => {
    assert.equal(canonicalJson({ b: [{ z: 1, a: null }], a: 'x' }), '{"a":"x","b":[{"a":null,"z":1}]}');
    assert.throws(() => canonicalJson({ a: Number.NaN }), /\$\.a is NaN/);
    assert.throws(() => canonicalJson({ a: undefined }), /undefined/);
    assert.throws(() => canonicalJson({ a: new Date(0) }), /Date/);
  });

  it('a chain of entries verifies, with counts and time span', async () => {
    const p = fresh();
    await writeLog(p, [
      ['login', ANA, { from: '10.0.0.1' }],
      ['login-failed', null, { username: 'bob', from: '10.0.0.2', code: 'SKY_LOGIN_FAILED' }],
      ['membership-change', { user: 'root', partner: 'JOR' }, { partner: 'EGY', from: 'member', to: 'withdrawn' }],
      ['login', ANA, { from: '10.0.0.1' }],
    ]);
    const r = verifyAuditLog(p);
    assert.equal(r.ok, true);
    assert.equal(r.entries, 4);
    assert.equal(r.firstBadSeq, null);
    assert.deepEqual(r.kinds, { login: 2, 'login-failed': 1, 'membership-change': 1 });
    assert.equal(r.firstT, 1763899200);
    assert.equal(r.lastT, 1763899203);
    assert.equal(r.head.seq, 4);
  });

  it('refuses secrets and non-JSON details without advancing the chain', async () => {
    const p = fresh();
    const log = await AuditLog.open(p, { now: clock() });
    await assert.rejects(log.append('login', ANA, { password: 'hunter2hunter2' }), { code: 'SKY_AUDIT_INVALID' });
    await assert.rejects(log.append('export', ANA, { nested: { Token: 'abc' } }), { code: 'SKY_AUDIT_INVALID' });
    await assert.rejects(log.append('export', ANA, { n: Number.POSITIVE_INFINITY }), { code: 'SKY_AUDIT_INVALID' });
    await assert.rejects(log.append('export', ANA, { big: 'x'.repeat(70_000) }), { code: 'SKY_AUDIT_INVALID' });
    const e = await log.append('export', ANA, { format: 'tracks.jsonl', tracks: 12 });
    assert.equal(e.seq, 1);
    await log.close();
    await assert.rejects(log.append('export', ANA, {}), { code: 'SKY_AUDIT_CLOSED' });
    assert.equal(verifyAuditLog(p).entries, 1);
  });

  it('appends made at once are numbered in call order and synced together', async () => {
    const p = fresh();
    const log = await AuditLog.open(p, { now: clock() });
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append('login', ANA, { i })));
    await log.close();
    assert.deepEqual(all.map((e) => e.seq), Array.from({ length: 200 }, (_, i) => i + 1));
    assert.deepEqual(all.map((e) => e.details.i), Array.from({ length: 200 }, (_, i) => i));
    const r = verifyAuditLog(p);
    assert.equal(r.ok, true);
    assert.equal(r.entries, 200);
  });
});

describe('reopening', () => {
  it('continues the chain where it ended', async () => {
    const p = fresh();
    const a = await AuditLog.open(p, { now: clock() });
    await a.append('login', ANA, {});
    const third = (await Promise.all([a.append('logout', ANA, {}), a.append('login', ANA, {})]))[1];
    await a.close();
    const b = await AuditLog.open(p, { now: clock(1763900000) });
    assert.deepEqual(b.head(), { seq: 3, hash: third.hash });
    const fourth = await b.append('export', ANA, { tracks: 3 });
    await b.close();
    assert.equal(fourth.seq, 4);
    assert.equal(fourth.prev, third.hash);
    const r = verifyAuditLog(p);
    assert.equal(r.ok, true);
    assert.equal(r.entries, 4);
  });

  it('refuses to append to a log whose last entry was changed', async () => {
    const p = fresh();
    await writeLog(p, [['login', ANA, {}], ['login', ANA, { from: 'a' }]]);
    writeFileSync(p, readFileSync(p, 'utf8').replace('"from":"a"', '"from":"b"'));
    await assert.rejects(AuditLog.open(p), { code: 'SKY_AUDIT_BROKEN' });
  });

  it('a crash mid-line is reported, set aside and recorded in the chain', async () => {
    const p = fresh();
    await writeLog(p, [['login', ANA, {}], ['logout', ANA, {}]]);
    // What a crash in the middle of the third append leaves: its first 40 bytes.
    const scratch = fresh();
    await writeLog(scratch, [['login', ANA, {}], ['logout', ANA, {}], ['export', ANA, { tracks: 5 }]]);
    const partial = lines(readFileSync(scratch))[2]!.subarray(0, 40);
    const goodSize = readFileSync(p).length;
    appendFileSync(p, partial);

    const before = verifyAuditLog(p);
    assert.equal(before.ok, false);
    assert.equal(before.firstBadSeq, 3);
    assert.equal(before.entries, 2);
    assert.equal(before.badOffset, goodSize);
    assert.match(before.reason ?? '', /cut short \(40 bytes, no newline\)/);

    const told: string[] = [];
    const log = await AuditLog.open(p, { now: clock(1763900000), log: (l) => told.push(l) });
    await log.append('login', ANA, {});
    await log.close();
    assert.equal(told.length, 1);
    assert.match(told[0]!, /partial line \(40 bytes at byte \d+, after entry 2\)/);
    assert.ok(existsSync(`${p}.torn-3`));
    assert.deepEqual(readFileSync(`${p}.torn-3`), partial);
    const after = verifyAuditLog(p);
    assert.equal(after.ok, true);
    assert.equal(after.entries, 4);
    assert.deepEqual(after.kinds, { login: 2, logout: 1, 'audit-recovered': 1 });
    const rec = JSON.parse(lines(readFileSync(p))[2]!.toString()) as { seq: number; kind: string; details: Record<string, unknown> };
    assert.equal(rec.seq, 3);
    assert.equal(rec.kind, 'audit-recovered');
    assert.deepEqual(rec.details, {
      tornBytes: 40, tornOffset: goodSize, tornSha256: createHash('sha256').update(partial).digest('hex'), savedAs: `${p.split('/').pop()}.torn-3`,
    });
  });

  it('a log that is only a partial first line starts again from entry 1', async () => {
    const p = fresh();
    writeFileSync(p, '{"seq":1,"t":17');
    const log = await AuditLog.open(p, { now: clock() });
    await log.close();
    const r = verifyAuditLog(p);
    assert.equal(r.ok, true);
    assert.deepEqual(r.kinds, { 'audit-recovered': 1 });
  });
});

describe('tampering is detected at the right entry', () => {
  const kinds: AuditKind[] = ['login', 'login-failed', 'logout', 'policy-change', 'membership-change', 'export'];
  const arbEntry = fc.tuple(
    fc.constantFrom(...kinds),
    fc.option(fc.record({ user: fc.string({ minLength: 1, maxLength: 8 }), partner: fc.constantFrom('EGY', 'JOR', 'KSA') }), { nil: null }),
    fc.dictionary(fc.constantFrom('from', 'partner', 'to', 'n', 'ok', 'note', 'é'), fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null))),
  );
  let cases = 0;
  after(() => process.stdout.write(`# audit tamper cases tried: ${cases}\n`));

  it('any changed byte, deleted or swapped entry, or truncation', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbEntry, { minLength: 1, maxLength: 12 }),
        fc.oneof(
          fc.record({ op: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 1, max: 255 }) }),
          fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
          fc.record({ op: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
          fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
        ),
        async (entries, tamper) => {
          cases++;
          const p = fresh();
          await writeLog(p, entries);
          const orig = readFileSync(p);
          const ls = lines(orig);
          const last = verifyAuditLog(p).head;
          assert.equal(last.seq, entries.length);
          /** The seq of the line holding byte i: 1 + newlines before it. */
          const seqAt = (i: number) => 1 + orig.subarray(0, i).filter((b) => b === 10).length;
          let expected: number | null;
          let tampered: Buffer;
          switch (tamper.op) {
            case 'byte': {
              const i = tamper.at % orig.length;
              tampered = Buffer.from(orig);
              tampered[i] = (orig[i]! + tamper.value) % 256; // value 1..255: always a different byte
              expected = seqAt(i);
              break;
            }
            case 'delete': {
              const k = tamper.at % ls.length;
              tampered = Buffer.concat(ls.filter((_, j) => j !== k));
              expected = k + 1;
              break;
            }
            case 'swap': {
              if (ls.length < 2) return;
              const a = tamper.at % ls.length;
              let b = tamper.other % (ls.length - 1);
              if (b >= a) b++;
              const s = ls.slice();
              [s[a], s[b]] = [s[b]!, s[a]!];
              tampered = Buffer.concat(s);
              expected = Math.min(a, b) + 1;
              break;
            }
            case 'truncate': {
              const i = tamper.at % orig.length; // keeps bytes [0, i): at least one byte goes
              tampered = orig.subarray(0, i);
              expected = seqAt(i);
              // Cut at a line boundary: only the anchor can tell.
              const atBoundary = i === 0 || orig[i - 1] === 10;
              const bare = (writeFileSync(p, tampered), verifyAuditLog(p));
              if (atBoundary) assert.equal(bare.ok, true);
              else assert.equal(bare.firstBadSeq, expected);
              break;
            }
          }
          writeFileSync(p, tampered);
          const r = verifyAuditLog(p, { anchors: [last] });
          assert.equal(r.ok, false, `undetected ${JSON.stringify(tamper)}`);
          assert.equal(r.firstBadSeq, expected, `${JSON.stringify(tamper)}: ${r.reason}`);
          assert.equal(r.entries, expected - 1);
          // Away from the end, no anchor is needed.
          if (tamper.op !== 'truncate' && !(tamper.op === 'delete' && expected === ls.length)) {
            assert.equal(verifyAuditLog(p).firstBadSeq, expected);
          }
        },
      ),
      { numRuns: 300, seed: 20251123 },
    );
  });

  it('a chain rewritten with fresh hashes is caught by an anchor', async () => {
    const p = fresh();
    await writeLog(p, [['login', ANA, {}], ['export', ANA, { tracks: 10 }], ['logout', ANA, {}]]);
    const anchor = verifyAuditLog(p).head;
    // The rewriter knows the format: a whole new chain with the export removed verifies on its own.
    const q = fresh();
    await writeLog(q, [['login', ANA, {}], ['logout', ANA, {}], ['logout', ANA, {}]]);
    writeFileSync(p, readFileSync(q));
    assert.equal(verifyAuditLog(p).ok, true);
    const r = verifyAuditLog(p, { anchors: [anchor] });
    assert.equal(r.ok, false);
    assert.equal(r.firstBadSeq, 3);
    assert.match(r.reason ?? '', /the anchor says/);
  });
});

describe('skyfuse audit --verify', () => {
  const run = promisify(execFile);
  const bin = new URL('../../bin/skyfuse', import.meta.url).pathname;
  const cli = async (...args: string[]) => {
    try {
      const r = await run(process.execPath, [bin, 'audit', ...args]);
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };

  it('summarises an intact log and exits 0; a broken one exits 2 with SKY_AUDIT_BROKEN', async () => {
    const p = fresh();
    await writeLog(p, [['login', ANA, {}], ['login', ANA, {}], ['membership-change', null, { partner: 'EGY', from: 'member', to: 'withdrawn' }]]);
    const ok = await cli('--verify', p);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /3 entries verify \(seq 1\.\.3\)/);
    assert.match(ok.stdout, /from 2025-11-23T12:00:00\.000Z to 2025-11-23T12:00:02\.000Z \(0 h 0 min 2 s\)/);
    assert.match(ok.stdout, /login 2, membership-change 1/);
    assert.match(ok.stdout, /^OK: the chain is intact/m);

    const json = await cli('--verify', p, '--json');
    assert.equal(json.code, 0);
    const j = JSON.parse(json.stdout) as { ok: boolean; entries: number; kinds: Record<string, number> };
    assert.equal(j.ok, true);
    assert.equal(j.entries, 3);
    assert.deepEqual(j.kinds, { login: 2, 'membership-change': 1 });

    writeFileSync(p, readFileSync(p, 'utf8').replace('"to":"withdrawn"', '"to":"suspended"'));
    const bad = await cli('--verify', p);
    assert.equal(bad.code, 2);
    assert.match(bad.stdout, /BROKEN at entry 3 \(line 3, byte \d+\): the hash does not match/);
    assert.match(bad.stderr, /^skyfuse: SKY_AUDIT_BROKEN: .* entry 3/);
    const badJson = await cli('--verify', p, '--json');
    assert.equal(badJson.code, 2);
    assert.equal((JSON.parse(badJson.stdout) as { firstBadSeq: number }).firstBadSeq, 3);
  });

  it('checks anchors, and refuses a malformed one', async () => {
    const p = fresh();
    await writeLog(p, [['login', ANA, {}], ['logout', ANA, {}]]);
    const head = verifyAuditLog(p).head;
    assert.equal((await cli('--verify', p, '--anchor', `${head.seq}:${head.hash}`)).code, 0);
    const cut = await cli('--verify', p, '--anchor', `5:${head.hash}`);
    assert.equal(cut.code, 2);
    assert.match(cut.stdout, /cut off the end/);
    const malformed = await cli('--verify', p, '--anchor', 'x');
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /SKY_USAGE/);
  });
});
