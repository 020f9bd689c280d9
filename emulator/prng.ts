// Small seeded PRNG (mulberry32): the emulator's randomness (the seeded org, fault dice, ids, secrets in tests)
// must be reproducible for a given --seed so that a failing test can be replayed exactly.
export type Random = () => number;

/** mulberry32's raw output: uniform 32-bit unsigned integers. */
export function createUint32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform in [0, 1). */
export function createRandom(seed: number): Random {
  const uint32 = createUint32(seed);
  return () => uint32() / 4294967296;
}
