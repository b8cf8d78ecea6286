// `skyfuse serve --tls-cert --tls-key --accounts`, end to end through the
// real command: a self-signed certificate made at test time with openssl,
// an accounts file made with `skyfuse accounts add` (password on stdin). The
// server then answers HTTPS and wss only (plain HTTP on the same port gets
// no HTTP answer), logs in only the file's account, and creates no demo
// accounts (no banner, none printed).

import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'skyfuse');
const PASSWORD = 'a long test password 42';
const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

function https(url: string, ca: Buffer, method = 'GET', body?: unknown, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const req = httpsRequest(url, {
      method, ca,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }, (r) => {
      let text = '';
      r.on('data', (d) => (text += String(d)));
      r.on('end', () => res({ status: r.statusCode ?? 0, text }));
    });
    req.on('error', rej);
    req.end(body !== undefined ? JSON.stringify(body) : undefined);
  });
}

let child: ChildProcess | null = null;
after(() => {
  if (child && child.exitCode === null) child.kill('SIGTERM');
});

test('serve over TLS with an accounts file: https and wss work, plain http does not, only the file\'s account logs in', { skip: haveOpenssl ? false : 'openssl is not installed: cannot make a test certificate', timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skyfuse-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  const ca = readFileSync(cert);

  const accounts = join(dir, 'accounts.json');
  const add = spawnSync(process.execPath, [bin, 'accounts', 'add', '--accounts', accounts, '--username', 'egy-admin', '--partner', 'EGY', '--role', 'partner-admin'], { input: PASSWORD + '\n', encoding: 'utf8' });
  assert.equal(add.status, 0, add.stderr);
  assert.match(add.stdout, /added egy-admin \(partner-admin of EGY\)/);
  assert.equal(statSync(accounts).mode & 0o777, 0o600);
  assert.ok(!readFileSync(accounts, 'utf8').includes(PASSWORD));
  const bad = spawnSync(process.execPath, [bin, 'accounts', 'add', '--accounts', accounts, '--username', 'x', '--partner', 'EGY', '--role', 'operator'], { input: 'short\n', encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /SKY_USER_INVALID/);

  child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--tls-cert', cert, '--tls-key', key, '--accounts', accounts], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (err += String(d)));
  const end = Date.now() + 60_000;
  while (!/operations room: (https:\/\/\S+)/.test(out)) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`serve did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /operations room: (https:\/\/\S+)/.exec(out)![1]!;
  assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
  assert.doesNotMatch(out, /DEMO ACCOUNTS|token=/, 'no demo accounts and no demo session with --accounts');

  // HTTPS: the page (no demo banner), the login of the file's account, the API.
  const page = await https(url, ca);
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.text, /data-demo/);
  assert.equal((await https(new URL('/api/login', url).href, ca, 'POST', { username: 'egy-admin', password: 'wrong password here' })).status, 401);
  assert.equal((await https(new URL('/api/login', url).href, ca, 'POST', { username: 'coalition-admin', password: PASSWORD })).status, 401, 'no demo account exists');
  const login = await https(new URL('/api/login', url).href, ca, 'POST', { username: 'egy-admin', password: PASSWORD });
  assert.equal(login.status, 200, login.text);
  const token = (JSON.parse(login.text) as { token: string }).token;
  const me = JSON.parse((await https(new URL('/api/me', url).href, ca, 'GET', undefined, token)).text) as { partner: string; role: string };
  assert.deepEqual({ partner: me.partner, role: me.role }, { partner: 'EGY', role: 'partner-admin' });

  // A client that does not trust the certificate is refused by TLS itself.
  await assert.rejects(https(url, Buffer.from('')), /self-signed|certificate/i);

  // wss: hello, then frames of EGY's picture.
  const ws = new WebSocket(url.replace('https', 'wss') + 'api/ws', ['skyfuse.v1', `token.${token}`], { ca });
  const msgs: { type: string }[] = [];
  ws.on('message', (d) => msgs.push(JSON.parse(String(d)) as { type: string }));
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  const wsEnd = Date.now() + 20_000;
  while (!msgs.some((m) => m.type === 'frame')) {
    if (Date.now() > wsEnd) throw new Error(`no frame over wss: ${JSON.stringify(msgs.map((m) => m.type))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(msgs[0]!.type, 'hello');
  ws.close();

  // Plain HTTP on the same port: no HTTP answer at all.
  const plain = await new Promise<string>((res) => {
    const req = httpGet(url.replace('https', 'http') + 'api/openapi.json', (r) => res(`HTTP ${r.statusCode}`));
    req.on('error', (e) => res(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
  assert.match(plain, /^error /, `plain http got ${plain}`);
  child.kill('SIGTERM');
});
