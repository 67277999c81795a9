import { statSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ErrorCodes,
  FORBIDDEN_CONTROL_CHARS,
  OvirtRepoError,
  ioError,
  plural,
  recoverDirectory,
  renderRpms,
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
import { loadUpdateCache, type CachedEntry, type UpdateCache } from './update-cache.js';

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
  /** Threads that read packages (this one included): --workers, fewer for a small directory. */
  threads: number;
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

  const rpms = await findRpms(dir, log);
  const cache: UpdateCache = options.update ? await loadUpdateCache(dir, log) : new Map();
  const progress = log.progress('Reading packages', rpms.length);
  // Unchanged files (--update) keep their entries; the rest are read and rendered on every CPU.
  const reusedEntries = rpms.map((rpm) => unchangedEntry(cache.get(rpm.href), rpm.path, checksumType));
  const toRead = rpms.filter((_, i) => reusedEntries[i] === undefined);
  const read = await renderRpms(
    toRead.map((rpm) => ({ path: rpm.path, href: rpm.href })),
    {
      checksumType,
      changelogLimit: options.changelogLimit ?? 10,
      workers: options.workers,
      onDone: () => progress.tick(),
      // A valid package whose text XML cannot carry: createrepo_c leaves it out and goes on, and so do we.
      skippable: (e) => e.data?.reason === FORBIDDEN_CONTROL_CHARS,
    },
  );
  const skipped: SkippedPackage[] = [];
  const packages: Array<{ pkg: PackageRecord | RenderedPackage; size: number }> = [];
  let next = 0;
  rpms.forEach((rpm, i) => {
    const old = reusedEntries[i];
    if (old) {
      packages.push({ pkg: old.entry, size: old.size });
      progress.tick();
      return;
    }
    const outcome = read.packages[next++];
    if (!outcome) return;
    if ('skipped' in outcome) {
      log.warn(outcome.skipped.message);
      skipped.push({ path: rpm.href, reason: outcome.skipped.message });
    } else packages.push({ pkg: outcome.entry, size: outcome.size });
  });
  const reused = rpms.length - toRead.length;
  progress.done(`Read ${plural(packages.length, 'package')} (${reused} reused, ${skipped.length} skipped)`);

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
      threads: read.threads,
      skipped,
      repomd: { checksum: written.repomdChecksum.value, checksumType, revision: written.revision },
      durationMs: Date.now() - started,
    };
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

/** The cached entry of a file createrepo_c --update would not read again (same size and mtime). */
function unchangedEntry(old: CachedEntry | undefined, path: string, checksumType: string): CachedEntry | undefined {
  if (!old || old.checksumType !== checksumType) return undefined;
  let st;
  try {
    // Synchronous: thousands of stats through the thread pool cost several times the system calls.
    st = statSync(path);
  } catch (e) {
    throw ioError('stat', path, e);
  }
  return old.size === st.size && old.fileTime === Math.floor(st.mtimeMs / 1000) ? old : undefined;
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
