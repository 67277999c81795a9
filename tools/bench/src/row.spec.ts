import { describeGoal, failedRow, formatMs, goalStatus, pairedRow, ratioOf, skippedRow, type Row } from './row.js';

const row = (over: Partial<Row>): Row => ({ name: 'r', oursMs: 100, peerName: 'peer', peerMs: 200, ratio: 0.5, goal: {}, runs: 5, ...over });

describe('goalStatus', () => {
  it('checks a ratio goal inclusively', () => {
    expect(goalStatus(row({ ratio: 1, goal: { maxRatio: 1 } }))).toBe('yes');
    expect(goalStatus(row({ ratio: 1.01, goal: { maxRatio: 1 } }))).toBe('no');
  });

  it('compares the ratio as printed, to two decimals', () => {
    expect(goalStatus(row({ ratio: 1.004, goal: { maxRatio: 1 } }))).toBe('yes');
    expect(goalStatus(row({ ratio: 1.006, goal: { maxRatio: 1 } }))).toBe('no');
  });

  it('needs every part of a combined goal', () => {
    const goal = { maxMs: 500, maxRequests: 1 };
    expect(goalStatus(row({ oursMs: 450, requests: 1, goal }))).toBe('yes');
    expect(goalStatus(row({ oursMs: 450, requests: 2, goal }))).toBe('no');
    expect(goalStatus(row({ oursMs: 510, requests: 1, goal }))).toBe('no');
  });

  it('is n/a without a goal or without the figure the goal needs', () => {
    expect(goalStatus(row({ goal: {} }))).toBe('n/a');
    expect(goalStatus(row({ goal: { maxRequests: 1 } }))).toBe('n/a');
    expect(goalStatus(row({ ratio: null, goal: { maxRatio: 1 } }))).toBe('n/a');
  });

  it('says skipped for a skipped row, whatever its goal', () => {
    expect(goalStatus(skippedRow('x', 'peer', { maxRatio: 1 }, 'not built'))).toBe('skipped');
  });
});

describe('describeGoal', () => {
  it('prints each check, or that the issues state none', () => {
    expect(describeGoal({ maxRatio: 1 })).toBe('<= 1.00');
    expect(describeGoal({ maxRatio: 0.1 })).toBe('<= 0.10');
    expect(describeGoal({ maxMs: 500, maxRequests: 1 })).toBe('<= 500 ms, <= 1 req');
    expect(describeGoal({})).toBe('none stated');
  });
});

describe('pairedRow and ratioOf', () => {
  it('carries the paired figures into a row', () => {
    const r = pairedRow({ name: 'n', oursMs: 1, peerMs: 2, ratio: 0.5, runs: 3 }, 'peer', { maxRatio: 1 }, 'why');
    expect(r).toEqual({ name: 'n', oursMs: 1, peerName: 'peer', peerMs: 2, ratio: 0.5, goal: { maxRatio: 1 }, runs: 3, note: 'why' });
  });

  it('divides, and refuses a zero base', () => {
    expect(ratioOf(1, 4)).toBe(0.25);
    expect(() => ratioOf(1, 0)).toThrow(/ratio against 0/);
  });
});

describe('formatMs', () => {
  it('uses milliseconds below a second and seconds above', () => {
    expect(formatMs(349.6)).toBe('350 ms');
    expect(formatMs(1234)).toBe('1.23 s');
  });
});

describe('failedRow', () => {
  it('keeps the first line of the error and fails the goal column', () => {
    const r = failedRow('publish', new Error('mirror sync failed (exit 1):\nSyntaxError: ...'));
    expect(r.name).toBe('publish benchmarks');
    expect(r.failed).toBe('mirror sync failed (exit 1):');
    expect(goalStatus(r)).toBe('failed');
  });
});
