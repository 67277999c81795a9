import { cp, mkdir, readFile, readdir, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readRepo, silentLogger } from '@ovirt-repo/core';
import { makeCorpus, writeRpm } from '@ovirt-repo/rpm-writer';
import { makeTempDir } from '@ovirt-repo/test-support';
import { makeArtifacts } from '../../test/helpers.js';
import { createMiniRepo } from './create-mini-repo.js';

async function listed(dir: string): Promise<string[]> {
  const repo = await readRepo(dir);
  const out: string[] = [];
  for await (const p of repo.packages()) out.push(`${p.location.href} ${p.name}.${p.arch}`);
  return out;
}

describe('createMiniRepo', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('indexes binary and source RPMs found recursively, ordered by file name', async () => {
    await makeArtifacts(dir);
    const result = await createMiniRepo({ dir });
    expect(result.packages).toBe(3);
    expect(result.reused).toBe(0);
    expect(result.repomd.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(await listed(dir)).toEqual([
      'alpha-1.0-1.src.rpm alpha.src',
      'alpha-1.0-1.x86_64.rpm alpha.x86_64',
      'noarch/beta-0.9-3.noarch.rpm beta.noarch',
    ]);
    const files = await readdir(join(dir, 'repodata'));
    expect(files.filter((f) => /^[0-9a-f]{64}-(primary|filelists|other)\.xml\.gz$/.test(f))).toHaveLength(3);
    expect(files).toContain('repomd.xml');
    // nothing left behind beside repodata/
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('gives a valid empty repo for an empty directory', async () => {
    const result = await createMiniRepo({ dir });
    expect(result.packages).toBe(0);
    expect(await listed(dir)).toEqual([]);
  });

  it('fails clearly for a missing directory and writes nothing', async () => {
    await expect(createMiniRepo({ dir: join(dir, 'nope') })).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      message: expect.stringContaining(join(dir, 'nope')),
    });
  });

  it('fails on an invalid RPM, naming it, and leaves the previous repodata untouched', async () => {
    await makeArtifacts(dir);
    await createMiniRepo({ dir });
    const before = await readFile(join(dir, 'repodata', 'repomd.xml'));
    const bad = join(dir, 'broken-1.0-1.noarch.rpm');
    await writeFile(bad, 'this is not an rpm, just text long enough to read a lead from.'.repeat(4));
    await expect(createMiniRepo({ dir })).rejects.toMatchObject({ code: 'E_RPM_INVALID', message: expect.stringContaining(bad) });
    expect(await readFile(join(dir, 'repodata', 'repomd.xml'))).toEqual(before);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('rejects a truncated RPM', async () => {
    const [path] = await makeArtifacts(dir);
    await truncate(path, 200);
    await expect(createMiniRepo({ dir })).rejects.toMatchObject({ code: 'E_RPM_INVALID', target: path });
  });

  it('--update reuses entries of unchanged files and reads changed or new ones', async () => {
    const [alpha] = await makeArtifacts(dir);
    await createMiniRepo({ dir });
    await writeRpm({ name: 'gamma', version: '1', release: '1', arch: 'noarch' }, dir);
    const t = new Date('2030-01-01T00:00:00Z');
    await utimes(alpha, t, t); // changed mtime: must be read again
    const result = await createMiniRepo({ dir, update: true });
    expect(result).toMatchObject({ packages: 4, reused: 2 });
    const times = new Map<string, number>();
    for await (const p of (await readRepo(dir)).packages()) times.set(p.location.href, p.time.file);
    expect(times.get('alpha-1.0-1.x86_64.rpm')).toBe(Math.floor(t.getTime() / 1000));
    expect(await listed(dir)).toContain('gamma-1-1.noarch.rpm gamma.noarch');
  });

  describe('--update and the existing metadata', () => {
    /** Edits a metadata file's text and updates repomd.xml to match, as a generator would have written it. */
    async function rewrite(type: string, edit: (text: string) => string): Promise<void> {
      const repomdPath = join(dir, 'repodata', 'repomd.xml');
      const repomd = await readFile(repomdPath, 'utf8');
      const href = new RegExp(`<data type="${type}">[\\s\\S]*?<location href="([^"]+)"`).exec(repomd)?.[1] ?? 'missing';
      const before = await readFile(join(dir, href));
      const after = gzipSync(edit(gunzipSync(before).toString('utf8')));
      await writeFile(join(dir, href), after);
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      await writeFile(repomdPath, repomd.replace(sha(before), sha(after)).replace(`<size>${before.length}</size>`, `<size>${after.length}</size>`));
    }

    async function summaries(): Promise<string[]> {
      const out: string[] = [];
      for await (const p of (await readRepo(dir)).packages()) out.push(p.summary);
      return out;
    }

    it('writes the entries of unchanged packages as the existing metadata has them, without parsing it', async () => {
      await makeArtifacts(dir);
      await createMiniRepo({ dir });
      await rewrite('primary', (text) => text.replace(/<summary>[^<]*<\/summary>/g, '<summary>as written before</summary>'));
      const result = await createMiniRepo({ dir, update: true });
      expect(result).toMatchObject({ packages: 3, reused: 3 });
      expect(await summaries()).toEqual(['as written before', 'as written before', 'as written before']);
    });

    it('parses metadata in another layout, and writes it in its own', async () => {
      await makeArtifacts(dir);
      await createMiniRepo({ dir });
      const original = await summaries();
      await rewrite('primary', (text) => text.replaceAll('\n  <name>', '\n    <name>'));
      const result = await createMiniRepo({ dir, update: true });
      expect(result).toMatchObject({ packages: 3, reused: 3 });
      expect(await summaries()).toEqual(original);
      const names = await readdir(join(dir, 'repodata'));
      const primary = gunzipSync(await readFile(join(dir, 'repodata', names.find((n) => n.endsWith('-primary.xml.gz')) ?? 'missing'))).toString();
      expect(primary).toContain('\n  <name>');
      expect(primary).not.toContain('\n    <name>');
    });

    it('reads every package again when the metadata does not match repomd.xml', async () => {
      await makeArtifacts(dir);
      await createMiniRepo({ dir });
      const names = await readdir(join(dir, 'repodata'));
      await writeFile(join(dir, 'repodata', names.find((n) => n.endsWith('-other.xml.gz')) ?? 'missing'), 'damaged');
      const warnings: string[] = [];
      const result = await createMiniRepo({ dir, update: true, logger: { ...silentLogger, warn: (m) => void warnings.push(m) } });
      expect(result).toMatchObject({ packages: 3, reused: 0 });
      expect(warnings).toEqual([expect.stringMatching(/^--update: cannot reuse the existing metadata of .*other\.xml\.gz has 7 bytes/)]);
    });
  });

  it('is byte-for-byte reproducible with SOURCE_DATE_EPOCH', async () => {
    await makeArtifacts(join(dir, 'a'));
    await cp(join(dir, 'a'), join(dir, 'b'), { recursive: true, preserveTimestamps: true });
    const saved = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    try {
      const a = await createMiniRepo({ dir: join(dir, 'a') });
      const b = await createMiniRepo({ dir: join(dir, 'b') });
      expect(a.repomd).toEqual(b.repomd);
      expect(a.repomd.revision).toBe('1700000000');
      const names = await readdir(join(dir, 'a', 'repodata'));
      for (const name of names) {
        expect(await readFile(join(dir, 'b', 'repodata', name))).toEqual(await readFile(join(dir, 'a', 'repodata', name)));
      }
    } finally {
      if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = saved;
    }
  });

  it.each([
    ['xz', /\.xml\.xz$/],
    ['zstd', /\.xml\.zst$/],
  ] as const)('writes %s metadata with a true file ending', async (compression, ending) => {
    await makeArtifacts(dir);
    await createMiniRepo({ dir, compression, checksumType: 'sha512' });
    const files = (await readdir(join(dir, 'repodata'))).filter((f) => f !== 'repomd.xml');
    expect(files).toHaveLength(3);
    for (const f of files) expect(f).toMatch(new RegExp(`^[0-9a-f]{128}-\\w+${ending.source}`));
    expect(await listed(dir)).toHaveLength(3);
    expect((await stat(join(dir, 'repodata', 'repomd.xml'))).size).toBeGreaterThan(0);
  });

  describe('on several threads', () => {
    // 200 packages: enough for two reader threads (renderRpms starts one per 64 packages at most).
    async function corpus(name: string): Promise<string> {
      const d = join(dir, name);
      await mkdir(d);
      await makeCorpus(200, d);
      return d;
    }

    it('writes byte-identical metadata with --workers 2 and --workers 1, skipping the same packages', async () => {
      const a = await corpus('a');
      // XML cannot carry a BEL: left out with a warning, on whichever thread reads it.
      await writeRpm({ name: 'bell', version: '1', release: '1', arch: 'noarch', summary: 'rings \u0007' }, a);
      const b = join(dir, 'b');
      await cp(a, b, { recursive: true, preserveTimestamps: true });
      const one = await createMiniRepo({ dir: a, workers: 1, revision: '1700000000' });
      const two = await createMiniRepo({ dir: b, workers: 2, revision: '1700000000' });
      expect(one.threads).toBe(1);
      // A second thread needs core's built worker (npm test builds first): without it this reads 1.
      expect(two.threads).toBe(2);
      expect(two.packages).toBe(200);
      expect(two.skipped.map((p) => p.path)).toEqual(['bell-1-1.noarch.rpm']);
      expect(one.skipped.map((p) => p.path)).toEqual(two.skipped.map((p) => p.path));
      expect(two.skipped[0]?.reason).toContain('forbidden control character in summary');
      expect(await readFile(join(b, 'repodata', 'repomd.xml'), 'utf8')).toBe(await readFile(join(a, 'repodata', 'repomd.xml'), 'utf8'));
      expect((await readdir(join(b, 'repodata'))).sort()).toEqual((await readdir(join(a, 'repodata'))).sort());
    });

    it('fails on an invalid RPM read by any thread, naming it, and writes nothing', async () => {
      const a = await corpus('a');
      const bad = join(a, 'pkg-zz-broken-1.0-1.noarch.rpm');
      await writeFile(bad, 'not an rpm at all, but long enough to have a lead of 96 bytes. '.repeat(4));
      await expect(createMiniRepo({ dir: a, workers: 2 })).rejects.toMatchObject({ code: 'E_RPM_INVALID', message: expect.stringContaining(bad) });
      expect((await readdir(a)).filter((f) => !f.endsWith('.rpm'))).toEqual([]);
    });
  });
});
