// A deep copy of an object graph that keeps what the chain's state is made
// of: class instances (same prototype, so their methods work on the copy),
// arrays, Maps, Sets, typed arrays (views sharing a buffer keep sharing
// their copied buffer) and shared references (an object reached twice is
// copied once). Functions cannot be copied (a closure's captured variables
// are out of reach): each one met goes to `onFunction`, which says what the
// copy holds instead; without it, or for anything else outside this list
// (a WeakMap, a Promise, an accessor property), the copy fails with
// Uncloneable, so a chain that grows state this cannot copy is noticed
// rather than half-copied.

export class Uncloneable extends Error {
  constructor(readonly what: string) {
    super(`cannot copy ${what}`);
  }
}

/** What the copy holds in place of `fn`, found at `owner[key]` (owner: the original object). */
export type OnFunction = (owner: object, key: PropertyKey, fn: (...args: never[]) => unknown) => unknown;

export function cloneGraph<T>(root: T, onFunction?: OnFunction): T {
  const memo = new Map<unknown, unknown>();

  const buffer = (b: ArrayBufferLike): ArrayBufferLike => {
    let c = memo.get(b) as ArrayBufferLike | undefined;
    if (!c) {
      if (!(b instanceof ArrayBuffer)) throw new Uncloneable('a SharedArrayBuffer');
      c = b.slice(0);
      memo.set(b, c);
    }
    return c;
  };

  const copy = (v: unknown, owner: object | null, key: PropertyKey): unknown => {
    if (typeof v === 'function') {
      if (!onFunction || owner === null) throw new Uncloneable(`a function at ${String(key)}`);
      return onFunction(owner, key, v as (...args: never[]) => unknown);
    }
    if (v === null || typeof v !== 'object') return v;
    const seen = memo.get(v);
    if (seen !== undefined) return seen;
    const proto = Object.getPrototypeOf(v) as object | null;
    if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      memo.set(v, out);
      if (proto !== Array.prototype) Object.setPrototypeOf(out, proto);
      for (let i = 0; i < v.length; i++) out[i] = copy(v[i], v, i);
      return out;
    }
    if (ArrayBuffer.isView(v)) {
      if (v instanceof DataView) {
        const out = new DataView(buffer(v.buffer), v.byteOffset, v.byteLength);
        memo.set(v, out);
        return out;
      }
      const ctor = (v as unknown as { constructor: new (b: ArrayBufferLike, o: number, n: number) => ArrayBufferView }).constructor;
      const out = new ctor(buffer(v.buffer), v.byteOffset, (v as unknown as { length: number }).length);
      memo.set(v, out);
      return out;
    }
    if (v instanceof ArrayBuffer) return buffer(v);
    if (v instanceof Map) {
      const out = new Map();
      memo.set(v, out);
      if (proto !== Map.prototype) Object.setPrototypeOf(out, proto);
      for (const [k, x] of v) out.set(copy(k, v, k), copy(x, v, k));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set();
      memo.set(v, out);
      if (proto !== Set.prototype) Object.setPrototypeOf(out, proto);
      for (const x of v) out.add(copy(x, v, x));
      return out;
    }
    if (v instanceof Date) {
      const out = new Date(v.getTime());
      memo.set(v, out);
      return out;
    }
    const tag = Object.prototype.toString.call(v);
    if (tag !== '[object Object]') throw new Uncloneable(tag);
    const out = Object.create(proto) as Record<PropertyKey, unknown>;
    memo.set(v, out);
    for (const k of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, k)!;
      if (!('value' in d)) throw new Uncloneable(`the accessor property ${String(k)}`);
      const x = copy(d.value, v, k);
      if (d.writable && d.enumerable && d.configurable) out[k] = x;
      else Object.defineProperty(out, k, { ...d, value: x });
    }
    if (Object.isFrozen(v)) Object.freeze(out);
    else if (Object.isSealed(v)) Object.seal(out);
    else if (!Object.isExtensible(v)) Object.preventExtensions(out);
    return out;
  };

  return copy(root, null, '') as T;
}
