// A strict XML well-formedness check for tests (xmllint is not installed on
// the CI image): enough to prove a KML export parses.

/**
 * A strict well-formedness check (xmllint is not installed here): one root,
 * every tag closed in order, attribute values quoted, only the five
 * predefined entities or character references, no stray '<' or '&'.
 */
export function assertWellFormedXml(text: string): void {
  let s = text.replace(/^<\?xml [^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const re = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<&]*"|'[^'<&]*'))*)\s*(\/?)>|([^<]+)|(<)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < s.length && (m = re.exec(s)) !== null) {
    pos = re.lastIndex;
    if (m[6]) throw new Error(`malformed markup at ${m.index}: ${s.slice(m.index, m.index + 40)}`);
    if (m[5] !== undefined) {
      const text = m[5];
      if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root at ${m.index}`);
      for (const ent of text.matchAll(/&([^;\s]*);?/g)) {
        if (!/^(lt|gt|amp|apos|quot|#\d+|#x[0-9a-fA-F]+)$/.test(ent[1]!) || !ent[0].endsWith(';')) throw new Error(`bad entity ${ent[0]} at ${m.index}`);
      }
      continue;
    }
    const [, close, name, , self] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}> at ${m.index}`);
    } else if (!self) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  if (pos < s.length) throw new Error(`unparsed input at ${pos}`);
  if (stack.length) throw new Error(`unclosed <${stack.join('><')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  s = '';
}
