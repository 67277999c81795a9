import { readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  clientNetwork,
  ErrorCodes,
  OvirtRepoError,
  hashFile,
  isLockCapable,
  nevra,
  putAll,
  redactLocation,
  removeAll,
  silentLogger,
  openSigner,
  signRepomd,
  targetRegistry,
  writeRepodata,
  type ChecksumType,
  type Logger,
  type NetworkSettings,
  type Signer,
  type SignOptions,
  type SyncTarget,
  type TargetLock,
  type TargetRegistry,
} from '@ovirt-repo/core';
import { assertPublishDestination, protectedByLive, readDestination } from './destination.js';
import { extraHref, extrasSignature } from './extra-metadata.js';
import { HISTORY_PATH, serializeHistory, type Generation } from './history.js';
import { REPOMD_ASC_PATH } from './layout.js';
import { makeRepomdLive, removeStalePairs } from './live-repomd.js';
import { sourceFromLock, type LockedSource } from './lock-file.js';
import { planPrune, planPublication, type PublishPlan, type Removal } from './plan.js';
import { commitGeneration, reconcileHistory } from './reconcile.js';
import { publicKeyTargetPath, putPublicKey, signLiveRepomd } from './sign/repomd-signature.js';
import { openSource } from './source.js';
import { checkSourceOrder, readSourceStamp, sameStamp, stampFields, stampOf } from './source-order.js';
import { listedRecords, packageInfo, uniqueByKey, uploadPackages } from './source-packages.js';
import { registerBuiltinTargets } from './targets/builtin.js';
import { makeWorkDir, sweepStaleWorkDirs } from './work-dir.js';

export interface PublishOptions {
  /** A YUM repository URL or path (usually a snapshot). Exclusive with fromLock. */
  from?: string;
  /** An inject lock file; the source is the URL it recorded for `repo`. */
  fromLock?: string;
  repo?: string;
  /** The destination: a location for the target registry, or an opened target. */
  to: string | SyncTarget;
  /** History packages stay listed this many days after they left the source. Default 14. */
  keepDays?: number;
  /** At most this many versions per name.arch (source packages always listed). Default: no bound. */
  keepVersions?: number;
  /** Metadata files of replaced repomd.xml generations stay this many days. Default 2. */
  keepMetadataDays?: number;
  dryRun?: boolean;
  compression?: 'gz' | 'xz' | 'zstd';
  checksumType?: Extract<ChecksumType, 'sha256' | 'sha512'>;
  /** Repomd revision; default SOURCE_DATE_EPOCH, else the current time. */
  revision?: string;
  /** Parallel package downloads. Default 4. */
  workers?: number;
  /** `--target-option key=value` settings passed to the target factory. */
  targetSettings?: Record<string, string>;
  /** Publish a source older than what the destination publishes (a deliberate roll-back). Default false. */
  allowOlder?: boolean;
  /** How long to wait for another publisher's lock on the destination (targets that lock). Default 0. */
  lockWaitMs?: number;
  /** Sign repodata/repomd.xml (repomd.xml.asc) and publish the public key (docs/trust.md). */
  sign?: SignOptions;
  /** The clock (tests). */
  now?: Date;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  registry?: TargetRegistry;
  /** Proxy and TLS for an http(s) source (--proxy, --no-proxy, --ca-cert...); unset: the environment's proxy, the system's CAs. */
  network?: NetworkSettings;
}

export interface PublishedPackage {
  nevra: string;
  href: string;
  size: number;
}

export interface PublishResult {
  source: string;
  destination: string;
  dryRun: boolean;
  /** A new repomd.xml was written (or, with --dry-run, would be). */
  changed: boolean;
  /** Revision of the live repomd.xml afterwards (the new one when changed). */
  revision?: string;
  /** Packages the live metadata lists afterwards: all, from the source, kept from history. */
  listed: { total: number; fromSource: number; fromHistory: number };
  /** Newly listed packages. */
  added: PublishedPackage[];
  /** Packages listed before and not any more (their files stay while older metadata may name them). */
  removed: PublishedPackage[];
  /** History packages still listed although the source no longer has them. */
  kept: PublishedPackage[];
  uploaded: { packages: number; metadataFiles: number; bytes: number };
  pruned: { packages: number; metadataFiles: number; leftovers: number; bytes: number; paths: string[] };
  /** Bytes uploaded and bytes pruned. */
  bytes: { uploaded: number; pruned: number };
  /** repomd.xml generations whose metadata the destination keeps (the live one included). */
  generations: number;
  /** Repairs and decisions worth knowing (adopted repository, interrupted run finished...). */
  notes: string[];
  durationMs: number;
}

const DEFAULT_KEEP_DAYS = 14;
const DEFAULT_KEEP_METADATA_DAYS = 2;

/**
 * Publish a repository to a destination with package and metadata history (see docs/publish.md):
 * copy the packages the destination lacks (verified), write metadata listing the source's packages plus
 * the history still inside the retention windows, data files first and repomd.xml last, then prune what
 * fell out of both windows. Killed at any moment, the destination still serves a complete repository (the
 * previous or the new one); the next run finishes or discards what the killed one left.
 */
export async function publish(options: PublishOptions): Promise<PublishResult> {
  const started = Date.now();
  const log = options.logger ?? silentLogger;
  const now = options.now ?? new Date();
  const keepDays = checkDays(options.keepDays ?? DEFAULT_KEEP_DAYS, '--keep-days');
  const keepMetadataDays = checkDays(options.keepMetadataDays ?? DEFAULT_KEEP_METADATA_DAYS, '--keep-metadata-days');
  if (options.keepVersions !== undefined && (!Number.isInteger(options.keepVersions) || options.keepVersions < 1)) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `--keep-versions must be a whole number of at least 1, got ${options.keepVersions}`, { hint: 'Leave it out to keep every version inside --keep-days.' });
  }
  const { url: sourceUri, repomd: lockedRepomd } = await resolveSource(options);
  const env = options.env ?? process.env;
  // A signer that cannot work is found before the destination is touched.
  if (options.sign?.publicKeyPath !== undefined) publicKeyTargetPath(options.sign.publicKeyPath);
  const signer: Signer | undefined = options.sign ? await openSigner(options.sign, env) : undefined;
  const registry = options.registry ?? targetRegistry();
  registerBuiltinTargets(registry);
  const target = typeof options.to === 'string' ? await registry.open(options.to, { logger: log, settings: options.targetSettings, env: options.env }) : options.to;
  const destination = typeof options.to === 'string' ? redactLocation(options.to) : target.location;
  const swept = await sweepStaleWorkDirs();
  if (swept.length) log.debug(`removed ${swept.length} scratch directories of killed publish runs: ${swept.join(', ')}`);
  const work = await makeWorkDir('publish');
  let lock: TargetLock | undefined;
  try {
    await assertPublishDestination(target);
    if (!options.dryRun && isLockCapable(target)) lock = await target.lock('publish', { waitMs: options.lockWaitMs ?? 0 });
    else if (!options.dryRun) log.debug(`${destination}: this target cannot lock; run one publisher per destination at a time`);

    log.info(`Reading the destination ${destination}`);
    const dest = await readDestination(target, work, log);
    const notes: string[] = [];
    const reconciled = reconcileHistory(dest.history, dest.live?.info, now);
    notes.push(...reconciled.notes);
    let history = reconciled.history;
    for (const note of reconciled.notes) log.info(note);

    log.info(`Reading the source ${sourceUri}`);
    const network = await clientNetwork(options.network ?? {}, 'publish', log, 'env');
    const source = await openSource(sourceUri, work, log, lockedRepomd && { ...lockedRepomd, lockFile: options.fromLock ?? '' }, network);
    const sourceName = redactLocation(source.display);
    const stamp = await readSourceStamp(source, log);
    const live = dest.live ? history.generations.at(-1) : undefined;
    const olderNote = checkSourceOrder({ source: sourceName, stamp, destination, live, allowOlder: Boolean(options.allowOlder), log });
    if (olderNote) {
      log.info(olderNote);
      notes.push(olderNote);
    }

    if (history.removing?.length && !options.dryRun) {
      const protectedPaths = protectedByLive(dest);
      const leftover = history.removing.filter((p) => !protectedPaths.has(p));
      log.info(`Finishing ${leftover.length} removals of an interrupted publish`);
      await removeAll(target, leftover);
      const { removing: _done, ...rest } = history;
      history = rest;
      notes.push(`finished ${leftover.length} removals left by an interrupted publish`);
    }
    const sourceInfos = uniqueByKey(source.packages.map((p) => packageInfo(p, history.packages, source.display)));
    const sourceByKey = new Map(sourceInfos.map((p) => [p.key, p]));
    const present = new Map(dest.files.map((f) => [f.path, f.size]));
    const liveKeys = new Set(dest.live?.info.packages.map((p) => p.key) ?? []);
    const extrasChanged = extrasSignature(source.extras.map((e) => e.record)) !== extrasSignature(dest.live?.repomd.records ?? []);
    const plan = planPublication({
      now,
      history,
      liveKeys,
      source: sourceInfos,
      keepDays,
      keepVersions: options.keepVersions,
      present: (href) => present.has(href),
      extrasChanged,
    });
    const describe = (key: string): PublishedPackage => {
      const p = plan.packages[key] ?? history.packages[key] ?? sourceByKey.get(key);
      return p ? { nevra: nevra(p), href: p.href, size: p.size } : { nevra: key, href: '', size: 0 };
    };

    const result: PublishResult = {
      source: sourceName,
      destination,
      dryRun: Boolean(options.dryRun),
      changed: plan.changed,
      revision: dest.live?.repomd.revision,
      listed: { total: plan.listed.length, fromSource: plan.fromSource.length, fromHistory: plan.fromHistory.length },
      added: plan.added.map(describe),
      removed: plan.removed.map(describe),
      kept: plan.fromHistory.map(describe),
      uploaded: { packages: 0, metadataFiles: 0, bytes: 0 },
      pruned: { packages: 0, metadataFiles: 0, leftovers: 0, bytes: 0, paths: [] },
      bytes: { uploaded: 0, pruned: 0 },
      generations: history.generations.length,
      notes,
      durationMs: 0,
    };

    if (options.dryRun) {
      const missing = sourceInfos.filter((p) => present.get(p.href) !== p.size);
      result.uploaded.packages = missing.length;
      result.uploaded.bytes = missing.reduce((n, p) => n + p.size, 0);
      const hypothetical = plan.changed ? commitGeneration(history, placeholderGeneration(now, plan, source.display), plan.packages) : history;
      const prune = planPrune({ now, keepMetadataDays, history: hypothetical, files: dest.files });
      fillPruned(result, prune.removals);
      result.generations = prune.history.generations.length;
      result.bytes = { uploaded: result.uploaded.bytes, pruned: result.pruned.bytes };
      result.durationMs = Date.now() - started;
      return result;
    }

    if (plan.changed) {
      // The metadata is written locally and signed before the destination is touched, so a signer that
      // fails or signs with the wrong key leaves it as it was.
      log.debug('step: write metadata');
      const records = listedRecords(plan, sourceByKey, dest.live?.records);
      const summary = await writeRepodata({
        repoDir: work,
        outDir: join(work, 'out', 'repodata'),
        packages: records,
        checksumType: options.checksumType ?? 'sha256',
        compression: options.compression ?? 'gz',
        revision: options.revision,
        env: options.env,
        extraRecords: source.extras.map(({ record, localPath }) => ({ ...record, location: { href: extraHref(record) }, sourcePath: localPath })),
      });
      const signature = signer ? (await signRepomd(signer, await readFile(summary.repomdPath), env)).signature : undefined;

      // The first write to a new destination marks it as ours, so a run that fails or is killed after
      // copying some packages leaves a destination the next run accepts and finishes.
      if (dest.historyText === undefined) await target.put(HISTORY_PATH, serializeHistory(history));
      log.debug('step: upload packages');
      const uploaded = await uploadPackages(target, source, sourceInfos, present, work, options.workers ?? 4, log);
      result.uploaded.packages = uploaded.count;
      result.uploaded.bytes += uploaded.bytes;

      const dataFiles = summary.files.filter((f) => f !== summary.repomdPath);
      const toUpload = [];
      for (const file of dataFiles) {
        const path = `repodata/${basename(file)}`;
        const { size } = await stat(file);
        if (present.get(path) !== size) toUpload.push({ path, data: { localFile: file }, size });
      }
      log.debug(`step: upload ${toUpload.length} metadata files`);
      await putAll(target, toUpload);
      result.uploaded.metadataFiles = toUpload.length + 1;
      result.uploaded.bytes += toUpload.reduce((n, f) => n + f.size, 0) + summary.repomdChecksum.size;

      const repomdSha = (await hashFile(summary.repomdPath, 'sha256')).value;
      const generation: Generation = {
        publishedAt: now.toISOString(),
        revision: summary.revision,
        repomd: { sha256: repomdSha, size: summary.repomdChecksum.size },
        metadata: summary.records.map((r) => r.location.href).sort(),
        packages: plan.listed.length,
        source: sourceName,
        ...stampFields(stamp),
      };
      log.debug('step: record pending generation');
      await target.put(HISTORY_PATH, serializeHistory({ ...history, pending: { generation, packages: plan.packages } }));
      if (signer && signature) await putPublicKey(target, signer, options.sign?.publicKeyPath, dest.files);
      else if (present.has(REPOMD_ASC_PATH)) {
        log.warn(`${destination}/${REPOMD_ASC_PATH}: removing the signature of the previous repomd.xml, since this publish is not signed (give --sign-key or --sign-command to keep the repository signed)`);
      }
      await makeRepomdLive(target, { repomd: { localFile: summary.repomdPath }, sha256: repomdSha, signature }, dest, log);
      log.debug(`step: repomd.xml replaced: ${plan.listed.length} packages (${plan.fromHistory.length} from history), revision ${summary.revision}`);
      history = commitGeneration(history, generation, plan.packages);
      result.revision = summary.revision;
      log.debug('step: commit generation');
    } else if (live && (live.source !== sourceName || !sameStamp(stampOf(live), stamp))) {
      // Same content from another source (a newer snapshot with the same packages): the live generation
      // now stands for it, so that a publish of a snapshot between the two is seen as older.
      const { sourceSnapshot: _snapshot, sourceRevision: _revision, ...unstamped } = live;
      history = { ...history, generations: [...history.generations.slice(0, -1), { ...unstamped, source: sourceName, ...stampFields(stamp) }] };
    }

    if (signer && !plan.changed && dest.live) {
      await putPublicKey(target, signer, options.sign?.publicKeyPath, dest.files);
      if (await signLiveRepomd(target, signer, dest.live.bytes, dest.files, env, log)) notes.push(`signed the live repomd.xml with ${signer.name}`);
    }

    // Prune only now that the new repomd.xml is live (and its history committed).
    const files = plan.changed ? await target.list('') : dest.files;
    const prune = planPrune({ now, keepMetadataDays, history, files });
    fillPruned(result, prune.removals);
    result.generations = prune.history.generations.length;
    if (prune.removals.length > 0) {
      const paths = prune.removals.map((r) => r.path);
      await target.put(HISTORY_PATH, serializeHistory({ ...prune.history, removing: paths }));
      log.debug(`step: prune ${paths.length} paths`);
      await removeAll(target, paths);
      log.info(`Pruned ${result.pruned.packages} packages, ${result.pruned.metadataFiles} metadata files, ${result.pruned.leftovers} leftovers`);
    }
    await removeStalePairs(target, files);
    const finalText = serializeHistory(prune.history);
    if (finalText !== dest.historyText) await target.put(HISTORY_PATH, finalText);
    log.debug('step: done');
    result.bytes = { uploaded: result.uploaded.bytes, pruned: result.pruned.bytes };
    result.durationMs = Date.now() - started;
    return result;
  } finally {
    await lock?.release().catch(() => undefined);
    if (typeof options.to === 'string') await target.close?.().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

function checkDays(value: number, flag: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `${flag} must be a number of days (0 or more), got ${value}`, { hint: `Example: ${flag} 14` });
  }
  return value;
}

async function resolveSource(options: PublishOptions): Promise<LockedSource> {
  if (options.from && options.fromLock) {
    throw new OvirtRepoError(ErrorCodes.USAGE, 'Give either --from or --from-lock, not both', { hint: '--from names a repository; --from-lock FILE --repo ID takes it from a lock file.' });
  }
  if (options.fromLock) {
    if (!options.repo) throw new OvirtRepoError(ErrorCodes.USAGE, '--from-lock needs --repo ID (the repository of the lock file to publish)', { hint: 'Example: --from-lock run.lock.json --repo experimental-master-el9' });
    return sourceFromLock(options.fromLock, options.repo);
  }
  if (!options.from) throw new OvirtRepoError(ErrorCodes.USAGE, 'Nothing to publish: give --from SOURCE or --from-lock FILE --repo ID', { hint: 'Example: ovirt-repo publish --from https://store/yum/repo/20240301T000000Z-1 --to /var/www/latest.tested' });
  return { url: options.from };
}

function placeholderGeneration(now: Date, plan: PublishPlan, source: string): Generation {
  return { publishedAt: now.toISOString(), revision: '(dry run)', repomd: { sha256: '0'.repeat(64), size: 0 }, metadata: [], packages: plan.listed.length, source };
}

function fillPruned(result: PublishResult, removals: Removal[]): void {
  result.pruned = {
    packages: removals.filter((r) => r.kind === 'package').length,
    metadataFiles: removals.filter((r) => r.kind === 'metadata').length,
    leftovers: removals.filter((r) => r.kind === 'leftover').length,
    bytes: removals.reduce((n, r) => n + r.bytes, 0),
    paths: removals.map((r) => r.path),
  };
}
