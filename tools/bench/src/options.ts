/** The benchmark families, in the order main runs and prints them. */
export const FAMILIES = ['minirepo', 'mirror', 'publish', 'snapshot'] as const;
export type Family = (typeof FAMILIES)[number];

export interface BenchOptions {
  /** Packages of the main corpus (BENCH_PACKAGES, default 2,000 as the issues ask). */
  packages: number;
  /** Paired runs per row (BENCH_RUNS, default 5): the median of 5 survives two outliers. */
  runs: number;
  /** The large repo of the snapshot-growth row (BENCH_LARGE, default 20,000; 0 skips that row). */
  large: number;
  /** Families to run (BENCH_ONLY=mirror,publish), default all. */
  only: Family[];
  /** Also print the table as Markdown, for docs/performance.md (BENCH_MARKDOWN=1). */
  markdown: boolean;
}

/** Reads the BENCH_* variables; a bad value is an error rather than a silently different workload. */
export function parseOptions(env: Record<string, string | undefined>): BenchOptions {
  const int = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const only = (env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const f of only) {
    if (!(FAMILIES as readonly string[]).includes(f)) throw new Error(`BENCH_ONLY: unknown family ${JSON.stringify(f)} (known: ${FAMILIES.join(', ')})`);
  }
  return {
    packages: int('BENCH_PACKAGES', 2000, 10),
    runs: int('BENCH_RUNS', 5, 1),
    large: int('BENCH_LARGE', 20000, 0),
    only: only.length ? (only as Family[]) : [...FAMILIES],
    markdown: env.BENCH_MARKDOWN === '1',
  };
}
