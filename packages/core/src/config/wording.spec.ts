import { didYouMean, editDistance, formatKeyPath, oneOf } from './wording.js';

describe('didYouMean', () => {
  const keys = ['mode', 'arch', 'include', 'exclude', 'newestOnly', 'keepVersions', 'retention', 'keepDays', 'keepMetadataDays'];
  it.each([
    ['keepDay', 'keepDays'],
    ['keep_days', 'keepDays'],
    ['newest-only', 'newestOnly'],
    ['NewestOnly', 'newestOnly'],
    ['exlude', 'exclude'],
    ['retension', 'retention'],
    ['arches', 'arch'],
  ])('%s -> %s', (typo, meant) => {
    expect(didYouMean(typo, keys)).toBe(meant);
  });

  it('suggests nothing when nothing is close', () => {
    expect(didYouMean('frobnicate', keys)).toBeUndefined();
    expect(didYouMean('x', keys)).toBeUndefined();
  });

  it('completes a prefix of an allowed value', () => {
    expect(didYouMean('add', ['mirror', 'additive'])).toBe('additive');
  });

  it('counts a transposition as one edit', () => {
    expect(editDistance('mode', 'mdoe')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('wording', () => {
  it('writes key paths as users read them', () => {
    expect(formatKeyPath(['repos', 'experimental-master-el9', 'mode'])).toBe('repos.experimental-master-el9.mode');
    expect(formatKeyPath(['repos', 'x', 'sources', 1])).toBe('repos.x.sources[1]');
    expect(formatKeyPath(['repos', 'el9.x86_64', 'arch'])).toBe('repos["el9.x86_64"].arch');
    expect(formatKeyPath([])).toBe('(top level)');
  });

  it('lists choices', () => {
    expect(oneOf(['mirror', 'additive'])).toBe('"mirror" or "additive"');
    expect(oneOf(['a', 'b', 'c'])).toBe('"a", "b" or "c"');
  });
});
