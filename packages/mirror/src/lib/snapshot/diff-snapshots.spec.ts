import type { SnapshotPackage } from '../store/snapshot-record.js';
import { diffPackages } from './diff-snapshots.js';

let serial = 0;
function p(name: string, evr: string, arch = 'noarch', digest?: string): SnapshotPackage {
  const [epoch, rest] = evr.includes(':') ? evr.split(':') : ['0', evr];
  const [version, release] = rest!.split('-');
  const d = digest ?? `${name}-${evr}-${arch}`.padEnd(64, '0');
  return { name, epoch: epoch!, version: version!, release: release!, arch, href: `pool/${d.slice(0, 2)}/${d}/${name}-${version}-${release}.${arch}.rpm`, checksumType: 'sha256', digest: d, size: ++serial };
}

describe('diffPackages', () => {
  it('tells added, removed, upgraded, downgraded, rebuilt and unchanged packages apart', () => {
    const keep = Array.from({ length: 50 }, (_, i) => p(`same-${i}`, '1.0-1'));
    const a = [...keep, p('up', '1.0-1'), p('down', '2.0-1'), p('rebuilt', '1.0-1', 'noarch', 'a'.repeat(64)), p('gone', '1.0-1'), p('multi', '1.0-1'), p('multi', '2.0-1')];
    const b = [...keep, p('up', '1:0.5-1'), p('down', '1.5-1'), p('rebuilt', '1.0-1', 'noarch', 'b'.repeat(64)), p('new', '1.0-1', 'x86_64'), p('multi', '2.0-1'), p('multi', '3.0-1')];
    const d = diffPackages(a, b);
    expect(d.upgraded).toEqual([{ name: 'up', arch: 'noarch', from: '1.0-1', to: '1:0.5-1' }]);
    expect(d.downgraded).toEqual([{ name: 'down', arch: 'noarch', from: '2.0-1', to: '1.5-1' }]);
    expect(d.rebuilt).toEqual([{ name: 'rebuilt', arch: 'noarch', from: '1.0-1', to: '1.0-1' }]);
    expect(d.removed).toEqual([
      { name: 'gone', arch: 'noarch', from: '1.0-1' },
      { name: 'multi', arch: 'noarch', from: '1.0-1' },
    ]);
    expect(d.added).toEqual([
      { name: 'multi', arch: 'noarch', to: '3.0-1' },
      { name: 'new', arch: 'x86_64', to: '1.0-1' },
    ]);
    // The 50 untouched packages, and multi 2.0-1, which both sides have.
    expect(d.unchanged).toBe(51);
  });

  it('counts every package of identical lists as unchanged, and a first snapshot as all added', () => {
    const list = [p('x', '1.0-1'), p('x', '2.0-1'), p('y', '1.0-1', 'x86_64')];
    expect(diffPackages(list, [...list].reverse())).toEqual({ added: [], removed: [], upgraded: [], downgraded: [], rebuilt: [], unchanged: 3 });
    expect(diffPackages([], list).added.map((e) => e.to)).toEqual(['1.0-1', '2.0-1', '1.0-1']);
  });

  it('compares the builds of one EVR as a set: the same files are unchanged, other files a rebuild', () => {
    const build = (c: string) => p('hello', '2.0-1', 'noarch', c.repeat(64));
    const world = p('world', '1.0-1');
    expect(diffPackages([build('a'), build('b'), world], [build('b'), build('a'), world])).toMatchObject({ rebuilt: [], added: [], removed: [], unchanged: 3 });
    const d = diffPackages([build('a'), build('b'), world], [build('c'), world]);
    expect(d).toMatchObject({ rebuilt: [{ name: 'hello', arch: 'noarch', from: '2.0-1', to: '2.0-1' }], added: [], removed: [], unchanged: 1 });
    expect(diffPackages([build('a')], [build('a'), build('b')]).rebuilt).toHaveLength(1);
  });
});
