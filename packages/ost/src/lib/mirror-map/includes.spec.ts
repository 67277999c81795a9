import { distroOf, mergeMirrorMaps, mirrorMapToInsertions } from './includes.js';
import { mirrorMapToObject, type MirrorMap } from './types.js';

function map(object: Record<string, string | string[][]>): MirrorMap {
  const m: MirrorMap = { repos: new Map(), before: new Map() };
  for (const [k, v] of Object.entries(object)) {
    if (typeof v === 'string') m.repos.set(k, v);
    else m.before.set(k.slice('before:'.length), v.map(([repo, url]) => ({ repo: repo!, url: url! })));
  }
  return m;
}

describe('mergeMirrorMaps', () => {
  // mirror_client's test_merge_mirrors
  it('keeps the including map\'s URLs and concatenates insertions', () => {
    const a = map({ repo1: 'url1', repo2: 'url2', 'before:repo1': [['repo3', 'url3']], 'before:repo2': [['repo4', 'url4']] });
    const b = map({ repo2: 'url2b', repo5: 'url5', 'before:repo2': [['repo6', 'url6'], ['repo7', 'url7']] });
    expect(mirrorMapToObject(mergeMirrorMaps(a, b))).toEqual({
      repo1: 'url1',
      repo2: 'url2',
      repo5: 'url5',
      'before:repo1': [['repo3', 'url3']],
      'before:repo2': [['repo4', 'url4'], ['repo6', 'url6'], ['repo7', 'url7']],
    });
    // Inputs are not modified.
    expect(a.before.get('repo2')).toHaveLength(1);
  });
});

describe('mirrorMapToInsertions', () => {
  // mirror_client's test_mirrors_to_inserts
  it('turns repos into insertions before <prefix>-<distro>, ordered by name, after existing insertions', () => {
    const m = map({
      'repo1-el7': '/repo1/el7',
      'repo1-el8': '/repo1/el8',
      'repo1-fc30': '/repo1/fc30',
      'repo2-el7': '/repo2/el7',
      'before:target-fc30': [['repo3-fc30', '/repo3/fc30']],
    });
    expect(mirrorMapToObject(mirrorMapToInsertions(m, 'target'))).toEqual({
      'before:target-el7': [['repo1-el7', '/repo1/el7'], ['repo2-el7', '/repo2/el7']],
      'before:target-el8': [['repo1-el8', '/repo1/el8']],
      'before:target-fc30': [['repo3-fc30', '/repo3/fc30'], ['repo1-fc30', '/repo1/fc30']],
    });
  });

  it('takes the part after the last dash as the distro, the whole name without one', () => {
    expect(distroOf('ovirt-master-el8')).toBe('el8');
    expect(distroOf('plain')).toBe('plain');
  });
});
