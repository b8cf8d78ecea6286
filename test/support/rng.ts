// A small deterministic PRNG for tests that draw random scenarios (mulberry32,
// a public-domain 32-bit generator): the same seed gives the same numbers on
// every machine, so a failure can be replayed.

/** Numbers in [0, 1) from `seed`. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
