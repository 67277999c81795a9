import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { TargetRegistry, registerTarget, targetRegistry } from './registry.js';
import type { SyncTarget } from './sync-target.js';
import { MemoryTarget } from './memory-target.js';

describe('TargetRegistry', () => {
  const registry = () => {
    const r = new TargetRegistry();
    r.register('file', (l) => new MemoryTarget(`file:${l.path ?? l.url?.pathname}`), { description: 'local directory', examples: ['/srv/repo'], provider: 'test' });
    r.register('rsync', (l) => new MemoryTarget(l.raw), { description: 'rsync daemon', examples: ['rsync://host/module/dir'], provider: 'test' });
    r.register('ssh', (l) => new MemoryTarget(`ssh ${l.host}:${l.path}`), { description: 'ssh', examples: ['host:/srv/repo'], provider: 'test' });
    return r;
  };

  it('opens by scheme, including paths and the scp form', async () => {
    const r = registry();
    expect((await r.open('/srv/repo')).location).toBe('file:/srv/repo');
    expect((await r.open('file:///srv/repo')).location).toBe('file:/srv/repo');
    expect((await r.open('RSYNC://h/m/d')).location).toBe('RSYNC://h/m/d');
    expect((await r.open('web1:/srv/repo')).location).toBe('ssh web1:/srv/repo');
  });

  it('fails for an unknown scheme, naming it and listing the known ones', async () => {
    const err = await registry().open('s3://bucket/repo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OvirtRepoError);
    const e = err as OvirtRepoError;
    expect(e.code).toBe(ErrorCodes.UNKNOWN_SCHEME);
    expect(e.message).toContain('"s3:"');
    expect(e.message).toContain('s3://bucket/repo');
    expect(e.hint).toContain('file:');
    expect(e.hint).toContain('rsync:');
    expect(e.hint).toContain('ssh:');
    expect(e.data).toEqual({ scheme: 's3', known: ['file', 'rsync', 'ssh'] });
  });

  it('refuses a second registration unless told to replace or keep', () => {
    const r = registry();
    const other = () => new MemoryTarget('other') as SyncTarget;
    expect(() => r.register('rsync', other, { description: 'x', provider: 'second' })).toThrow(/already registered by test/);
    r.register('rsync', other, { description: 'kept', onConflict: 'keep' });
    expect(r.schemes().find((s) => s.scheme === 'rsync')?.description).toBe('rsync daemon');
    r.register('rsync:', other, { description: 'replaced', onConflict: 'replace' });
    expect(r.schemes().find((s) => s.scheme === 'rsync')?.description).toBe('replaced');
    expect(() => r.register('s3://', other, { description: 'bad' })).toThrow(/not a URL scheme name/);
  });

  it('has one process-wide registry', () => {
    registerTarget('spec-only', () => new MemoryTarget('x'), { description: 'spec' });
    try {
      expect(targetRegistry().has('spec-only')).toBe(true);
      expect(targetRegistry()).toBe(targetRegistry());
    } finally {
      targetRegistry().unregister('spec-only');
    }
  });
});
