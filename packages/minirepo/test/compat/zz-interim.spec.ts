import { execFile } from 'node:child_process';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@ovirt-repo/test-support';
import { readRpmPackage } from '../../../core/src/rpm/index.js';
import { writeRepodata } from '../../../core/src/repodata/index.js';
import { findRpms } from '../../src/lib/find-rpms.js';
import { assembleCorpus, copyCorpus } from './corpus.js';
import { diffDnfViews, diffMetadata, formatDifference } from './diff.js';
import { canonicalMetadata, dnfView } from './dnf-view.js';
const run = promisify(execFile);
it('interim', async () => {
  const t = await makeTempDir('interim-');
  const c = await assembleCorpus(join(t.dir, 'c'));
  const variants: [string[], any, any][] = [
    [['--general-compress-type', 'xz'], { compression: 'xz' }, {}],
    [[], { compression: 'zstd' }, {}],
    [['--checksum', 'sha512'], { checksumType: 'sha512' }, { checksumType: 'sha512' }],
    [['--changelog-limit', '0'], {}, { changelogLimit: 0 }],
    [['--changelog-limit', '-1'], {}, { changelogLimit: -1 }],
    [['--changelog-limit', '3'], {}, { changelogLimit: 3 }],
    [['UNUSUAL'], {}, {}],
  ];
  let i = 0;
  for (const [cargs, wopts, ropts] of variants) {
    i++;
    const a = join(t.dir, `a${i}`), b = join(t.dir, `b${i}`);
    const src = cargs[0] === 'UNUSUAL' ? c.unusualDir : join(t.dir, 'c');
    await copyCorpus(src, a); await copyCorpus(src, b);
    await run('createrepo_c', ['--no-database', '-q', ...cargs.filter((x) => x !== 'UNUSUAL'), a]).catch((e) => console.log(String(e.stderr)));
    const rpms = await findRpms(b);
    const packages = [];
    for (const r of rpms) packages.push(await readRpmPackage(r.path, { locationHref: r.href, ...ropts }));
    try {
      await writeRepodata({ repoDir: b, outDir: join(b, 'rd.tmp'), packages, revision: '1', ...wopts });
    } catch (e) { console.log(cargs, 'WRITE FAILED', String(e)); continue; }
    await rename(join(b, 'rd.tmp'), join(b, 'repodata'));
    const d = diffDnfViews(await dnfView(b), await dnfView(a));
    const r = wopts.compression ? [] : diffMetadata(await canonicalMetadata(b), await canonicalMetadata(a), 'raw');
    console.log(cargs, wopts, ropts, 'DNF\n' + d.map(formatDifference).join('\n') + '\nRAW\n' + r.map(formatDifference).join('\n'));
  }
  await t.cleanup();
});
