import { fromSamples, median, paired, repeat } from './measure.js';

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([7])).toBe(7);
  });

  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('does not reorder its input', () => {
    const v = [3, 1, 2];
    median(v);
    expect(v).toEqual([3, 1, 2]);
  });

  it('refuses an empty list', () => {
    expect(() => median([])).toThrow(/no values/);
  });
});

describe('fromSamples', () => {
  it('reports the median of per-pair ratios, not the ratio of medians', () => {
    // Pairs (10/5, 30/10, 20/40): ratios 2, 3, 0.5 -> median 2; the medians alone would give 20/10.
    const r = fromSamples('x', [10, 30, 20], [5, 10, 40]);
    expect(r).toEqual({ name: 'x', oursMs: 20, peerMs: 10, ratio: 2, runs: 3 });
  });

  it('needs as many samples on both sides', () => {
    expect(() => fromSamples('x', [1, 2], [1])).toThrow(/same non-zero number/);
    expect(() => fromSamples('x', [], [])).toThrow(/same non-zero number/);
  });
});

describe('paired', () => {
  it('alternates which side runs first and pairs the samples', async () => {
    const order: string[] = [];
    const r = await paired('p', 4, async (i) => ({
      ours: async () => {
        order.push(`o${i}`);
        return 10 * (i + 1);
      },
      peer: async () => {
        order.push(`p${i}`);
        return 20;
      },
    }));
    expect(order).toEqual(['o0', 'p0', 'p1', 'o1', 'o2', 'p2', 'p3', 'o3']);
    expect(r).toEqual({ name: 'p', oursMs: 25, peerMs: 20, ratio: 1.25, runs: 4 });
  });
});

describe('repeat', () => {
  it('runs the untimed step before each timed run', async () => {
    const log: string[] = [];
    const out = await repeat(2, async (i) => {
      log.push(`step${i}`);
      return async () => {
        log.push(`run${i}`);
        return i;
      };
    });
    expect(out).toEqual([0, 1]);
    expect(log).toEqual(['step0', 'run0', 'step1', 'run1']);
  });
});
