import { ErrorCodes, MAX_REPOMD_SIZE, OvirtRepoError, parseRepomd, type Repomd } from '@ovirt-repo/core';
import { parseLocation } from '../source/location.js';
import type { SourceRepomd } from '../source/sources.js';
import { snapshotKey } from '../store/layout.js';
import type { FetchedSource, LatestSnapshot, SyncContext } from './context.js';
import { chooseExtras, type ExtraCandidate } from './read-incoming/extra-metadata.js';
import { settleExtras } from './read-incoming/merge-extras.js';
import { latestFiles, type LatestFiles } from './read-incoming/latest-files.js';
import { openLatestMetadata, type LatestMetadata } from './read-incoming/latest-metadata.js';
import { findRecord, obtainMetadataFile, requirePrimary } from './read-incoming/metadata-files.js';
import { PrimaryRecords, readCandidates } from './read-incoming/read-candidates.js';
import { hasInGroup } from '../select/select-packages.js';
import { sameFile, type Candidate } from './shared/candidates.js';
import { at, settleAll } from './shared/settle-all.js';
import { spoolIn, type WorkArea } from './shared/work-area.js';

/** What the sources offer, and what the new snapshot's metadata is made of besides the packages. */
export interface Incoming {
  /** Every source with its repomd.xml. */
  fetched: FetchedSource[];
  /** Every package of every source (pass 1 over their primary.xml), in source order. */
  candidates: Candidate[];
  /** Pass 1's primary records of the candidates whose entries can only come from their source. */
  records: PrimaryRecords;
  /** The latest snapshot's repomd.xml, when it has a readable one. */
  latestRepomd?: Repomd;
  /** The latest snapshot's metadata, when it has a readable one: the entries of the packages it keeps. */
  latestMetadata?: LatestMetadata;
  /** A source has modules, or (additive mode) the latest snapshot is modular: every version is kept. */
  modular: boolean;
  /** The extra metadata the snapshot carries (the latest snapshot's in additive mode and each source's, merged where they differ). */
  extras: ExtraCandidate[];
}

/**
 * Stage 3, readIncoming: every source's repomd.xml in hand, the latest snapshot's metadata opened, the
 * sources' primary.xml read into candidates (pass 1, the only read of them; every href, name and checksum
 * validated; the records of the packages the latest snapshot lacks kept for pass 2), and the extra
 * metadata chosen and merged.
 */
export function readIncoming(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[], area: WorkArea): Promise<Incoming> {
  return ctx.timer.time('readIncoming', async () => {
    const { mode, log, client } = ctx;
    const fetched = await settleAll(sources.map((s) => withRepomd(ctx, s)));
    const latestRepomd = await readLatestRepomd(ctx, latest);
    const files = await readLatestFiles(ctx, latest, latestRepomd, area);
    const [latestMetadata, primaries] = await settleAll([
      openLatestMetadata(ctx, latest, latestRepomd, files),
      settleAll(fetched.map(({ source, repomd }) => obtainMetadataFile(source.location, requirePrimary(repomd, source.location.display), client, area.dir, `s${source.index}`, ctx.options.maxMetadataSize))),
    ]);
    // A package the latest snapshot has (the same file in its name.arch group) keeps its entries there
    // (see workOutEdits), when they can be read.
    const record = latestMetadata && latest.record;
    const records = new PrimaryRecords(await spoolIn(area, 'primary-records'), record ? (c) => !hasInGroup(record, c, sameFile) : () => true);
    const candidates: Candidate[] = [];
    for (const [i, { source }] of fetched.entries()) for (const c of await readCandidates(at(primaries, i), source.location, source.index, records)) candidates.push(c);

    const modular = fetched.some(({ repomd }) => findRecord(repomd, 'modules')) || (mode === 'additive' && Boolean(latest.record?.head.modular));
    if (modular && (ctx.selection.newestOnly || ctx.selection.keepVersions !== undefined)) log.warn('modular repo: keeping every package version (newest-only/keep-versions not applied)');
    const previous = mode === 'additive' && latestRepomd && files ? [{ repomd: latestRepomd, location: parseLocation(files.dir), tag: 'prev', from: `snapshot ${latest.id}` }] : [];
    const chosen = chooseExtras([...previous, ...fetched.map(({ source, repomd }) => ({ repomd, location: source.location, tag: `s${source.index}`, from: source.spec.id }))], log);
    const extras = await settleExtras(chosen, { client, workDir: area.dir, log, compression: ctx.compression });
    return { fetched, candidates, records, ...(latestRepomd ? { latestRepomd } : {}), ...(latestMetadata ? { latestMetadata } : {}), modular, extras };
  });
}

/** A source's repomd.xml: in hand, or fetched (a metalink vouched for it without a request to a mirror). */
async function withRepomd(ctx: SyncContext, s: SourceRepomd): Promise<FetchedSource> {
  if (s.repomd) return { source: s, repomd: s.repomd };
  const url = new URL('repodata/repomd.xml', s.location.base);
  const bytes = await ctx.client.read(url, MAX_REPOMD_SIZE);
  await ctx.checkRepomd?.(bytes, url);
  return { source: s, repomd: parseRepomd(bytes, url.href) };
}

/**
 * The latest snapshot's repomd.xml. Additive mode builds on that snapshot, so it must be readable; in mirror
 * mode it only offers package entries to reuse, so a damaged one is reported and done without.
 */
async function readLatestRepomd(ctx: SyncContext, latest: LatestSnapshot): Promise<Repomd | undefined> {
  if (!latest.id || !latest.record) return undefined;
  const key = `${snapshotKey(ctx.repo, latest.id)}/repodata/repomd.xml`;
  const path = ctx.layout.locationOf(key);
  try {
    const found = await ctx.layout.read(key, { maxBytes: MAX_REPOMD_SIZE });
    if (!found) throw new OvirtRepoError(ErrorCodes.STORE, `${path} is missing`, { target: path, hint: `check the snapshot with \`ovirt-repo snapshot verify ${ctx.repo} ${latest.id}\`` });
    return parseRepomd(found.data, path);
  } catch (e) {
    const error = e as OvirtRepoError;
    if (ctx.mode === 'additive') throw error;
    ctx.log.warn(`not reusing snapshot ${ctx.repo}/${latest.id}: ${error.message}`);
    return undefined;
  }
}

/** The latest snapshot's metadata files on this machine (see latestFiles); as readLatestRepomd, a failure is fatal only in additive mode. */
async function readLatestFiles(ctx: SyncContext, latest: LatestSnapshot, repomd: Repomd | undefined, area: WorkArea): Promise<LatestFiles | undefined> {
  if (!latest.id || !repomd) return undefined;
  try {
    return await latestFiles(ctx, latest.id, repomd, area);
  } catch (e) {
    if (ctx.mode === 'additive') throw e;
    ctx.log.warn(`not reusing snapshot ${ctx.repo}/${latest.id}: ${(e as Error).message}`);
    return undefined;
  }
}
