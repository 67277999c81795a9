import { DEFAULT_BUILD_TIME, type RpmDependencies, type RpmFile, type RpmSpec } from './spec.js';
import { writeRpm } from './write-rpm.js';

export interface CorpusOptions {
  /** Name prefix of every package; defaults to `pkg`. Different prefixes give disjoint corpora. */
  prefix?: string;
  /** Arch of the non-noarch packages; defaults to `x86_64`. */
  arch?: string;
  /** Build time of the first package (each next one is a minute later); defaults to DEFAULT_BUILD_TIME. */
  buildtime?: number;
  /** Packages written at once; defaults to 32. */
  concurrency?: number;
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];

/**
 * The spec of corpus package `i`: a few files, some epochs, some dependencies on earlier packages of the
 * corpus (so a repo of them resolves), every tenth noarch. Only arithmetic on `i`, so it is deterministic.
 */
export function corpusSpec(i: number, options: CorpusOptions = {}): RpmSpec {
  const prefix = options.prefix ?? 'pkg';
  const word = WORDS[i % WORDS.length];
  const name = `${prefix}-${word}-${String(i).padStart(5, '0')}`;
  const noarch = i % 10 === 9;
  const buildtime = (options.buildtime ?? DEFAULT_BUILD_TIME) + 60 * i;
  const depName = (j: number): string => `${prefix}-${WORDS[j % WORDS.length]}-${String(j).padStart(5, '0')}`;
  const dependencies: RpmDependencies = { provides: [{ name: `${prefix}-capability-${i % 50}` }], requires: [] };
  if (i > 0 && i % 3 === 0) dependencies.requires?.push({ name: depName(i - 1) });
  if (i > 1 && i % 5 === 0) dependencies.requires?.push({ name: depName(i - 2), flags: 'GE', version: '1.0' });
  if (i % 7 === 0) dependencies.recommends = [{ name: `${prefix}-capability-${(i + 1) % 50}` }];
  if (i % 11 === 0) dependencies.obsoletes = [{ name: `${name}-old`, flags: 'LT', version: '1.0' }];
  const files: RpmFile[] = [
    { path: `/usr/share/${prefix}/${name}`, type: 'dir' },
    { path: `/usr/share/${prefix}/${name}/README`, contents: `${name}: package ${i} of a test corpus.\n` },
    { path: `/usr/share/${prefix}/${name}/data.txt`, contents: `${word}\n`.repeat(1 + (i % 40)) },
  ];
  if (!noarch) files.push({ path: `/usr/bin/${name}`, mode: 0o755, contents: `#!/bin/sh\necho ${name}\n` });
  if (i % 4 === 0) files.push({ path: `/etc/${name}.conf`, type: 'config', contents: `id=${i}\n` });
  return {
    name,
    epoch: i % 6 === 0 ? (i % 4) + 1 : undefined,
    version: `${1 + (i % 3)}.${i % 10}.${i % 7}`,
    release: `${1 + (i % 4)}.test`,
    arch: noarch ? 'noarch' : (options.arch ?? 'x86_64'),
    summary: `Corpus package ${i} (${word})`,
    description: `Package ${i} of a generated test corpus.\nIt ships ${files.length} files.`,
    license: i % 2 === 0 ? 'MIT' : 'Apache-2.0',
    group: 'Development/Tools',
    url: `https://example.com/${name}`,
    vendor: 'ovirt-repo test corpus',
    packager: 'Corpus Bot <corpus@example.com>',
    buildtime,
    dependencies,
    files,
    changelogs: [
      { time: buildtime - 86400, author: 'Corpus Bot <corpus@example.com> - 1.0-1', text: `- Build ${i}` },
      { time: buildtime - 2 * 86400, author: 'Corpus Bot <corpus@example.com> - 0.9-1', text: '- Initial package' },
    ],
  };
}

/** Writes `count` corpus packages (see corpusSpec) into outDir and returns their paths in order. */
export async function makeCorpus(count: number, outDir: string, options: CorpusOptions = {}): Promise<string[]> {
  if (!Number.isInteger(count) || count < 0) throw new Error(`makeCorpus: count must be a non-negative integer, got ${count}`);
  const concurrency = Math.max(1, options.concurrency ?? 32);
  const paths: string[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      paths[i] = await writeRpm(corpusSpec(i, options), outDir);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return paths;
}
