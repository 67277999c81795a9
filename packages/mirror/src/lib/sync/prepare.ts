import { availableParallelism } from 'node:os';
import { clientNetwork, createReadClient, ErrorCodes, mergeNetworkSettings, isStagedWriteCapable, openSigner, OvirtRepoError, publicKeyFingerprints, silentLogger, type StagedWriteCapable, type Store, type StoreLock } from '@ovirt-repo/core';
import { cleanRepoLeftovers } from '../gc/run-gc.js';
import { repoLockName } from '../lock/store-locks.js';
import { assertNotPending } from '../store/pending.js';
import { repomdCheck } from '../source/repomd-signature.js';
import { resolveSourceSpecs } from '../source/sources.js';
import { defaultBaseUrl } from '../store/layout.js';
import { validateRepoName } from '../store/names.js';
import { optionsDigest, type SelectionOptions, type SyncMode } from '../store/snapshot-record.js';
import { openStore } from '../store/store.js';
import type { SnapshotSigning, SyncContext } from './context.js';
import type { SyncOptions } from './options.js';
import { stageTimer } from './shared/stage-timer.js';
import { pauseForTest } from './shared/test-hooks.js';
import { openVerify } from './shared/verify-settings.js';

/**
 * Stage 0, prepare: the options checked and resolved (repo name, sources, filters and their digest), the
 * store opened (made on first use) and the HTTP client made. Nothing is locked yet.
 */
export async function prepare(options: SyncOptions): Promise<SyncContext> {
  const log = options.logger ?? silentLogger;
  const repo = validateRepoName(options.repo);
  const mode: SyncMode = options.mode ?? 'mirror';
  const workers = options.workers ?? Math.max(4, availableParallelism());
  const specs = await resolveSourceSpecs(options.from ?? [], options.config, repo, options.arch);
  const selection: SelectionOptions = {
    ...(options.arch?.length ? { arch: options.arch } : {}),
    ...(options.include?.length || specs.include.length ? { include: [...(options.include ?? []), ...specs.include] } : {}),
    ...(options.exclude?.length || specs.exclude.length ? { exclude: [...(options.exclude ?? []), ...specs.exclude] } : {}),
    ...(options.newestOnly ? { newestOnly: true } : {}),
    ...(options.keepVersions !== undefined ? { keepVersions: options.keepVersions } : {}),
  };
  // A flag beats the config section, which beats ovirt-repo.yaml; upstream fetches use the environment's proxy by default.
  const where = options.config ? `[${options.config.section ?? repo}] in ${options.config.file}` : 'mirror sync';
  const network = await clientNetwork(mergeNetworkSettings(options.networkDefaults, specs.network, options.network), where, log, 'env');
  const signing = options.sign ? await openSigning(options.sign, options.env ?? process.env) : undefined;
  const verify = await openVerify(options.verify, specs.verify, options.verifyDefaults, network);
  // A dry run checks the store as a writer would, but a missing one is not made: it reads as empty.
  const layout = stagingStore(await openStore(options.store, { create: true, ...(options.dryRun ? { dryRun: true } : {}), ...(options.s3 ? { s3: options.s3 } : {}) }));
  const client = createReadClient({ maxSockets: workers, retries: options.retries, idleTimeoutMs: options.timeoutMs, minBytesPerSecond: options.minRate, logger: log, ...network });
  return {
    layout,
    repo,
    mode,
    selection,
    optDigest: optionsDigest(mode, selection),
    specs: specs.specs,
    workers,
    baseUrl: (options.baseUrl ?? defaultBaseUrl(layout)).replace(/\/+$/, ''),
    compression: options.compression ?? 'gz',
    checkPool: options.checkPool ?? false,
    dryRun: options.dryRun ?? false,
    client,
    ...(verify ? { verify } : {}),
    ...(verify?.repomd ? { checkRepomd: repomdCheck(client, verify.keys, verify.env) } : {}),
    log,
    options,
    timer: stageTimer(log),
    ...(signing ? { signing } : {}),
    commitAttempts: 0,
  };
}

/**
 * Runs `work` holding the repo's writer lock (waiting for another writer at most `lockTimeoutMs`), after
 * removing what an interrupted sync of the repo left behind; a dry run runs it without either. The lock
 * and the HTTP client are released whatever happens.
 */
export async function withWriterLock<T>(ctx: SyncContext, work: () => Promise<T>): Promise<T> {
  const { layout, repo, log } = ctx;
  let lock: StoreLock | undefined;
  try {
    // A dry run takes none: it neither waits for a running sync nor keeps one waiting (it writes nothing a
    // writer could trip on), and leaves a killed sync's leftovers to the next writer.
    if (!ctx.dryRun) {
      lock = await ctx.timer.time('lock', () =>
        layout.lock(repoLockName(repo), { purpose: `mirror sync of ${repo}`, timeoutMs: ctx.options.lockTimeoutMs ?? 30 * 60_000, staleAfterMs: ctx.options.staleAfterMs, logger: log }),
      );
      await pauseForTest('after-lock');
    }
    // A repo being deleted or renamed takes no sync (and a dry run has nothing true to say about it).
    await assertNotPending(layout, repo);
    if (!ctx.dryRun) {
      const leftovers = await cleanRepoLeftovers(layout, [repo], log, repo);
      if (leftovers) log.info(`Removed ${leftovers} leftovers of an interrupted sync of ${repo}`);
    }
    return await work();
  } finally {
    await lock?.release();
    ctx.client.close();
  }
}

/** The signer checked and its public key read (or exported) before anything is locked or written. */
async function openSigning(sign: NonNullable<SyncOptions['sign']>, env: NodeJS.ProcessEnv): Promise<SnapshotSigning> {
  const signer = await openSigner(sign, env);
  const fingerprints = await publicKeyFingerprints(signer.publicKey, env, sign.timeoutMs);
  if (fingerprints.length === 0) {
    throw new OvirtRepoError(ErrorCodes.SIGN, `gpg reads no public key in ${sign.publicKeyFile ?? `the key gpg exported for ${sign.key ?? ''}`}`, {
      ...(sign.publicKeyFile ? { target: sign.publicKeyFile } : {}),
      hint: 'Export the signing key with gpg --export --armor KEYID > FILE and give that file.',
    });
  }
  return { signer, fingerprints, env };
}

/** The store, which must be able to stage a snapshot (write a set of objects made visible together). */
function stagingStore(store: Store): Store & StagedWriteCapable {
  if (isStagedWriteCapable(store)) return store;
  throw new OvirtRepoError(ErrorCodes.STORE, `store ${store.location} cannot stage a snapshot (write its files out of sight, then make them visible together), which mirror sync needs`, {
    target: store.location,
    hint: `a ${store.scheme} store is read-only for mirror sync; sync into a store of a kind that can be written (a directory, s3://)`,
  });
}
