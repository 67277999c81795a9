import { selectPackages } from './select-packages.js';

const p = (name: string, version: string, release = '1', arch = 'noarch', tag = '') => ({ name, version, release, arch, epoch: '0', tag });
const names = (r: { selected: { name: string; version: string; tag: string }[] }) => r.selected.map((x) => `${x.name}-${x.version}${x.tag}`);

describe('selectPackages', () => {
  it('mirror mode holds exactly the filtered source packages', () => {
    const r = selectPackages({ mode: 'mirror', incoming: [p('a', '1'), p('a', '2'), p('b', '1', '1', 'i686')], previous: [p('old', '1')], options: { arch: ['x86_64'] }, modular: false });
    expect(names(r)).toEqual(['a-1', 'a-2']);
    expect(r.filteredOut).toBe(1);
  });

  it('newest-only keeps the newest EVR per name.arch (rpm order, not string order)', () => {
    const r = selectPackages({ mode: 'mirror', incoming: [p('a', '1.10'), p('a', '1.9'), p('a', '1.10', '1', 'x86_64')], previous: [], options: { newestOnly: true }, modular: false });
    expect(names(r)).toEqual(['a-1.10', 'a-1.10']);
    expect(r.pruned).toBe(1);
  });

  it('modular repos keep every version', () => {
    const r = selectPackages({ mode: 'mirror', incoming: [p('a', '1'), p('a', '2')], previous: [], options: { newestOnly: true }, modular: true });
    expect(names(r)).toEqual(['a-1', 'a-2']);
  });

  it('additive mode: previous plus new, newest EVR of each name.arch wins', () => {
    const r = selectPackages({ mode: 'additive', incoming: [p('a', '2'), p('c', '1')], previous: [p('a', '1'), p('b', '1'), p('c', '2')], options: {}, modular: false });
    expect(names(r)).toEqual(['a-2', 'b-1', 'c-2']);
  });

  it('additive mode with keep-versions keeps N per name.arch', () => {
    const r = selectPackages({ mode: 'additive', incoming: [p('a', '3')], previous: [p('a', '1'), p('a', '2')], options: { keepVersions: 2 }, modular: false });
    expect(names(r)).toEqual(['a-2', 'a-3']);
  });

  it('a rebuild with the same NEVRA replaces the previous build; a later source wins', () => {
    const r = selectPackages({ mode: 'additive', incoming: [p('a', '1', '1', 'noarch', '@s1'), p('a', '1', '1', 'noarch', '@s2')], previous: [p('a', '1', '1', 'noarch', '@old')], options: {}, modular: false });
    expect(names(r)).toEqual(['a-1@s2']);
  });

  it('filters apply to incoming packages only', () => {
    const r = selectPackages({ mode: 'additive', incoming: [p('x', '1')], previous: [p('y', '1')], options: { include: ['z*'] }, modular: false });
    expect(names(r)).toEqual(['y-1']);
  });
});
