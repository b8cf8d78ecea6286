// Shared by the tests that cross-check our ASTERIX against Debian's tshark
// (an independent decoder): wrap data blocks as UDP to port 8600 in a pcap,
// let tshark dissect them, and return its fields per datagram.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from '../../src/ingest/index.ts';

/** False when tshark runs here; otherwise the reason to skip. */
export const tsharkMissing: string | false =
  spawnSync('tshark', ['--version'], { encoding: 'utf8' }).error !== undefined
    ? 'tshark is not installed (apt-get install -y tshark); the independent cross-check needs it'
    : false;

/** One row per datagram: field name -> the values of its occurrences, in record order. */
export type TsharkRow = Record<string, string[]>;

export function tsharkFields(datagrams: readonly Uint8Array[], fields: readonly string[], t0S = 1_700_000_000): TsharkRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'skyfuse-tshark-'));
  try {
    const file = join(dir, 'cross.pcap');
    writeFileSync(file, writePcap(datagrams.map((payload, i) => ({ timeS: t0S + i, payload }))));
    const args = ['-n', '-r', file, '-T', 'fields', '-E', 'separator=;', '-E', 'occurrence=a', '-E', 'aggregator=|'];
    for (const f of fields) args.push('-e', f);
    const run = spawnSync('tshark', args, { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, `tshark failed: ${run.stderr}`);
    const lines = run.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, datagrams.length, 'one tshark line per datagram');
    return lines.map((line) => {
      const cols = line.split(';');
      const row: TsharkRow = {};
      fields.forEach((f, i) => (row[f] = cols[i] === undefined || cols[i] === '' ? [] : cols[i]!.split('|')));
      return row;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
