import { DURATION_PATTERN, durationProblem, formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['30m', 1800],
    ['12h', 43_200],
    ['14d', 1_209_600],
    ['2w', 1_209_600],
    ['1d12h', 129_600],
    ['0d', 0],
    [' 14d ', 1_209_600],
    [3600, 3600],
  ])('%j is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '14', 'd', '14 days', '14D', '1.5d', '-1d', '14y', 'd14'])('rejects %j with a usage error naming it', (text) => {
    expect(() => parseDuration(text)).toThrow(expect.objectContaining({ code: 'E_USAGE', message: expect.stringContaining(JSON.stringify(text.trim())) }));
  });

  it('rejects negative, fractional and enormous numbers', () => {
    expect(() => parseDuration(-1)).toThrow(/whole number of seconds, got -1/);
    expect(() => parseDuration(1.5)).toThrow(/got 1.5/);
    expect(durationProblem('99999999999999999w')).toMatch(/too long/);
  });

  it('says what a duration looks like', () => {
    expect(durationProblem('14 days')).toBe('must be a duration such as 14d, 12h, 30m, 2w or 1d12h (units: s, m, h, d, w), got "14 days"');
    expect(DURATION_PATTERN.test('2w3d')).toBe(true);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [1800, '30m'],
    [1_209_600, '14d'],
    [129_600, '1d12h'],
    [90_061, '1d1h1m1s'],
  ])('%d seconds is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
    expect(parseDuration(text)).toBe(seconds);
  });
});
