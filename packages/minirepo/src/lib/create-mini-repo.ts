import { availableParallelism } from 'node:os';
import { statSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ErrorCodes,
  FORBIDDEN_CONTROL_CHARS,
  OvirtRepoError,
  ioError,
  isOvirtRepoError,
  mapLimit,
  readRpmPackage,
  recoverDirectory,
  replaceDirectory,
  silentLogger,
  tempPathFor,
  writeRepodata,
  type ChecksumType,
  type Logger,
  type PackageRecord,
  type RenderedPackage,
} from '@ovirt-repo/core';
import { findRpms } from './find-rpms.js';
import { loadUpdateCache, type UpdateCache } from './update-cache.js';

export interface CreateMiniRepoOptions {
  /** The directory holding the RPMs; repodata/ is written inside it. */
  dir: string;
  update?: boolean;
  changelogLimit?: number;
  compression?: 'gz' | 'xz' | 'zstd';
  checksumType?: Extract<ChecksumType, 'sha256' | 'sha512'>;
  workers?: number;
  /** Repomd revision; defaults to SOURCE_DATE_EPOCH, else the current time. */
  revision?: string;
  logger?: Logger;
}

export interface SkippedPackage {
  path: string;
  reason: string;
}

export interface CreateMiniRepoResult {
  directory: string;
  packages: number;
  /** Total size of the packages, in bytes. */
  bytes: number;
  /** Packages whose entries were reused from the previous metadata (--update). */
  reused: number;
  /** Valid packages left out because XML cannot carry their text (control characters), as createrepo_c does. */
  skipped: SkippedPackage[];
  repomd: { checksum: string; checksumType: string; revision: string };
  durationMs: number;
}

/**
 * Build `dir/repodata` from every RPM below `dir`. The new metadata is written aside and swapped in only
 * when complete, so a failure (bad RPM, full disk, kill) leaves the previous repodata as it was.
 */
export async function createMiniRepo(options: CreateMiniRepoOptions): Promise<CreateMiniRepoResult> {
  const started = Date.now();
  const dir = resolve(options.dir);
  const log = options.logger ?? silentLogger;
  const checksumType = options.checksumType ?? 'sha256';
  await assertDirectory(dir);
  const repodata = join(dir, 'repodata');
  if (await recoverDirectory(repodata)) log.warn(`restored ${repodata} left aside by a killed run`);

  const rpms = await findRpms(dir);
  const cache: UpdateCache = options.update ? await loadUpdateCache(dir, log) : new Map();
  const progress = log.progress('Reading packages', rpms.length);
  let reused = 0;
  const skipped: SkippedPackage[] = [];
  const read = await mapLimit(rpms, options.workers ?? availableParallelism(), async (rpm): Promise<{ pkg: PackageRecord | RenderedPackage; size: number } | undefined> => {
    const old = cache.get(rpm.href);
    let found: { pkg: PackageRecord | RenderedPackage; size: number } | undefined;
    if (old && old.checksumType === checksumType) {
      let st;
      try {
        // Synchronous: thousands of stats through the thread pool cost several times the system calls.
        st = statSync(rpm.path);
      } catch (e) {
        throw ioError('stat', rpm.path, e);
      }
      // Same rule as createrepo_c --update: unchanged size and mtime means unchanged file.
      if (old.size === st.size && old.fileTime === Math.floor(st.mtimeMs / 1000)) {
        found = { pkg: old.entry, size: old.size };
        reused++;
      }
    }
    try {
      if (!found) {
        const pkg = await readRpmPackage(rpm.path, { checksumType, changelogLimit: options.changelogLimit ?? 10, locationHref: rpm.href });
        found = { pkg, size: pkg.size.package };
      }
    } catch (e) {
      // A valid package whose text XML cannot carry: createrepo_c leaves it out and goes on, and so do we.
      if (!isOvirtRepoError(e) || e.data?.reason !== FORBIDDEN_CONTROL_CHARS) throw e;
      log.warn(e.message);
      skipped.push({ path: rpm.href, reason: e.message });
    }
    progress.tick();
    return found;
  });
  const packages = read.filter((p): p is { pkg: PackageRecord | RenderedPackage; size: number } => p !== undefined);
  progress.done(`Read ${packages.length} packages (${reused} reused, ${skipped.length} skipped)`);

  const staged = tempPathFor(repodata);
  try {
    const written = await writeRepodata({
      outDir: staged,
      packages: packages.map((p) => p.pkg),
      checksumType,
      compression: options.compression ?? 'gz',
      revision: options.revision,
    });
    await replaceDirectory(staged, repodata);
    return {
      directory: dir,
      packages: packages.length,
      bytes: packages.reduce((sum, p) => sum + p.size, 0),
      reused,
      skipped,
      repomd: { checksum: written.repomdChecksum.value, checksumType, revision: written.revision },
      durationMs: Date.now() - started,
    };
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

async function assertDirectory(dir: string): Promise<void> {
  try {
    const st = await stat(dir);
    if (st.isDirectory()) return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('stat', dir, e);
  }
  throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `RPM directory ${dir} does not exist or is not a directory`, {
    target: dir,
    hint: 'pass the directory your build wrote its RPMs to (default: exported-artifacts)',
  });
}
