import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { corpusSpec, makeCorpus, rpmFileName, writeRpm, type CorpusOptions } from '@ovirt-repo/rpm-writer';
import { runProcess } from './measure.js';

/*
 * Fixture repos for the benchmarks. Their metadata is made by createrepo_c (untimed setup): upstream
 * repos and most build outputs are createrepo_c's, and it keeps the inputs independent of the code under
 * test. Packages are the rpm-writer corpus: small (~7 KB), a few files and dependencies each.
 */

async function createrepo(dir: string, update: boolean): Promise<void> {
  await runProcess({ file: 'createrepo_c', args: ['--no-database', '--quiet', ...(update ? ['--update'] : []), dir] });
}

/** A YUM repo of `count` corpus packages in `dir`. */
export async function makeRepo(dir: string, count: number, options: CorpusOptions = {}): Promise<void> {
  await makeCorpus(count, dir, options);
  await createrepo(dir, false);
}

/**
 * Replaces corpus package `i` by a new build of it (release suffixed `.bench<generation>`, so its file
 * name, checksum and EVR change) and updates the repo's metadata: "one upstream package changed".
 * `previousGeneration` names the build currently in the repo (0 = the original corpus one).
 */
export async function changePackage(dir: string, i: number, previousGeneration: number, generation: number, options: CorpusOptions = {}): Promise<void> {
  const spec = corpusSpec(i, options);
  const build = (g: number) => (g === 0 ? spec : { ...spec, release: `${spec.release}.bench${g}` });
  await rm(join(dir, rpmFileName(build(previousGeneration))));
  await writeRpm(build(generation), dir);
  await createrepo(dir, true);
}

/** A one-package repo, like a build job's exported-artifacts mini repo. */
export async function makeOnePackageRepo(dir: string, name: string): Promise<void> {
  await writeRpm({ name, version: '1.0', release: '1', arch: 'noarch', summary: 'added by the benchmark' }, dir);
  await createrepo(dir, false);
}
