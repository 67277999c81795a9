import { join, resolve } from 'node:path';
import {
  ErrorCodes,
  OvirtRepoError,
  hashFile,
  isOvirtRepoError,
  readRepo,
  silentLogger,
  verifyContent,
  type Logger,
} from '@ovirt-repo/core';
import { findRpms } from './find-rpms.js';

export interface VerifyMiniRepoOptions {
  dir: string;
  logger?: Logger;
}

export interface VerifyProblem {
  /** `metadata` (a repodata file), `package` (listed but wrong or absent), `unlisted` (on disk, not in metadata). */
  kind: 'metadata' | 'package' | 'unlisted';
  path: string;
  problem: string;
}

export interface VerifyMiniRepoResult {
  directory: string;
  packages: number;
  metadataFiles: number;
}

/**
 * Check DIR/repodata against the files: every metadata file repomd.xml names (size, checksum), every
 * package the metadata lists (present, size, checksum), and RPMs on disk the metadata does not list.
 * Collects every problem and throws one E_VERIFY_FAILED listing them all.
 */
export async function verifyMiniRepo(options: VerifyMiniRepoOptions): Promise<VerifyMiniRepoResult> {
  const dir = resolve(options.dir);
  const log = options.logger ?? silentLogger;
  const problems: VerifyProblem[] = [];
  const repo = await readRepo(dir, { verify: false });

  const records = repo.repomd.records;
  for (const record of records) {
    const path = join(dir, record.location.href);
    try {
      verifyContent(path, { checksum: record.checksum, size: record.size }, await hashFile(path, record.checksum.type));
    } catch (e) {
      problems.push({ kind: 'metadata', path: record.location.href, problem: describe(e) });
    }
  }

  const listed = new Set<string>();
  let packages = 0;
  if (!problems.some((p) => p.kind === 'metadata')) {
    const progress = log.progress('Verifying packages', 0);
    for await (const pkg of repo.packages()) {
      packages++;
      listed.add(pkg.location.href);
      const path = join(dir, pkg.location.href);
      try {
        verifyContent(path, { checksum: pkg.checksum, size: pkg.size.package }, await hashFile(path, pkg.checksum.type));
      } catch (e) {
        problems.push({ kind: 'package', path: pkg.location.href, problem: describe(e) });
      }
      progress.tick();
    }
    progress.done(`Verified ${packages} packages`);
    for (const rpm of await findRpms(dir, log)) {
      if (!listed.has(rpm.href)) problems.push({ kind: 'unlisted', path: rpm.href, problem: 'not listed in the metadata' });
    }
  }

  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.kind}: ${p.path}: ${p.problem}`).join('\n');
    throw new OvirtRepoError(ErrorCodes.VERIFY_FAILED, `${dir}/repodata does not match its files (${problems.length} problems):\n${lines}`, {
      target: dir,
      hint: `regenerate the metadata with: ovirt-repo minirepo create ${options.dir}`,
      data: { problems },
    });
  }
  return { directory: dir, packages, metadataFiles: records.length };
}

function describe(e: unknown): string {
  if (isOvirtRepoError(e)) {
    if (e.code === ErrorCodes.IO && /ENOENT/.test(e.message)) return 'missing';
    return e.message;
  }
  return String((e as Error)?.message ?? e);
}
