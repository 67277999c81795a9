import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkPackageSignatures, ErrorCodes, humanBytes, makeDirectory, mapLimit, nevra, OvirtRepoError, plural, redactUrl, shortKeyId, silentLogger, type Logger, type PackageSignature, type PublicKeySet, type ReadClient, type Store } from '@ovirt-repo/core';
import { verifiedStream } from '../../store/pool.js';
import type { Candidate } from '../shared/candidates.js';
import type { DownloadResult } from '../shared/result.js';
import { announcedTooLarge, downloadToPool } from './download-to-pool.js';
import type { DownloadPlan } from './plan-downloads.js';

/** What `--gpgcheck` checks packages against. */
export interface PackageCheck {
  keys: PublicKeySet;
  env: NodeJS.ProcessEnv;
}

/** Packages fetched, checked and moved into the pool at a time: bounds the work area's disk use. */
const CHUNK = 500;

/**
 * downloadToPool with every package's signature checked before it enters the pool: a chunk at a time,
 * the packages are fetched (size and checksum verified, retried as downloadToPool retries) into plain files
 * of the work area, checked there in one rpmkeys run, and only then put into the store's pool from those
 * copies. The first package refused stops the sync (E_GPGCHECK): it, and the rest of its chunk, never reach
 * the pool.
 */
export async function downloadChecked(layout: Store, plan: DownloadPlan, client: ReadClient, workers: number, log: Logger, check: PackageCheck, workDir: string): Promise<DownloadResult> {
  const items = [...plan.fetch, ...plan.corrupt];
  const corrupt = new Set(plan.corrupt);
  const dir = join(workDir, 'gpgcheck');
  await makeDirectory(dir);
  const progress = log.progress('Downloading packages to check their signatures', items.length, plan.bytes);
  let done: DownloadResult = { count: 0, bytes: 0 };
  for (let from = 0; from < items.length; from += CHUNK) {
    const chunk = items.slice(from, from + CHUNK);
    const copies = chunk.map((_c, i) => join(dir, `${from + i}.rpm`));
    await mapLimit(chunk, workers, async (c, i) => {
      await fetchCopy(client, c, copies[i] as string, (n) => progress.tick(0, n));
      progress.tick(1, 0);
    });
    await requireSigned(chunk, copies, check);
    const into: DownloadPlan = { fetch: chunk.filter((c) => !corrupt.has(c)), corrupt: chunk.filter((c) => corrupt.has(c)), present: 0, bytes: 0 };
    const copyOf = new Map(chunk.map((c, i) => [c, copies[i] as string]));
    const moved = await downloadToPool(layout, into, client, workers, silentLogger, async (c) => ({ stream: createReadStream(copyOf.get(c) as string), size: c.size }));
    await Promise.all(copies.map((f) => rm(f, { force: true })));
    done = { count: done.count + moved.count, bytes: done.bytes + moved.bytes };
  }
  progress.done(`Downloaded and checked ${plural(done.count, 'package')} (${humanBytes(done.bytes)})`);
  return done;
}

/** One package into a plain file, verified against its metadata; a mismatch is retried once (a flaky proxy), as downloadToPool does. */
async function fetchCopy(client: ReadClient, c: Candidate, path: string, onBytes: (n: number) => void): Promise<void> {
  const where = redactUrl(c.url.href);
  let mismatches = 0;
  let counted = 0;
  const count = (n: number) => {
    counted += n;
    onBytes(n);
  };
  await client.withRetries(where, async () => {
    // A retry starts the file over: the bytes of the failed try no longer count.
    count(-counted);
    const { stream, size } = await client.open(c.url);
    if (size !== undefined && size > c.size) {
      stream.destroy();
      throw announcedTooLarge(where, size, c.size);
    }
    try {
      await pipeline(verifiedStream(stream, c, where, count), createWriteStream(path));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if ((code === 'E_CHECKSUM_MISMATCH' || code === 'E_SIZE_MISMATCH') && mismatches++ === 0) {
        Object.assign(e as object, { data: { ...((e as { data?: object }).data ?? {}), transient: true } });
      }
      throw e;
    }
  });
}

/**
 * Check packages already in the pool that the latest snapshot did not vouch for with these keys (another
 * repo fetched them, or the keys changed): each copied into the work area, checked, removed again.
 */
export async function checkPoolPackages(layout: Store, packages: readonly Candidate[], check: PackageCheck, workDir: string): Promise<void> {
  const dir = join(workDir, 'gpgcheck-pool');
  await makeDirectory(dir);
  for (let from = 0; from < packages.length; from += CHUNK) {
    const chunk = packages.slice(from, from + CHUNK);
    const copies = chunk.map((_c, i) => join(dir, `${from + i}.rpm`));
    await mapLimit(chunk, 8, async (c, i) => {
      const found = await layout.open(c.poolHref);
      if (!found) throw new OvirtRepoError(ErrorCodes.STORE, `the pool lacks ${c.poolHref}`, { target: layout.locationOf(c.poolHref), hint: 'run `ovirt-repo mirror sync --check-pool` to fetch it again' });
      await pipeline(found.stream, createWriteStream(copies[i] as string));
    });
    await requireSigned(chunk, copies, check);
    await Promise.all(copies.map((f) => rm(f, { force: true })));
  }
}

async function requireSigned(packages: readonly Candidate[], files: readonly string[], check: PackageCheck): Promise<void> {
  const results = await checkPackageSignatures(files, check.keys, { env: check.env });
  const i = results.findIndex((r) => !r.ok);
  const c = packages[i];
  const r = results[i];
  if (c && r && !r.ok) throw refused(c, r, check.keys);
}

function refused(c: Candidate, r: Extract<PackageSignature, { ok: false }>, keys: PublicKeySet): OvirtRepoError {
  const what = `${nevra(c)} (${c.origin < 0 ? c.poolHref : redactUrl(c.url.href)})`;
  const expected = keys.fingerprints.map(shortKeyId).join(', ');
  const found = r.keyIds.join(', ');
  const why = {
    unsigned: 'is not signed (it has digests only)',
    nokey: `is signed by key ID ${found}, which is not one of the keys given`,
    bad: `has a BAD signature or digest (${r.detail}): it was changed after signing, or damaged`,
    unreadable: 'cannot be read as a package by rpmkeys',
  }[r.reason];
  return new OvirtRepoError(ErrorCodes.GPGCHECK, `${what} ${why} (expected key ID ${expected}); nothing was published`, {
    target: c.url.href.startsWith('store:') ? c.poolHref : redactUrl(c.url.href),
    hint: r.reason === 'nokey' ? 'give the key the upstream signs with (--gpg-key FILE|URL, repeatable), or find out why the package is signed by another key' : r.reason === 'unsigned' ? 'mirror this source without --gpgcheck, or have its packages signed (rpmsign --addsign)' : 'find out which mirror served it; do not work around a bad signature',
    data: { package: nevra(c), url: redactUrl(c.url.href), reason: r.reason, keyIds: r.keyIds, expected: keys.fingerprints },
  });
}
