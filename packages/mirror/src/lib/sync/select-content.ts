import type { Repomd } from '@ovirt-repo/core';
import { parseLocation, type RepoLocation } from '../source/location.js';
import { snapshotDir } from '../store/layout.js';
import { contentDigest } from '../store/snapshot-record.js';
import type { Candidate } from './candidates.js';
import type { FetchedSource, LatestHead, LatestSnapshot, SyncContext } from './context.js';
import { withRepomds } from './fetch-source-metadata.js';
import { previousCandidates, readLatestRepomd } from './latest-snapshot.js';
import { chooseExtras, type ExtraCandidate } from './extra-metadata.js';
import { settleExtras } from './merge-extras.js';
import { findRecord, obtainMetadataFile, requirePrimary } from './metadata-files.js';
import { readCandidates, type CandidatesRead, type MetadataFile } from './read-candidates.js';
import { selectPackages } from './select-packages.js';
import { at, settleAll } from './settle-all.js';
import type { SourceRepomd } from './sources.js';

/** What the new snapshot is to hold, and what the later stages need to build it. */
export interface SnapshotContent {
  fetched: FetchedSource[];
  /** The latest snapshot's repomd.xml, when readable: its package entries are reused. */
  latestRepomd?: Repomd;
  /** In additive mode, the latest snapshot as the origin of the packages it keeps (origin -1). */
  previous?: { repomd: Repomd; location: RepoLocation };
  /** Each source's primary.xml, and what pass 1 read of it. */
  primaries: MetadataFile[];
  reads: CandidatesRead[];
  selected: Candidate[];
  modular: boolean;
  extraChoices: ExtraCandidate[];
  /** Identifies the package set and extra metadata; the latest snapshot's means nothing changed. */
  digest: string;
}

/** What the sources offer, read (pass 1) before anything is selected. */
export type IncomingContent = Omit<SnapshotContent, 'selected' | 'digest'> & { incoming: Candidate[] };

/**
 * Pass 1 over every source's primary.xml: the packages they offer (`incoming`), and the extra metadata the
 * snapshot will carry (the latest snapshot's in additive mode and each source's, merged where they differ).
 */
export async function readIncoming(ctx: SyncContext, latest: LatestHead, sources: readonly SourceRepomd[], workDir: string): Promise<IncomingContent> {
  const { layout, repo, mode, log, client } = ctx;
  const fetched = await withRepomds(sources, client);
  const latestRepomd = await readLatestRepomd(layout, repo, latest, mode, log);
  const previous = mode === 'additive' && latestRepomd && latest.id ? { repomd: latestRepomd, location: parseLocation(snapshotDir(layout, repo, latest.id)) } : undefined;

  const primaries = await settleAll(
    fetched.map(({ source, repomd }) => obtainMetadataFile(source.location, requirePrimary(repomd, source.location.display), client, workDir, `s${source.index}`, ctx.options.maxMetadataSize)),
  );
  const reads: CandidatesRead[] = [];
  const incoming: Candidate[] = [];
  for (const [i, { source }] of fetched.entries()) {
    // With a latest snapshot most packages usually come from it, so pass 2 will parse only a few entries.
    const read = await readCandidates(at(primaries, i), source.location, source.index, { byLayout: latestRepomd !== undefined });
    for (const c of read.candidates) incoming.push(c);
    reads.push(read);
  }

  const modular = fetched.some(({ repomd }) => findRecord(repomd, 'modules')) || (mode === 'additive' && Boolean(latest.record?.modular));
  if (modular && (ctx.selection.newestOnly || ctx.selection.keepVersions !== undefined)) log.warn('modular repo: keeping every package version (newest-only/keep-versions not applied)');
  const extraChoices = await settleExtras(
    chooseExtras(
      [
        ...(previous ? [{ repomd: previous.repomd, location: previous.location, tag: 'prev', from: `snapshot ${latest.id}` }] : []),
        ...fetched.map(({ source, repomd }) => ({ repomd, location: source.location, tag: `s${source.index}`, from: source.spec.id })),
      ],
      log,
    ),
    { client, workDir, log, compression: ctx.options.compression ?? 'gz' },
  );
  return { fetched, ...(latestRepomd ? { latestRepomd } : {}), ...(previous ? { previous } : {}), primaries, reads, incoming, modular, extraChoices };
}

/** The extra metadata as contentDigest takes it. */
export const extraDigestItems = (choices: readonly ExtraCandidate[]) => choices.map((e) => ({ type: e.record.type, checksum: e.record.checksum.value }));

/**
 * Stage selectPackages: pass 1 over every source's primary.xml (and, in additive mode, the latest
 * snapshot's package list), then the packages and extra metadata the snapshot will hold.
 */
export async function selectContent(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[], workDir: string): Promise<SnapshotContent> {
  const { incoming, ...read } = await readIncoming(ctx, latest, sources, workDir);
  const sel = selectPackages({ mode: ctx.mode, incoming, previous: ctx.mode === 'additive' ? previousCandidates(ctx.layout, latest) : [], options: ctx.selection, modular: read.modular });
  ctx.log.info(`Selected ${sel.selected.length} packages (${sel.filteredOut} filtered out, ${sel.pruned} older versions dropped)`);
  const digest = contentDigest(
    sel.selected.map((c) => ({ href: c.poolHref })),
    extraDigestItems(read.extraChoices),
  );
  return { ...read, selected: sel.selected, digest };
}
