import { firstLine, formatLoad } from './machine.js';

describe('firstLine', () => {
  it('takes the first non-empty line, trimmed', () => {
    expect(firstLine('\n  rsync  version 3.2.7  protocol version 31\nCopyright\n')).toBe('rsync  version 3.2.7  protocol version 31');
    expect(firstLine('')).toBe('');
  });
});

describe('formatLoad', () => {
  it('prints the three load averages with two decimals', () => {
    expect(formatLoad([2.091, 0.5, 3])).toBe('2.09 0.50 3.00');
  });
});
