import { RpmSpecError, resolveSpec } from './resolve-spec.js';
import { DEFAULT_BUILD_TIME, type RpmSpec } from './spec.js';

const base: RpmSpec = { name: 'hello', version: '1.0', release: '1', arch: 'x86_64' };

function errorOf(spec: unknown): RpmSpecError {
  try {
    resolveSpec(spec as RpmSpec);
  } catch (e) {
    expect(e).toBeInstanceOf(RpmSpecError);
    return e as RpmSpecError;
  }
  throw new Error('expected resolveSpec to throw');
}

describe('resolveSpec defaults', () => {
  it('fills in deterministic defaults', () => {
    const r = resolveSpec(base);
    expect(r).toMatchObject({
      summary: 'hello test package',
      description: 'hello test package',
      license: 'MIT',
      group: 'Unspecified',
      buildhost: 'localhost',
      buildtime: DEFAULT_BUILD_TIME,
      sourcerpm: 'hello-1.0-1.src.rpm',
      source: false,
      files: [],
      changelogs: [],
    });
    expect(r.epoch).toBeUndefined();
    expect(r.url).toBeUndefined();
    expect(r.dependencies.requires).toEqual([]);
  });

  it('defaults file attributes from the type and the build time', () => {
    const r = resolveSpec({
      ...base,
      buildtime: 1234,
      files: [{ path: '/d', type: 'dir' }, { path: '/d/f', contents: 'x' }, { path: '/d/l', type: 'symlink', linkTo: 'f' }],
    });
    expect(r.files.map((f) => [f.type, f.perms, f.mtime, f.user, f.group])).toEqual([
      ['dir', 0o755, 1234, 'root', 'root'],
      ['file', 0o644, 1234, 'root', 'root'],
      ['symlink', 0o777, 1234, 'root', 'root'],
    ]);
    expect(r.files[1].contents.toString()).toBe('x');
  });

  it('gives a versioned dependency without flags EQ', () => {
    const r = resolveSpec({ ...base, dependencies: { requires: [{ name: 'a', version: '2' }, { name: 'b', pre: true }] } });
    expect(r.dependencies.requires).toEqual([
      { name: 'a', flags: 'EQ', version: '2', pre: false },
      { name: 'b', version: '', pre: true },
    ]);
  });

  it('gives a source package a spec file and no sourcerpm', () => {
    const r = resolveSpec({ ...base, epoch: 3, source: true });
    expect(r.sourcerpm).toBeUndefined();
    expect(r.files.map((f) => f.path)).toEqual(['hello.spec']);
    expect(r.files[0].contents.toString()).toContain('Name: hello\nEpoch: 3\nVersion: 1.0\nRelease: 1\n');
  });
});

describe('resolveSpec validation', () => {
  it.each([
    [{ ...base, name: '' }, 'name', /must not be empty/],
    [{ ...base, name: 'bad name' }, 'name', /"bad name" may only hold/],
    [{ ...base, name: '-x' }, 'name', /may only hold/],
    [{ ...base, name: 42 }, 'name', /must be a string/],
    [{ ...base, version: '1-2' }, 'version', /"1-2"/],
    [{ ...base, release: '' }, 'release', /must not be empty/],
    [{ ...base, arch: 'x86-64' }, 'arch', /may only hold/],
    [{ ...base, epoch: -1 }, 'epoch', /integer/],
    [{ ...base, epoch: 1.5 }, 'epoch', /integer/],
    [{ ...base, summary: 'two\nlines' }, 'summary', /single line/],
    [{ ...base, description: 'nul\0' }, 'description', /NUL/],
    [{ ...base, buildhost: 'a b' }, 'buildhost', /spaces/],
    [{ ...base, buildtime: Date.now() }, 'buildtime', /integer from 0 to 4294967295/],
    [{ ...base, source: true, sourcerpm: 'x.src.rpm' }, 'sourcerpm', /not allowed in a source package/],
    [{ ...base, files: [{ path: 'usr/bin/x' }] }, 'files[0].path', /must be absolute/],
    [{ ...base, files: [{ path: '/usr//x' }] }, 'files[0].path', /normalised/],
    [{ ...base, files: [{ path: '/usr/../x' }] }, 'files[0].path', /normalised/],
    [{ ...base, files: [{ path: '/usr/' }] }, 'files[0].path', /normalised/],
    [{ ...base, files: [{ path: '/' }] }, 'files[0].path', /normalised/],
    [{ ...base, files: [{ path: '/a' }, { path: '/a' }] }, 'files[1].path', /also files\[0\]/],
    [{ ...base, files: [{ path: '/a' }, { path: '/a/b' }] }, 'files[1].path', /below files\[0\], which is a file/],
    [{ ...base, files: [{ path: '/a', type: 'fifo' }] }, 'files[0].type', /one of/],
    [{ ...base, files: [{ path: '/a', type: 'dir', contents: 'x' }] }, 'files[0].contents', /not allowed for a dir/],
    [{ ...base, files: [{ path: '/a', type: 'symlink' }] }, 'files[0].linkTo', /must be a string/],
    [{ ...base, files: [{ path: '/a', linkTo: 'b' }] }, 'files[0].linkTo', /only allowed for a symlink/],
    [{ ...base, files: [{ path: '/a', mode: 0o100644 }] }, 'files[0].mode', /permission bits only/],
    [{ ...base, files: [{ path: '/a', user: 'a b' }] }, 'files[0].user', /not a valid user name/],
    [{ ...base, source: true, files: [{ path: '/x.spec' }] }, 'files[0].path', /plain file name in a source package/],
    [{ ...base, source: true, files: [{ path: 'd', type: 'dir' }] }, 'files[0].type', /"file" in a source package/],
    [{ ...base, dependencies: { requires: [{ name: '' }] } }, 'dependencies.requires[0].name', /must not be empty/],
    [{ ...base, dependencies: { requires: [{ name: 'a b' }] } }, 'dependencies.requires[0].name', /no spaces/],
    [{ ...base, dependencies: { provides: [{ name: 'a', flags: 'GE' }] } }, 'dependencies.provides[0].flags', /needs a version/],
    [{ ...base, dependencies: { provides: [{ name: 'a', flags: '>=', version: '1' }] } }, 'dependencies.provides[0].flags', /one of EQ/],
    [{ ...base, dependencies: { provides: [{ name: 'a', version: '1 2' }] } }, 'dependencies.provides[0].version', /\[E:\]V\[-R\]/],
    [{ ...base, dependencies: { provides: [{ name: 'a', version: 'x:1' }] } }, 'dependencies.provides[0].version', /\[E:\]V\[-R\]/],
    [{ ...base, dependencies: { conflicts: [{ name: 'a', pre: true }] } }, 'dependencies.conflicts[0].pre', /only allowed on requires/],
    [{ ...base, dependencies: { requires: [{ name: '(a or b)', flags: 'GE', version: '1' }] } }, 'dependencies.requires[0].version', /rich/],
    [{ ...base, dependencies: { wants: [] } }, 'dependencies.wants', /unknown/],
    [{ ...base, changelogs: [{ time: 1, author: '', text: 'x' }] }, 'changelogs[0].author', /must not be empty/],
    [{ ...base, changelogs: [{ author: 'a', text: 'x' }] }, 'changelogs[0].time', /integer/],
  ])('rejects %j naming %s', (spec, field, message) => {
    const e = errorOf(spec);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(/^invalid RPM spec: /);
    expect(e.message).toContain(field);
    expect(e.message).toMatch(message);
  });

  it('accepts rich dependencies, tilde versions and epochs in dependencies', () => {
    const r = resolveSpec({
      ...base,
      dependencies: { requires: [{ name: '(a or b)' }, { name: 'c', flags: 'GE', version: '2:1.0~rc1-1.el9' }] },
    });
    expect(r.dependencies.requires.map((d) => d.name)).toEqual(['(a or b)', 'c']);
  });
});
