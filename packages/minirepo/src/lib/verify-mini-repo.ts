import { join, resolve } from 'node:path';
import {
  checkPackageSignatures,
  ErrorCodes,
  OvirtRepoError,
  hashFile,
  isOvirtRepoError,
  plural,
  readRepo,
  silentLogger,
  verifyContent,
  type Logger,
  type PublicKeySet,
  shortKeyId,
} from '@ovirt-repo/core';
import { findRpms } from './find-rpms.js';

export interface VerifyMiniRepoOptions {
  dir: string;
  logger?: Logger;
  /** --gpgcheck: every listed package must be signed by one of these keys (as mirror sync --gpgcheck). */
  gpgcheck?: { keys: PublicKeySet; env: NodeJS.ProcessEnv };
}

export interface VerifyProblem {
  /**
   * `metadata` (a repodata file), `package` (listed but wrong or absent), `unlisted` (on disk, not in
   * metadata), `signature` (--gpgcheck: unsigned, signed by another key, or a BAD signature).
   */
  kind: 'metadata' | 'package' | 'unlisted' | 'signature';
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
    // primary.xml's count is not read before the packages are: the bar counts without a total.
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
    progress.done(`Verified ${plural(packages, 'package')}`);
    if (options.gpgcheck) problems.push(...(await signatureProblems(dir, [...listed], options.gpgcheck)));
    for (const rpm of await findRpms(dir, log)) {
      if (!listed.has(rpm.href)) problems.push({ kind: 'unlisted', path: rpm.href, problem: 'not listed in the metadata' });
    }
  }

  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.kind}: ${p.path}: ${p.problem}`).join('\n');
    // Only signatures wrong: the metadata is fine, the packages need signing (or another key).
    if (problems.every((p) => p.kind === 'signature')) {
      throw new OvirtRepoError(ErrorCodes.GPGCHECK, `${dir}: ${problems.length} packages are not signed by the keys given (key ID ${options.gpgcheck?.keys.fingerprints.map(shortKeyId).join(', ')}):\n${lines}`, {
        target: dir,
        hint: 'sign the packages with rpmsign --addsign and the key the build should use, or give that key with --gpg-key',
        data: { problems },
      });
    }
    throw new OvirtRepoError(ErrorCodes.VERIFY_FAILED, `${dir}/repodata does not match its files (${problems.length} problems):\n${lines}`, {
      target: dir,
      hint: `regenerate the metadata with: ovirt-repo minirepo create ${options.dir}`,
      data: { problems },
    });
  }
  return { directory: dir, packages, metadataFiles: records.length };
}

/** The listed packages whose signature rpmkeys does not accept, each with why and the key ids found. */
async function signatureProblems(dir: string, hrefs: readonly string[], check: NonNullable<VerifyMiniRepoOptions['gpgcheck']>): Promise<VerifyProblem[]> {
  const results = await checkPackageSignatures(hrefs.map((h) => join(dir, h)), check.keys, { env: check.env });
  return results.flatMap((r, i) => {
    if (r.ok) return [];
    const why = { unsigned: 'not signed', nokey: `signed by key ID ${r.keyIds.join(', ')}, not one of the keys given`, bad: `BAD signature or digest (${r.detail})`, unreadable: 'not readable as a package' }[r.reason];
    return [{ kind: 'signature' as const, path: hrefs[i] ?? r.file, problem: why }];
  });
}

function describe(e: unknown): string {
  if (isOvirtRepoError(e)) {
    if (e.code === ErrorCodes.IO && /ENOENT/.test(e.message)) return 'missing';
    return e.message;
  }
  return String((e as Error)?.message ?? e);
}
