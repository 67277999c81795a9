import { spawnSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { rpmFileName } from './build-rpm.js';
import { corpusSpec, makeCorpus } from './corpus.js';

describe('corpusSpec', () => {
  it('is deterministic', () => {
    expect(corpusSpec(123)).toEqual(corpusSpec(123));
  });

  it('varies names, epochs, arches, dependencies and files', () => {
    const specs = Array.from({ length: 100 }, (_, i) => corpusSpec(i));
    expect(new Set(specs.map((s) => s.name)).size).toBe(100);
    expect(specs.filter((s) => s.arch === 'noarch')).toHaveLength(10);
    expect(specs.filter((s) => s.epoch !== undefined).length).toBeGreaterThan(10);
    expect(specs.filter((s) => (s.dependencies?.requires ?? []).length > 0).length).toBeGreaterThan(30);
    expect(specs.some((s) => s.dependencies?.recommends?.length)).toBe(true);
    expect(specs.some((s) => s.dependencies?.obsoletes?.length)).toBe(true);
    expect(specs.some((s) => s.files?.some((f) => f.type === 'config'))).toBe(true);
    expect(new Set(specs.map((s) => s.version)).size).toBeGreaterThan(10);
  });

  it('takes a prefix and an arch', () => {
    const s = corpusSpec(3, { prefix: 'other', arch: 'aarch64' });
    expect(s.name).toBe('other-delta-00003');
    expect(s.arch).toBe('aarch64');
  });
});

describe('makeCorpus', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir('rpm-corpus-')));
  afterAll(() => cleanup?.());

  it('writes 2,000 packages in a few seconds', async () => {
    const started = Date.now();
    const paths = await makeCorpus(2000, join(dir, 'big'));
    const elapsed = Date.now() - started;
    expect(paths).toHaveLength(2000);
    expect(new Set(paths).size).toBe(2000);
    expect((await readdir(join(dir, 'big'))).length).toBe(2000);
    expect(paths[7]).toBe(join(dir, 'big', rpmFileName(corpusSpec(7))));
    expect(elapsed).toBeLessThan(10_000);
  });

  it('writes the same bytes every time', async () => {
    const a = await makeCorpus(20, join(dir, 'a'));
    const b = await makeCorpus(20, join(dir, 'b'), { concurrency: 1 });
    for (let i = 0; i < 20; i++) expect((await readFile(a[i])).equals(await readFile(b[i]))).toBe(true);
  });

  it('rejects a bad count', async () => {
    await expect(makeCorpus(-1, join(dir, 'x'))).rejects.toThrow(/count/);
  });
});

describeWithTools(['rpm'], 'corpus packages and real rpm', () => {
  it('all pass rpm -K', async () => {
    const { dir, cleanup } = await makeTempDir('rpm-corpus-');
    try {
      const paths = await makeCorpus(2000, dir);
      const k = spawnSync('rpm', ['-K', '--nosignature', ...paths], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      expect(k.status).toBe(0);
      expect(k.stdout.split('\n').filter((l) => l.endsWith(': digests OK'))).toHaveLength(2000);
    } finally {
      await cleanup();
    }
  });
});
