import { appendFile, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeRpm } from '@ovirt-repo/rpm-writer';
import { makeTempDir } from '@ovirt-repo/test-support';
import { makeArtifacts } from '../../test/helpers.js';
import { createMiniRepo } from './create-mini-repo.js';
import { verifyMiniRepo, type VerifyProblem } from './verify-mini-repo.js';

async function problemsOf(dir: string): Promise<VerifyProblem[]> {
  try {
    await verifyMiniRepo({ dir });
  } catch (e) {
    expect(e).toMatchObject({ code: 'E_VERIFY_FAILED' });
    return (e as { data: { problems: VerifyProblem[] } }).data.problems;
  }
  throw new Error('verify passed, expected problems');
}

describe('verifyMiniRepo', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let rpms: string[];
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    rpms = await makeArtifacts(dir);
    await createMiniRepo({ dir });
  });
  afterEach(() => cleanup());

  it('passes for a freshly created repo', async () => {
    expect(await verifyMiniRepo({ dir })).toEqual({ directory: dir, packages: 3, metadataFiles: 3 });
  });

  it('reports a missing package, a corrupted one and an unlisted one, all at once', async () => {
    await rm(rpms[1]);
    await appendFile(rpms[0], 'x');
    const extra = await writeRpm({ name: 'stray', version: '1', release: '1', arch: 'noarch' }, dir);
    const problems = await problemsOf(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        { kind: 'package', path: 'noarch/beta-0.9-3.noarch.rpm', problem: 'missing' },
        expect.objectContaining({ kind: 'package', path: 'alpha-1.0-1.x86_64.rpm', problem: expect.stringMatching(/bytes, expected/) }),
        { kind: 'unlisted', path: extra.slice(dir.length + 1), problem: 'not listed in the metadata' },
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('reports a package replaced by another of the same size', async () => {
    const buf = await readFile(rpms[0]);
    buf[buf.length - 1] ^= 0xff;
    await writeFile(rpms[0], buf);
    const problems = await problemsOf(dir);
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'package', path: 'alpha-1.0-1.x86_64.rpm', problem: expect.stringMatching(/sha256 .* expected/) }),
    ]);
  });

  it('reports a tampered metadata file', async () => {
    const primary = (await readdir(join(dir, 'repodata'))).find((f) => f.includes('primary'))!;
    await appendFile(join(dir, 'repodata', primary), 'junk');
    const problems = await problemsOf(dir);
    expect(problems).toEqual([expect.objectContaining({ kind: 'metadata', path: `repodata/${primary}` })]);
  });

  it('fails clearly when there is no repodata', async () => {
    await rm(join(dir, 'repodata'), { recursive: true });
    await expect(verifyMiniRepo({ dir })).rejects.toMatchObject({ message: expect.stringContaining('repomd.xml') });
  });
});
