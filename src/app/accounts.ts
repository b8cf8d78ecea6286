// Demo accounts for `serve`: one operator per partner and a coalition
// administrator, with random passwords the caller prints once and stores
// nowhere (the directory keeps only scrypt hashes).

import { chmodSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SkyError } from '../core/errors.ts';
import type { Coalition } from '../core/types.ts';
import { UserDirectory, randomPassword, type Role } from '../serve/index.ts';
import type { StoredAccount } from '../serve/users.ts';

export interface DemoAccount {
  readonly username: string;
  readonly password: string;
  readonly partnerId: string;
  readonly partnerName: string;
  readonly role: Role;
}

export async function demoUsers(coalition: Coalition, create: boolean): Promise<{ users: UserDirectory; accounts: DemoAccount[] }> {
  const users = new UserDirectory();
  const accounts: DemoAccount[] = [];
  if (!create) return { users, accounts };
  const wanted: { username: string; partnerId: string; partnerName: string; role: Role }[] = coalition.partners.map((p) => ({
    username: `${p.id.toLowerCase()}-operator`, partnerId: p.id, partnerName: p.name, role: 'operator' as const,
  }));
  const first = coalition.partners[0]!;
  wanted.push({ username: 'coalition-admin', partnerId: first.id, partnerName: first.name, role: 'coalition-admin' });
  for (const w of wanted) {
    const password = randomPassword();
    await users.add({ username: w.username, partnerId: w.partnerId, role: w.role }, password);
    accounts.push({ ...w, password });
  }
  return { users, accounts };
}

// Persistent accounts (`serve --accounts FILE`, `skyfuse accounts ...`): a
// JSON file of scrypt hashes and salts, never a password, readable by its
// owner only (0600; a file others may read is refused, as ssh refuses a
// private key). Written whole to a temporary file in the same directory and
// renamed over the old one, so a crash leaves the old or the new file, never
// half of one.

export const ACCOUNTS_VERSION = 1;

interface AccountsJson {
  readonly version: number;
  readonly accounts: readonly StoredAccount[];
}

/** Reads an accounts file. Errors: SKY_ACCOUNTS_NOT_FOUND, SKY_ACCOUNTS_PERMISSIONS, SKY_ACCOUNTS_INVALID. */
export function loadAccounts(file: string, coalition?: Coalition): UserDirectory {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new SkyError('SKY_ACCOUNTS_NOT_FOUND', `cannot read accounts file ${file}; create it with: skyfuse accounts add --accounts ${file} ...`, { file });
  }
  if ((st.mode & 0o077) !== 0) {
    throw new SkyError('SKY_ACCOUNTS_PERMISSIONS', `${file} may be read or written by others (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 ${file}`, { file });
  }
  let json: AccountsJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as AccountsJson;
  } catch (e) {
    throw new SkyError('SKY_ACCOUNTS_INVALID', `${file}: not valid JSON (${(e as Error).message})`, { file });
  }
  if (json === null || typeof json !== 'object' || json.version !== ACCOUNTS_VERSION || !Array.isArray(json.accounts)) {
    throw new SkyError('SKY_ACCOUNTS_INVALID', `${file}: expected {"version": ${ACCOUNTS_VERSION}, "accounts": [...]}`, { file });
  }
  const users = new UserDirectory();
  json.accounts.forEach((a, i) => {
    const ok = a !== null && typeof a === 'object' && typeof a.username === 'string' && typeof a.partner === 'string' && typeof a.role === 'string' &&
      typeof a.salt === 'string' && typeof a.hash === 'string' && a.scrypt !== null && typeof a.scrypt === 'object';
    if (!ok) throw new SkyError('SKY_ACCOUNTS_INVALID', `${file}: accounts[${i}] must have username, partner, role, scrypt, salt and hash`, { file });
    try {
      users.addStored(a);
    } catch (e) {
      throw new SkyError('SKY_ACCOUNTS_INVALID', `${file}: accounts[${i}]: ${(e as Error).message}`, { file });
    }
    if (coalition && !coalition.partners.some((p) => p.id === a.partner)) {
      throw new SkyError('SKY_ACCOUNTS_INVALID', `${file}: accounts[${i}] (${a.username}) names partner "${a.partner}", which is not in the coalition`, { file });
    }
  });
  return users;
}

/** Writes the directory's accounts to `file` (mode 0600), atomically. */
export function saveAccounts(file: string, users: UserDirectory): void {
  const body: AccountsJson = { version: ACCOUNTS_VERSION, accounts: users.records() };
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(body, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Reads a password: without echo from a terminal, else the first line of stdin. */
export async function readPassword(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY) {
    let text = '';
    for await (const chunk of input) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    return text.split(/\r?\n/)[0] ?? '';
  }
  output.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let pw = '';
    const done = (err: Error | null) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolve(pw);
    };
    const onData = (s: string) => {
      for (const ch of s) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new SkyError('SKY_USAGE', 'interrupted'));
        if (ch === '\u007f' || ch === '\b') pw = pw.slice(0, -1);
        else pw += ch;
      }
    };
    input.on('data', onData);
  });
}

export interface AccountsCommand {
  readonly action: 'add' | 'list' | 'remove' | 'passwd';
  readonly file: string;
  readonly username?: string;
  readonly partner?: string;
  readonly role?: string;
  readonly coalition?: Coalition;
}

/** `skyfuse accounts add|list|remove|passwd`: returns the lines to print. */
export async function runAccounts(c: AccountsCommand, password: () => Promise<string>): Promise<string[]> {
  const exists = (() => {
    try {
      statSync(c.file);
      return true;
    } catch {
      return false;
    }
  })();
  const users = exists ? loadAccounts(c.file) : new UserDirectory();
  const need = (v: string | undefined, flag: string): string => {
    if (!v) throw new SkyError('SKY_USAGE', `accounts ${c.action} needs ${flag}`);
    return v;
  };
  switch (c.action) {
    case 'list':
      if (!exists) throw new SkyError('SKY_ACCOUNTS_NOT_FOUND', `no accounts file ${c.file}`, { file: c.file });
      return users.list().map((u) => `${u.username}\t${u.partnerId}\t${u.role}`);
    case 'add': {
      const username = need(c.username, '--username');
      const partner = need(c.partner, '--partner');
      const role = need(c.role, '--role') as Role;
      if (c.coalition && !c.coalition.partners.some((p) => p.id === partner)) throw new SkyError('SKY_USER_INVALID', `partner "${partner}" is not in the coalition`);
      if (users.get(username)) throw new SkyError('SKY_USER_INVALID', `user ${username} already exists; use accounts passwd to change the password`);
      await users.add({ username, partnerId: partner, role }, await password());
      saveAccounts(c.file, users);
      return [`added ${username} (${role} of ${partner}) to ${c.file}`];
    }
    case 'remove': {
      const username = need(c.username, '--username');
      if (!users.remove(username)) throw new SkyError('SKY_USER_INVALID', `no user ${username} in ${c.file}`);
      saveAccounts(c.file, users);
      return [`removed ${username} from ${c.file}`];
    }
    case 'passwd': {
      const username = need(c.username, '--username');
      if (!users.get(username)) throw new SkyError('SKY_USER_INVALID', `no user ${username} in ${c.file}`);
      await users.setPassword(username, await password());
      saveAccounts(c.file, users);
      return [`changed the password of ${username}`];
    }
  }
}
