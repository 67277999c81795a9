import { createHash } from 'node:crypto';
import {
  CORE_RECORD_TYPES,
  ErrorCodes,
  OvirtRepoError,
  compressionFromName,
  isLocalFilesCapable,
  isSymlinkCapable,
  joinKey,
  mapLimit,
  openChunkedMetadata,
  parseRepomd,
  plural,
  readPrimary,
  silentLogger,
  storeKey,
  type Logger,
  type Store,
} from '@ovirt-repo/core';
import { SNAPSHOT_POOL_LINK, SNAPSHOT_POOL_TARGET, SNAPSHOT_RECORD, parsePoolHref } from '../store/layout.js';
import { hrefProblem, validateRepoName } from '../store/names.js';
import { hashAlgorithm } from '../store/pool.js';
import { snapshotFileKey } from '../store/snapshot-files.js';
import { requireSnapshot } from '../store/repo-state.js';
import { chunkIndexOf, contentDigest, readSnapshotRecord } from '../store/snapshot-record.js';
import { resolveSnapshotId } from './show-snapshot.js';
import { signatureProblem } from './verify-signature.js';

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

/** The digest and size of an object, or undefined when it is missing. */
async function hashObject(store: Store, key: string, type: string): Promise<{ digest: string; size: number } | undefined> {
  const opened = await store.open(key);
  if (!opened) return undefined;
  const h = createHash(hashAlgorithm(type));
  let size = 0;
  for await (const chunk of opened.stream as AsyncIterable<Buffer>) {
    h.update(chunk);
    size += chunk.length;
  }
  return { digest: h.digest('hex'), size };
}

/**
 * Check a snapshot the way a client would use it: repomd.xml and every metadata file it names (present,
 * size, checksum), every package primary.xml lists (present through the pool link, size, checksum), the
 * pool link itself, that snapshot.json describes the same packages, and that a signed snapshot's
 * repomd.xml.asc verifies against its RPM-GPG-KEY. Throws E_VERIFY_FAILED listing
 * every problem found.
 */
export async function verifySnapshot(store: Store, repo: string, idArg: string | undefined, options: VerifySnapshotOptions = {}): Promise<VerifySnapshotResult> {
  const started = Date.now();
  const log = options.logger ?? silentLogger;
  validateRepoName(repo);
  const id = await resolveSnapshotId(store, repo, idArg);
  const snapshot = await requireSnapshot(store, repo, id);
  const problems: VerifyProblem[] = [];
  const fail = (target: string, problem: string) => problems.push({ target, problem });
  const at = (href: string) => store.locationOf(snapshotFileKey(store, snapshot, href));
  // The pool link (a store without links maps the snapshot's pool/ itself).
  if (isSymlinkCapable(store)) {
    const link = await store.stat(joinKey(snapshot, SNAPSHOT_POOL_LINK));
    if (!link) fail(at(SNAPSHOT_POOL_LINK), 'is missing');
    else if (link.type !== 'link') fail(at(SNAPSHOT_POOL_LINK), 'is not a symlink to the pool');
    else if (link.target !== SNAPSHOT_POOL_TARGET) fail(at(SNAPSHOT_POOL_LINK), `points to ${link.target}, not ${SNAPSHOT_POOL_TARGET}`);
  }
  // repomd.xml and the metadata files.
  const repomdPath = at('repodata/repomd.xml');
  const repomdBytes = (await store.read(joinKey(snapshot, 'repodata/repomd.xml')).catch(() => undefined))?.data;
  if (!repomdBytes) {
    throw new OvirtRepoError(ErrorCodes.VERIFY_FAILED, `snapshot ${repo}/${id} has no repodata/repomd.xml`, { target: repomdPath, data: { problems: [{ target: repomdPath, problem: 'missing' }] } });
  }
  const repomd = parseRepomd(repomdBytes, repomdPath);
  let metadataFiles = 0;
  for (const r of repomd.records) {
    const path = at(r.location.href);
    const got = await hashIn(store, snapshot, r.location.href, r.checksum.type);
    if (!got) {
      fail(path, `is missing (the "${r.type}" record of repomd.xml)`);
      continue;
    }
    metadataFiles++;
    if (r.size !== undefined && got.size !== r.size) fail(path, `has ${got.size} bytes, repomd.xml says ${r.size}`);
    else if (got.digest !== r.checksum.value) fail(path, `has ${r.checksum.type} ${got.digest}, repomd.xml says ${r.checksum.value}`);
  }
  const primaryRecord = repomd.records.find((r) => r.type === 'primary');
  if (!primaryRecord) fail(repomdPath, 'has no primary record');

  // Every package.
  const hrefs: string[] = [];
  const pkgs: { href: string; type: string; digest: string; size: number }[] = [];
  const primaryName = primaryRecord?.location.href.split('/').at(-1) ?? '';
  if (primaryRecord && !problems.some((p) => p.target.endsWith(primaryName))) {
    const primaryPath = at(primaryRecord.location.href);
    try {
      const opened = await store.open(storeKey(joinKey(snapshot, primaryRecord.location.href), 'verify'));
      if (!opened) throw new Error('it is missing');
      for await (const p of readPrimary(opened.stream as AsyncIterable<Uint8Array>, { name: primaryPath, compression: compressionFromName(primaryName) })) {
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
  const progress = log.progress('Verifying packages', pkgs.length, pkgs.reduce((n, p) => n + p.size, 0));
  let bytes = 0;
  // A package is read where a client gets it: through the snapshot's pool link, or, in a store without
  // links, at its pool href in the store (where serve maps the snapshot's pool/ paths).
  const linked = isSymlinkCapable(store);
  await mapLimit(pkgs, options.workers ?? 4, async (p) => {
    const base = linked || !parsePoolHref(p.href) ? snapshot : '';
    const path = store.locationOf(joinKey(base, p.href));
    const got = options.quick ? await sizeIn(store, base, p.href) : await hashIn(store, base, p.href, p.type);
    if (!got) fail(path, 'is missing');
    else {
      bytes += got.size;
      if (got.size !== p.size) fail(path, `has ${got.size} bytes, primary.xml says ${p.size}`);
      else if (got.digest !== undefined && got.digest !== p.digest) fail(path, `has ${p.type} ${got.digest}, primary.xml says ${p.digest}`);
    }
    progress.tick(1, p.size);
  });
  progress.done(`Verified ${plural(pkgs.length, 'package')}`);

  // snapshot.json agrees with the metadata.
  const recordPath = at(SNAPSHOT_RECORD);
  const record = await readSnapshotRecord(store, repo, id).catch((e: Error) => {
    fail(recordPath, e.message);
    return undefined;
  });
  if (record) {
    const listed = new Set(record.packages.map((p) => p.href));
    const inMetadata = new Set(hrefs);
    const missing = hrefs.filter((h) => !listed.has(h));
    const extra = [...listed].filter((h) => !inMetadata.has(h));
    if (missing.length || extra.length) fail(recordPath, `disagrees with primary.xml (${missing.length} packages unlisted, ${extra.length} not in the metadata)`);
    if (record.contentDigest !== contentDigest(record.packages, record.extraMetadata)) fail(recordPath, 'has a wrong contentDigest');
    if (record.repomdSha256 !== createHash('sha256').update(repomdBytes).digest('hex')) fail(repomdPath, 'differs from the repomd.xml snapshot.json recorded');
    const signed = record.signature ? await signatureProblem(store, snapshot, repomdBytes, record.signature) : undefined;
    if (signed) fail(at(signed.href), signed.problem);
  } else if (!problems.length) {
    fail(recordPath, 'is missing');
  }

  // The chunk layout snapshot.json records (gz metadata): damage there only slows the next sync down, but
  // it is damage. (Read with local files, as the sync reads it.)
  if (record?.metadata && CORE_RECORD_TYPES.every((t) => record.metadata?.files[t]?.href?.endsWith('.gz')) && isLocalFilesCapable(store)) {
    const dir = store.localPath(snapshot);
    try {
      const index = chunkIndexOf(record.metadata);
      if (!index) throw new Error('it is not a chunk layout');
      const chunks = await openChunkedMetadata(dir, repomd, index);
      await chunks.verify(record.packages.map((p) => ({ href: p.href, pkgid: p.digest })));
    } catch (e) {
      fail(recordPath, `its metadata layout does not match the metadata (the next sync reads the files whole instead): ${(e as Error).message}`);
    }
  }

  if (problems.length) {
    throw new OvirtRepoError(ErrorCodes.VERIFY_FAILED, `snapshot ${repo}/${id} failed verification: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.slice(0, 20).map((p) => `  ${p.target}: ${p.problem}`).join('\n')}${problems.length > 20 ? '\n  ...' : ''}`, {
      target: store.locationOf(snapshot),
      hint: 'a damaged snapshot should not be used: unpin it and sync the repo again; restore missing pool files from their source',
      data: { problems },
    });
  }
  return { repo, id, metadataFiles, packages: pkgs.length, bytes, checksummed: !options.quick, durationMs: Date.now() - started };
}

/** The digest and size of a file of the snapshot (an href below it); undefined when missing or unsafe. */
async function hashIn(store: Store, snapshot: string, href: string, type: string): Promise<{ digest?: string; size: number } | undefined> {
  try {
    return await hashObject(store, storeKey(snapshotFileKey(store, snapshot, href), 'verify'), type);
  } catch {
    return undefined;
  }
}

/** The size of a file of the snapshot, through links; undefined when missing or unsafe. */
async function sizeIn(store: Store, snapshot: string, href: string): Promise<{ digest?: string; size: number } | undefined> {
  const st = await store.stat(storeKey(snapshotFileKey(store, snapshot, href), 'verify'), { follow: true }).catch(() => undefined);
  return st?.type === 'object' ? { size: st.size } : undefined;
}
