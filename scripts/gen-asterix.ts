// Writes src/asterix/generated/catNNN.ts from the asterix-specs JSON
// definitions (zoranbosnjak/asterix-specs, copied to ../shared/data/asterix-specs).
// The tables keep structure, bit sizes, LSBs, units, signedness and string
// encodings, and drop documentation and table texts, so each file stays small.
// Any spec construct the engine cannot handle stops the generator: a silent
// gap would become a wrong decode.
//
//   npm run gen:asterix [-- SPEC_DIR]     (default: $SKYFUSE_ASTERIX_SPECS or ../shared/data/asterix-specs)

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED_DIR = join(REPO_ROOT, 'src', 'asterix', 'generated');

/** Output file → [category spec, REF spec or null]. The editions are the ones copied to shared/data. */
export const SOURCES: readonly (readonly [string, string, string | null])[] = [
  ['cat021.ts', 'cat021-2.7.json', 'cat021-ref-1.5.json'],
  ['cat034.ts', 'cat034-1.29.json', null],
  ['cat048.ts', 'cat048-1.32.json', 'cat048-ref-1.13.json'],
  ['cat062.ts', 'cat062-1.21.json', 'cat062-ref-1.3.json'],
  ['cat065.ts', 'cat065-1.6.json', null],
];

export function defaultSpecDir(): string {
  return process.env['SKYFUSE_ASTERIX_SPECS'] ?? resolve(REPO_ROOT, '..', 'shared', 'data', 'asterix-specs');
}

// The JSON is loosely typed on purpose: every access is checked by `need`.
type Json = any;

function need(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(`gen-asterix: unsupported spec construct: ${what}`);
}

function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

class Emitter {
  readonly used = new Set<string>();

  use(name: string): string {
    this.used.add(name);
    return name;
  }

  /** A number from the spec (NumInt, NumPow, NumDiv), as TypeScript source. */
  num(n: Json, where: string): string {
    if (n.tag === 'NumInt') return String(n.contents);
    if (n.tag === 'NumPow') return `${n.contents.base} ** ${n.contents.exponent}`;
    need(false, `${where}: number ${JSON.stringify(n)}`);
  }

  content(c: Json, where: string): string {
    switch (c.tag) {
      case 'ContentRaw':
        return this.use('raw');
      case 'ContentTable':
        return this.use('table');
      case 'ContentInteger':
        return this.use(c.contents.signedness.tag === 'Signed' ? 'sint' : 'uint');
      case 'ContentQuantity': {
        const q = c.contents;
        const fn = this.use(q.signedness.tag === 'Signed' ? 'sq' : 'uq');
        let numS: string;
        let denS: string;
        if (q.lsb.tag === 'NumDiv') {
          numS = this.num(q.lsb.contents.numerator, where);
          denS = this.num(q.lsb.contents.denominator, where);
        } else {
          numS = this.num(q.lsb, where);
          denS = '1';
        }
        return `${fn}(${numS}, ${denS}, ${str(q.unit)})`;
      }
      case 'ContentString': {
        const enc = c.contents.tag;
        if (enc === 'StringAscii') return this.use('ascii');
        if (enc === 'StringICAO') return this.use('icao');
        if (enc === 'StringOctal') return this.use('octal');
        need(false, `${where}: string ${enc}`);
        break;
      }
      case 'ContentBds':
        return this.use('bds');
    }
    need(false, `${where}: content ${c.tag}`);
  }

  /** An element's rule: context free, or depending on a sibling of the same group. */
  elementRule(rule: Json, path: readonly string[]): string {
    const where = path.join('/');
    if (rule.tag === 'ContextFree') return this.content(rule.contents, where);
    need(rule.tag === 'Dependent', `${where}: rule ${rule.tag}`);
    const { path: deps, default: def, cases } = rule.contents;
    need(Array.isArray(deps) && deps.length === 1, `${where}: dependency on ${JSON.stringify(deps)}`);
    const on: string[] = deps[0];
    need(
      on.length === path.length && on.slice(0, -1).every((p, i) => p === path[i]),
      `${where}: dependency on non-sibling ${on.join('/')}`,
    );
    const caseS = (cases as Json[]).map(([vals, c]) => {
      need(Array.isArray(vals) && vals.length === 1, `${where}: case ${JSON.stringify(vals)}`);
      return `[${vals[0]}, ${this.content(c, where)}]`;
    });
    return `${this.use('dep')}(${str(on[on.length - 1]!)}, ${this.content(def, where)}, [${caseS.join(', ')}])`;
  }

  nonSpare(ns: Json, path: readonly string[], indent: string): string {
    const p = [...path, ns.name as string];
    need(ns.rule.tag === 'ContextFree', `${p.join('/')}: item-level rule ${ns.rule.tag}`);
    return `[${str(ns.name)}, ${this.variation(ns.rule.contents, p, indent)}]`;
  }

  part(x: Json, path: readonly string[], indent: string): string {
    if (x.tag === 'Spare') return String(x.contents);
    need(x.tag === 'Item', `${path.join('/')}: group part ${x.tag}`);
    return this.nonSpare(x.contents, path, indent);
  }

  variation(v: Json, path: readonly string[], indent: string): string {
    const where = path.join('/');
    const inner = indent + '  ';
    switch (v.tag) {
      case 'Element':
        return `${this.use('el')}(${v.contents.bitSize}, ${this.elementRule(v.contents.rule, path)})`;
      case 'Group': {
        const parts = (v.contents as Json[]).map((x) => this.part(x, path, inner));
        this.checkFixed(v, where);
        return `${this.use('grp')}(${parts.join(', ')})`;
      }
      case 'Extended': {
        const segs: string[][] = [[]];
        const list = v.contents as Json[];
        need(list[list.length - 1] === null, `${where}: extended item not ending with FX`);
        for (const x of list.slice(0, -1)) {
          if (x === null) segs.push([]);
          else segs[segs.length - 1]!.push(this.part(x, path, inner));
        }
        for (const [i, seg] of segmentBits(list).entries()) {
          need(seg % 8 === 7, `${where}: extended segment ${i} has ${seg} bits + FX`);
        }
        return `${this.use('ext')}(${segs.map((s) => `[${s.join(', ')}]`).join(', ')})`;
      }
      case 'Repetitive': {
        const { type, variation } = v.contents;
        const sub = this.variation(variation, path, indent);
        const bits = fixedBitsOf(variation, where);
        if (type.tag === 'RepetitiveRegular') {
          need(bits % 8 === 0, `${where}: repetition of ${bits} bits`);
          return `${this.use('rep')}(${type.contents.byteSize}, ${sub})`;
        }
        need(type.tag === 'RepetitiveFx', `${where}: repetitive ${type.tag}`);
        need(bits % 8 === 7, `${where}: FX repetition of ${bits} bits`);
        return `${this.use('rep')}(0, ${sub})`;
      }
      case 'Explicit': {
        const t = v.contents?.tag;
        const kind = t === 'ReservedExpansion' ? "'re'" : t === 'SpecialPurpose' ? "'sp'" : 'null';
        return `${this.use('expl')}(${kind})`;
      }
      case 'Compound': {
        const subs = (v.contents as Json[]).map((x) =>
          x === null ? 'null' : this.nonSpare(x, path, inner),
        );
        return `${this.use('cmp')}(\n${subs.map((s) => `${inner}${s},\n`).join('')}${indent})`;
      }
    }
    need(false, `${where}: variation ${v.tag}`);
  }

  checkFixed(v: Json, where: string): void {
    fixedBitsOf(v, where);
  }
}

function fixedBitsOf(v: Json, where: string): number {
  if (v.tag === 'Element') return v.contents.bitSize;
  need(v.tag === 'Group', `${where}: ${v.tag} inside a fixed-size part`);
  let n = 0;
  for (const x of v.contents as Json[]) {
    if (x.tag === 'Spare') n += x.contents;
    else {
      need(x.contents.rule.tag === 'ContextFree', `${where}: dependent variation`);
      n += fixedBitsOf(x.contents.rule.contents, `${where}/${x.contents.name}`);
    }
  }
  return n;
}

function segmentBits(list: readonly Json[]): number[] {
  const out: number[] = [];
  let n = 0;
  for (const x of list) {
    if (x === null) {
      out.push(n);
      n = 0;
    } else if (x.tag === 'Spare') n += x.contents;
    else n += fixedBitsOf(x.contents.rule.contents, x.contents.name);
  }
  return out;
}

function edition(e: Json): string {
  return `${e.major}.${e.minor}`;
}

function date(d: Json): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** The source text of one generated file. */
export function generateFile(specDir: string, catFile: string, refFile: string | null): string {
  const spec = JSON.parse(readFileSync(join(specDir, catFile), 'utf8'));
  need(spec.tag === 'AsterixBasic', `${catFile}: ${spec.tag}`);
  const c = spec.contents;
  const cat3 = String(c.category).padStart(3, '0');
  const em = new Emitter();

  need(c.uap.tag === 'Uap', `${catFile}: UAP ${c.uap.tag}`);
  const uap = (c.uap.contents as Json[]).map((u) => {
    if (u.tag === 'UapItemSpare') return 'null';
    need(u.tag === 'UapItem', `${catFile}: UAP entry ${u.tag}`);
    return str(u.contents);
  });

  const items: string[] = [];
  for (const it of c.catalogue as Json[]) {
    need(it.rule.tag === 'ContextFree', `${catFile} ${it.name}: item-level rule ${it.rule.tag}`);
    items.push(`    ${str(it.name)}: ${em.variation(it.rule.contents, [it.name], '    ')},\n`);
  }

  let refS = 'null';
  let refNote = '';
  if (refFile !== null) {
    const r = JSON.parse(readFileSync(join(specDir, refFile), 'utf8'));
    need(r.tag === 'AsterixExpansion', `${refFile}: ${r.tag}`);
    need(r.contents.category === c.category, `${refFile}: category ${r.contents.category}`);
    const fspecBytes = r.contents.fspecByteSize;
    need(typeof fspecBytes === 'number' && fspecBytes >= 1, `${refFile}: fspecByteSize ${fspecBytes}`);
    const subs = (r.contents.items as Json[]).map((x) =>
      x === null ? 'null' : em.nonSpare(x, [x.name], '      '),
    );
    refS =
      `{\n    edition: ${str(edition(r.contents.edition))},\n    fspecBytes: ${fspecBytes},\n    subs: [\n` +
      subs.map((s) => `      ${s},\n`).join('') +
      '    ],\n  }';
    refNote = `; RE field: REF ed. ${edition(r.contents.edition)} (${date(r.contents.date)})`;
  }

  const sources = refFile === null ? catFile : `${catFile}, ${refFile}`;
  const imports = [...em.used].sort();
  return (
    `// GENERATED by scripts/gen-asterix.ts from ${sources} (zoranbosnjak/asterix-specs) — do not edit\n` +
    `// CAT${cat3} ed. ${edition(c.edition)} (${date(c.date)}) "${c.title}"${refNote}.\n` +
    `import type { CategoryDef } from '../spec.ts';\n` +
    `import { ${imports.join(', ')} } from '../spec.ts';\n\n` +
    `export const cat${cat3}: CategoryDef = {\n` +
    `  cat: ${c.category},\n` +
    `  edition: ${str(edition(c.edition))},\n` +
    `  uap: [${uap.join(', ')}],\n` +
    `  items: {\n${items.join('')}  },\n` +
    `  ref: ${refS},\n` +
    `};\n`
  );
}

/** Every generated file: name → source text. */
export function generateAll(specDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, catFile, refFile] of SOURCES) out.set(name, generateFile(specDir, catFile, refFile));
  return out;
}

function main(): void {
  const specDir = process.argv[2] ?? defaultSpecDir();
  mkdirSync(GENERATED_DIR, { recursive: true });
  for (const [name, text] of generateAll(specDir)) {
    writeFileSync(join(GENERATED_DIR, name), text);
    process.stdout.write(`wrote src/asterix/generated/${name} (${text.length} bytes)\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
