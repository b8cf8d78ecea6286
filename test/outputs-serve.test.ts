// `skyfuse serve` with outputs, as a user runs it: the live simulated
// coalition feeds a CAT062 consumer (a UDP socket here) and a TAK server (a
// TCP listener here) from the command line; bad output flags stop the
// command with their codes before anything starts.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { decodeBlockItems, type Items } from '../src/asterix/index.ts';
import { UdpReceiver, type DataBlock } from '../src/ingest/index.ts';
import { parseCotStream, tcpListener, until } from '../src/output/test-support.ts';

const root = resolve(import.meta.dirname, '..');
const skyfuse = join(root, 'bin', 'skyfuse');
let child: ChildProcess | undefined;
after(() => child?.kill('SIGKILL'));

test('serve --cat062-out and --cot-out feed a CAT062 consumer and a TAK server from the live picture', { timeout: 120_000 }, async () => {
  const blocks: DataBlock[] = [];
  const rx = new UdpReceiver({ port: 0, host: '127.0.0.1' }, (b) => blocks.push(b), (e) => assert.fail(e.toLine()));
  const { port } = await rx.start();
  const tak = await tcpListener();
  let stderr = '';
  try {
    child = spawn(process.execPath, [skyfuse, 'serve', '--scenario', 'small', '--port', '0',
      '--cat062-out', `EGY=127.0.0.1:${port}`, '--cat062-period-s', '2', '--sdps', '7/9',
      '--cot-out', `CYP=127.0.0.1:${tak.port}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.resume();
    const records = () => {
      const out: { cat: number; items: Items }[] = [];
      for (const b of blocks) decodeBlockItems(b.bytes, 0, (r) => out.push({ cat: r.cat, items: r.items }), (e) => assert.fail(e.toLine()));
      return out;
    };
    // Tracks start tentative (in CAT062 at once); CoT carries confirmed tracks only, after a few scans.
    await until(() => records().filter((r) => r.cat === 62).length >= 100, `100 CAT062 records (stderr: ${stderr})`, 90_000);
    await until(() => (tak.text().match(/<\/event>/g) ?? []).length >= 20, `20 CoT events (stderr: ${stderr})`, 90_000);
    const exited = new Promise<number | null>((res) => child!.once('exit', (code) => res(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    await rx.close();
    await tak.close();
  }
  const recs: { cat: number; items: Items }[] = [];
  for (const b of blocks) decodeBlockItems(b.bytes, 0, (r) => recs.push({ cat: r.cat, items: r.items }), (e) => assert.fail(e.toLine()));
  const tracks = recs.filter((r) => r.cat === 62);
  assert.ok(tracks.every((r) => (r.items['I062/010'] as { SAC: number; SIC: number }).SAC === 7 && (r.items['I062/010'] as { SIC: number }).SIC === 9));
  // Updates every 2 s of data time (--cat062-period-s 2), each closed by a CAT065 end of batch.
  const eob = recs.filter((r) => r.cat === 65 && r.items['I065/000'] === 2).map((r) => Number(r.items['I065/030']));
  assert.ok(eob.length >= 3);
  assert.ok(eob.slice(1).every((t, i) => Math.abs(t - eob[i]! - 2) < 0.01), `end of batch times ${eob.join(', ')}`);
  const events = parseCotStream(tak.text());
  if (events !== null) {
    assert.ok(events.every((e) => /^skyfuse\.CYP\.T\d+$/.test(e.event['uid']!) && /^a-[nu]-A/.test(e.event['type']!)));
    // Live: event times follow the wall clock.
    const last = Date.parse(events.at(-1)!.event['time']!);
    assert.ok(Math.abs(last - Date.now()) < 30_000, `last event at ${events.at(-1)!.event['time']}`);
  }
  // On SIGTERM each output prints its counters.
  assert.match(stderr, new RegExp(`outputs: cat062 to EGY at 127\\.0\\.0\\.1:${port}: \\d+ frames, \\d+ datagrams, \\d+ bytes, 0 failed, 0 dropped`));
  assert.match(stderr, new RegExp(`outputs: cot to CYP at 127\\.0\\.0\\.1:${tak.port}: \\d+ frames, \\d+ events`));
});

test('serve refuses bad output flags with their codes before starting', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [skyfuse, 'serve', '--scenario', 'small', '--port', '0', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const cases: [string[], RegExp][] = [
    [['--cat062-out', 'XXX=127.0.0.1:8600'], /SKY_OUTPUT_SPEC: output to "XXX".*no partner "XXX"/],
    [['--cat062-out', 'EGY=127.0.0.1'], /SKY_OUTPUT_SPEC: --cat062-out must be PARTNER=HOST:PORT/],
    [['--cot-out', 'EGY=127.0.0.1:8089,tls'], /SKY_OUTPUT_TLS: .*--cot-cert and --cot-key/],
    [['--cot-out', 'EGY=127.0.0.1:8089,tls', '--cot-cert', '/nonexistent/c.pem', '--cot-key', '/nonexistent/k.pem'], /SKY_OUTPUT_TLS: cannot read the client certificate \(--cot-cert\) \/nonexistent\/c\.pem/],
    [['--sdps', '1/999', '--cat062-out', 'EGY=127.0.0.1:8600'], /SKY_USAGE: --sdps must be SAC\/SIC/],
    // Outputs run over a replay too (test/replay-outputs.test.ts); its flags are checked the same way.
    [['--replay', '/nonexistent.sqlite', '--cot-out', 'EGY=127.0.0.1:8087'], /SKY_RECORD_OPEN: cannot open recording \/nonexistent\.sqlite/],
    [['--replay', '/nonexistent.sqlite', '--replay-from', '2025-06-01T10:00:00'], /SKY_HISTORY_RANGE: --replay-from .* is not an ISO 8601 time with a zone/],
    [['--replay-from', '1748772000'], /SKY_USAGE: --replay-from goes with --replay/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stdout, /operations room/, 'nothing started');
  }
});
