// Persistent accounts: the file holds scrypt hashes only, is created 0600,
// is refused when others may read it, and survives add / passwd / remove;
// a password verifies against what was written, through a fresh load.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SkyError } from '../core/errors.ts';
import { parseCoalition } from '../coalition/coalition.ts';
import { loadAccounts, runAccounts } from './accounts.ts';

const PW1 = 'first long password 1';
const PW2 = 'second long password 2';
const coalition = parseCoalition({ partners: [{ id: 'AAA', name: 'Alpha', status: 'member' }, { id: 'BBB', name: 'Bravo', status: 'member' }], sensors: [] });

const code = (e: unknown) => (e as SkyError).code;

test('accounts add / list / passwd / remove through the file: hashes only, mode 0600, passwords verify after a reload', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'skyfuse-acc-')), 'accounts.json');
  assert.deepEqual(await runAccounts({ action: 'add', file, username: 'a-admin', partner: 'AAA', role: 'partner-admin', coalition }, async () => PW1), [`added a-admin (partner-admin of AAA) to ${file}`]);
  await runAccounts({ action: 'add', file, username: 'b-op', partner: 'BBB', role: 'operator' }, async () => PW2);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(PW1) && !text.includes(PW2), 'no password in the file');
  const json = JSON.parse(text) as { version: number; accounts: { username: string; hash: string; salt: string; scrypt: { N: number } }[] };
  assert.equal(json.version, 1);
  assert.deepEqual(json.accounts.map((a) => a.username), ['a-admin', 'b-op']);
  assert.equal(Buffer.from(json.accounts[0]!.hash, 'base64').length, 32);
  assert.equal(json.accounts[0]!.scrypt.N, 1 << 15);
  assert.notEqual(json.accounts[0]!.salt, json.accounts[1]!.salt);

  assert.deepEqual(await runAccounts({ action: 'list', file }, async () => ''), ['a-admin\tAAA\tpartner-admin', 'b-op\tBBB\toperator']);
  let users = loadAccounts(file, coalition);
  assert.deepEqual(await users.verify('a-admin', PW1), { username: 'a-admin', partnerId: 'AAA', role: 'partner-admin' });
  assert.equal(await users.verify('a-admin', PW2), null);

  await runAccounts({ action: 'passwd', file, username: 'a-admin' }, async () => PW2);
  users = loadAccounts(file);
  assert.equal(await users.verify('a-admin', PW1), null, 'the old password no longer works');
  assert.ok(await users.verify('a-admin', PW2));
  await runAccounts({ action: 'remove', file, username: 'b-op' }, async () => '');
  assert.deepEqual(loadAccounts(file).list().map((u) => u.username), ['a-admin']);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'still 0600 after rewrites');

  // Refusals, each with its code.
  await assert.rejects(runAccounts({ action: 'add', file, username: 'x-op', partner: 'ZZZ', role: 'operator', coalition }, async () => PW1), (e) => code(e) === 'SKY_USER_INVALID');
  await assert.rejects(runAccounts({ action: 'add', file, username: 'x-op', partner: 'AAA', role: 'operator' }, async () => 'short'), (e) => code(e) === 'SKY_USER_INVALID');
  await assert.rejects(runAccounts({ action: 'add', file, username: 'a-admin', partner: 'AAA', role: 'operator' }, async () => PW1), /already exists/);
  await assert.rejects(runAccounts({ action: 'add', file, username: 'x-op', partner: 'AAA', role: 'king' }, async () => PW1), /role "king"/);
  await assert.rejects(runAccounts({ action: 'remove', file, username: 'nobody' }, async () => ''), /no user nobody/);
  await assert.rejects(runAccounts({ action: 'add', file, partner: 'AAA', role: 'operator' }, async () => PW1), (e) => code(e) === 'SKY_USAGE');
  assert.deepEqual(loadAccounts(file).list().map((u) => u.username), ['a-admin'], 'refused changes wrote nothing');
});

test('an accounts file others may read, a malformed one, or one naming an unknown partner is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skyfuse-acc-'));
  const file = join(dir, 'accounts.json');
  await runAccounts({ action: 'add', file, username: 'a-op', partner: 'AAA', role: 'operator' }, async () => PW1);
  chmodSync(file, 0o644);
  assert.throws(() => loadAccounts(file), (e) => code(e) === 'SKY_ACCOUNTS_PERMISSIONS' && /chmod 600/.test((e as Error).message));
  chmodSync(file, 0o600);
  const other = parseCoalition({ partners: [{ id: 'CCC', name: 'Charlie', status: 'member' }], sensors: [] });
  assert.throws(() => loadAccounts(file, other), (e) => code(e) === 'SKY_ACCOUNTS_INVALID' && /"AAA"/.test((e as Error).message));
  const json = JSON.parse(readFileSync(file, 'utf8')) as { accounts: { scrypt: { N: number }; hash: string }[] };
  json.accounts[0]!.scrypt.N = 1 << 30; // would ask for terabytes of scrypt memory
  writeFileSync(file, JSON.stringify(json), { mode: 0o600 });
  assert.throws(() => loadAccounts(file), (e) => code(e) === 'SKY_ACCOUNTS_INVALID' && /scrypt parameters/.test((e as Error).message));
  writeFileSync(file, '{"version": 1, "accounts": [{"username": "x"}]}', { mode: 0o600 });
  assert.throws(() => loadAccounts(file), (e) => code(e) === 'SKY_ACCOUNTS_INVALID' && /accounts\[0\]/.test((e as Error).message));
  assert.throws(() => loadAccounts(join(dir, 'missing.json')), (e) => code(e) === 'SKY_ACCOUNTS_NOT_FOUND');
});
