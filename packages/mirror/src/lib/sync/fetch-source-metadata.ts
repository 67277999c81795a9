import { MAX_REPOMD_SIZE, parseRepomd, type ReadClient } from '@ovirt-repo/core';
import type { FetchedSource, LatestHead, SyncContext } from './context.js';
import { settleAll } from './settle-all.js';
import { fetchSourceRepomds, type SourceRepomd } from './sources.js';

/**
 * Stage fetchSourceMetadata: every source's repomd.xml, one small request each. A metalink source whose
 * checksum matches the one the latest snapshot recorded needs only the metalink.
 */
export async function fetchSourceMetadata(ctx: SyncContext, latest: LatestHead): Promise<SourceRepomd[]> {
  const recorded = new Map<string, string>();
  if (latest.record?.optionsDigest === ctx.optDigest) for (const s of latest.record.sources) recorded.set(s.url, s.repomdSha256);
  ctx.log.info(`Reading ${ctx.specs.length === 1 ? (ctx.specs[0]?.id ?? '') : `${ctx.specs.length} sources`}`);
  return fetchSourceRepomds(ctx.specs, ctx.client, recorded, ctx.log, { mirrorBudgetMs: ctx.options.mirrorBudgetMs });
}

/** Same options and every source's repomd.xml as the latest snapshot recorded: nothing to do. */
export function sourcesUnchanged(ctx: SyncContext, latest: LatestHead, sources: readonly SourceRepomd[]): boolean {
  const record = latest.record;
  return (
    record !== undefined &&
    record.optionsDigest === ctx.optDigest &&
    record.sources.length === sources.length &&
    sources.every((s, i) => record.sources[i]?.url === s.spec.id && record.sources[i]?.repomdSha256 === s.repomdSha256)
  );
}

/** Every source's repomd.xml in hand (a metalink may have vouched for an unchanged one without fetching it). */
export function withRepomds(sources: readonly SourceRepomd[], client: ReadClient): Promise<FetchedSource[]> {
  return settleAll(sources.map((s) => withRepomd(s, client)));
}

async function withRepomd(s: SourceRepomd, client: ReadClient): Promise<FetchedSource> {
  if (s.repomd) return { source: s, repomd: s.repomd };
  const url = new URL('repodata/repomd.xml', s.location.base);
  const repomd = parseRepomd(await client.read(url, MAX_REPOMD_SIZE), url.href);
  return { source: s, repomd };
}
