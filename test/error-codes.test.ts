// Every SKY_* code the source can produce is listed in the README's error
// table (src/core/errors.ts: codes are public interface, scripts match on
// them). A new code that nobody documented fails here, naming itself.
//
// The source is read with its comments removed, so a code mentioned only in
// a comment (an example such as `SKY_X: message`, or a family such as
// SKY_ASTERIX_*) is not taken for one that is raised.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.startsWith('test-')) out.push(p);
  }
  return out;
}

/** Block comments and line comments (a `//` at the start of a line or after whitespace, so URLs in strings stay). */
const withoutComments = (code: string): string => code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|\s)\/\/.*$/gm, '$1');

/** SKY_ codes in code: whole names, not a prefix a template completes (`SKY_${x}`) or a family (`SKY_PCAP_*`). */
export function codesIn(code: string): Set<string> {
  const out = new Set<string>();
  for (const m of withoutComments(code).matchAll(/\bSKY_[A-Z0-9_]*[A-Z0-9](?![A-Za-z0-9_$*])/g)) out.add(m[0]);
  return out;
}

/** The codes in the README's "## Errors" section. */
function documented(): Set<string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Errors\n');
  assert.ok(start >= 0, 'README has an "## Errors" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return new Set(section.match(/`SKY_[A-Z0-9_]+`/g)?.map((s) => s.slice(1, -1)) ?? []);
}

test('the scan finds codes as raised and ignores the ones only in comments', () => {
  const sample = [
    "throw new SkyError('SKY_ONE', 'x');",
    'throw new SkyError(\n  "SKY_TWO",\n  `y`);',
    "reply.send({ error: 'SKY_THREE' }); // not SKY_COMMENTED",
    '/** Errors: SKY_DOC_ONLY, SKY_FAMILY_* */',
    "log(`serve: SKY_FOUR ${x}`); const u = 'https://h/'; const t = `SKY_${kind}`; // SKY_X: message",
  ].join('\n');
  assert.deepEqual([...codesIn(sample)].sort(), ['SKY_FOUR', 'SKY_ONE', 'SKY_THREE', 'SKY_TWO']);
});

test('every SKY_* code in src/ is in the README error table', () => {
  const where = new Map<string, string>();
  for (const file of sources(join(root, 'src'))) {
    for (const c of codesIn(readFileSync(file, 'utf8'))) if (!where.has(c)) where.set(c, file.slice(root.length + 1));
  }
  // The scan is not empty by accident: codes known to be raised are found.
  for (const known of ['SKY_USAGE', 'SKY_WIRE_BAD', 'SKY_AUTH_REQUIRED', 'SKY_OUTPUT_COT', 'SKY_TILES_URL']) assert.ok(where.has(known), `scan finds ${known}`);
  const listed = documented();
  const missing = [...where].filter(([c]) => !listed.has(c)).map(([c, f]) => `${c} (${f})`);
  assert.deepEqual(missing, [], `add these codes to the README's error table: ${missing.join(', ')}`);
});
