import { FAMILIES, parseOptions } from './options.js';

describe('parseOptions', () => {
  it('defaults to the workload the issues ask for', () => {
    expect(parseOptions({})).toEqual({ packages: 2000, runs: 5, large: 20000, only: [...FAMILIES], markdown: false });
  });

  it('reads the BENCH_* variables', () => {
    expect(parseOptions({ BENCH_PACKAGES: '200', BENCH_RUNS: '3', BENCH_LARGE: '0', BENCH_ONLY: 'mirror, publish', BENCH_MARKDOWN: '1' })).toEqual({
      packages: 200,
      runs: 3,
      large: 0,
      only: ['mirror', 'publish'],
      markdown: true,
    });
  });

  it('refuses values that would silently measure something else', () => {
    expect(() => parseOptions({ BENCH_RUNS: '0' })).toThrow(/BENCH_RUNS must be an integer >= 1/);
    expect(() => parseOptions({ BENCH_PACKAGES: '2k' })).toThrow(/BENCH_PACKAGES/);
    expect(() => parseOptions({ BENCH_ONLY: 'mirrors' })).toThrow(/unknown family "mirrors"/);
  });
});
