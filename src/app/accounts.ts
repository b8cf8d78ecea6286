// Demo accounts for `serve`: one operator per partner and a coalition
// administrator, with random passwords the caller prints once and stores
// nowhere (the directory keeps only scrypt hashes).

import type { Coalition } from '../core/types.ts';
import { UserDirectory, randomPassword, type Role } from '../serve/index.ts';

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
