/**
 * A seeded pseudo-random series for tests that pick random moments (kill delays): the seed is printed, and
 * OVIRT_REPO_TEST_SEED=<seed> replays the same series. mulberry32: small, and good enough for delays.
 */
export function seededRandom(label: string): { seed: number; next(): number } {
  const given = process.env.OVIRT_REPO_TEST_SEED;
  const seed = given ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 32);
  process.stderr.write(`${label}: seed ${seed} (replay with OVIRT_REPO_TEST_SEED=${seed})\n`);
  let a = seed;
  return {
    seed,
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    },
  };
}
