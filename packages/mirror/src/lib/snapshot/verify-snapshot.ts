import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CORE_RECORD_TYPES, ErrorCodes, OvirtRepoError, mapLimit, openChunkedMetadata, parseRepomd, readPrimary, silentLogger, type Logger } from '@ovirt-repo/core';
import { SNAPSHOT_POOL_LINK, SNAPSHOT_POOL_TARGET, parsePoolHref, type StoreLayout } from '../store/layout.js';
import { hrefProblem, validateRepoName } from '../store/names.js';
import { hashAlgorithm } from '../store/pool.js';
import { requireSnapshot } from '../store/repo-state.js';
import { chunkIndexOf, contentDigest, readSnapshotRecord } from '../store/snapshot-record.js';
import { resolveSnapshotId } from './show-snapshot.js';

export interface VerifyProblem {
  target: string;
  problem: string;
}

export interface VerifySnapshotOptions {
  /** Check package sizes only, not their checksums (fast). */
  quick?: boolean;
  workers?: number;
  logger?: Logger;
}

export interface VerifySnapshotResult {
  repo: string;
  id: string;
  metadataFiles: number;
  packages: number;
  bytes: number;
  checksummed: boolean;
  durationMs: number;
}

async function hashFile(path: string, type: string): Promise<{ digest: string; size: number }> {
  const h = createHash(hashAlgorithm(type));
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    h.update(chunk);
    size += chunk.length;
  }
  return { digest: h.digest('hex'), size };
}

/**
 * Check a snapshot the way a client would use it: repomd.xml and every metadata file it names (present,
 * size, checksum), every package primary.xml lists (present through the pool link, size, checksum), the
 * pool link itself, and that snapshot.json describes the same packages. Throws E_VERIFY_FAILED listing
 * every problem found.
 */
export async function verifySnapshot(layout: StoreLayout, repo: string, idArg: string | undefined, options: VerifySnapshotOptions = {}): Promise<VerifySnapshotResult> {
  const started = Date.now();
  const log = options.logger ?? silentLogger;
  validateRepoName(repo);
  const id = await resolveSnapshotId(layout, repo, idArg);
  const dir = await requireSnapshot(layout, repo, id);
  const problems: VerifyProblem[] = [];
  const fail = (target: string, problem: string) => problems.push({ target, problem });

  // The pool link.
  const link = join(dir, SNAPSHOT_POOL_LINK);
  try {
    const st = await lstat(link);
    if (!st.isSymbolicLink()) fail(link, 'is not a symlink to the pool');
    else if ((await readlink(link)) !== SNAPSHOT_POOL_TARGET) fail(link, `points to ${await readlink(link)}, not ${SNAPSHOT_POOL_TARGET}`);
  } catch {
    fail(link, 'is missing');
  }

  // repomd.xml and the metadata files.
  const repomdPath = join(dir, 'repodata', 'repomd.xml');
  let repomdBytes: Buffer;
  try {
    repomdBytes = await readFile(repomdPath);
  } catch {
    throw new OvirtRepoError(ErrorCodes.VERIFY_FAILED, `snapshot ${repo}/${id} has no repodata/repomd.xml`, { target: repomdPath, data: { problems: [{ target: repomdPath, problem: 'missing' }] } });
  }
  const repomd = parseRepomd(repomdBytes, repomdPath);
  let metadataFiles = 0;
  for (const r of repomd.records) {
    const path = join(dir, ...r.location.href.split('/'));
    try {
      const got = await hashFile(path, r.checksum.type);
      metadataFiles++;
      if (r.size !== undefined && got.size !== r.size) fail(path, `has ${got.size} bytes, repomd.xml says ${r.size}`);
      else if (got.digest !== r.checksum.value) fail(path, `has ${r.checksum.type} ${got.digest}, repomd.xml says ${r.checksum.value}`);
    } catch {
      fail(path, `is missing (the "${r.type}" record of repomd.xml)`);
    }
  }
  const primaryRecord = repomd.records.find((r) => r.type === 'primary');
  if (!primaryRecord) fail(repomdPath, 'has no primary record');

  // Every package.
  const hrefs: string[] = [];
  const pkgs: { href: string; type: string; digest: string; size: number }[] = [];
  const primaryName = primaryRecord?.location.href.split('/').at(-1) ?? '';
  if (primaryRecord && !problems.some((p) => p.target.endsWith(primaryName))) {
    const primaryPath = join(dir, ...primaryRecord.location.href.split('/'));
    try {
      for await (const p of readPrimary(primaryPath, { name: primaryPath })) {
        const problem = hrefProblem(p.location.href) ?? (p.location.base ? 'has an xml:base' : undefined);
        if (problem) {
          fail(p.location.href, `unsafe package href: ${problem}`);
          continue;
        }
        if (!parsePoolHref(p.location.href)) fail(p.location.href, 'is not a pool href (pool/<dd>/<digest>/<name>)');
        hrefs.push(p.location.href);
        pkgs.push({ href: p.location.href, type: p.checksum.type, digest: p.checksum.value, size: p.size.package });
      }
    } catch (e) {
      fail(primaryPath, `cannot be read: ${(e as Error).message}`);
    }
  }
  const progress = log.progress(`Verifying ${pkgs.length} packages`, pkgs.length);
  let bytes = 0;
  await mapLimit(pkgs, options.workers ?? 4, async (p) => {
    const path = join(dir, ...p.href.split('/'));
    try {
      if (options.quick) {
        const st = await stat(path);
        bytes += st.size;
        if (st.size !== p.size) fail(path, `has ${st.size} bytes, primary.xml says ${p.size}`);
      } else {
        const got = await hashFile(path, p.type);
        bytes += got.size;
        if (got.size !== p.size) fail(path, `has ${got.size} bytes, primary.xml says ${p.size}`);
        else if (got.digest !== p.digest) fail(path, `has ${p.type} ${got.digest}, primary.xml says ${p.digest}`);
      }
    } catch {
      fail(path, 'is missing');
    }
    progress.tick();
  });
  progress.done(`Verified ${pkgs.length} packages`);

  // snapshot.json agrees with the metadata.
  const record = await readSnapshotRecord(dir).catch((e: Error) => {
    fail(join(dir, 'snapshot.json'), e.message);
    return undefined;
  });
  if (record) {
    const listed = new Set(record.packages.map((p) => p.href));
    const inMetadata = new Set(hrefs);
    const missing = hrefs.filter((h) => !listed.has(h));
    const extra = [...listed].filter((h) => !inMetadata.has(h));
    if (missing.length || extra.length) fail(join(dir, 'snapshot.json'), `disagrees with primary.xml (${missing.length} packages unlisted, ${extra.length} not in the metadata)`);
    if (record.contentDigest !== contentDigest(record.packages, record.extraMetadata)) fail(join(dir, 'snapshot.json'), 'has a wrong contentDigest');
    if (record.repomdSha256 !== createHash('sha256').update(repomdBytes).digest('hex')) fail(repomdPath, 'differs from the repomd.xml snapshot.json recorded');
  } else if (!problems.length) {
    fail(join(dir, 'snapshot.json'), 'is missing');
  }

  // The chunk layout snapshot.json records (gz metadata): damage there only slows the next sync down, but it is damage.
  if (record?.metadata && CORE_RECORD_TYPES.every((t) => record.metadata?.files[t]?.href?.endsWith('.gz'))) {
    try {
      const index = chunkIndexOf(record.metadata);
      if (!index) throw new Error('it is not a chunk layout');
      const chunks = await openChunkedMetadata(dir, repomd, index);
      await chunks.verify(record.packages.map((p) => ({ href: p.href, pkgid: p.digest })));
    } catch (e) {
      fail(join(dir, 'snapshot.json'), `its metadata layout does not match the metadata (the next sync reads the files whole instead): ${(e as Error).message}`);
    }
  }

  if (problems.length) {
    throw new OvirtRepoError(ErrorCodes.VERIFY_FAILED, `snapshot ${repo}/${id} failed verification: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.slice(0, 20).map((p) => `  ${p.target}: ${p.problem}`).join('\n')}${problems.length > 20 ? '\n  ...' : ''}`, {
      target: dir,
      hint: 'a damaged snapshot should not be used: unpin it and sync the repo again; restore missing pool files from their source',
      data: { problems },
    });
  }
  return { repo, id, metadataFiles, packages: pkgs.length, bytes, checksummed: !options.quick, durationMs: Date.now() - started };
}
