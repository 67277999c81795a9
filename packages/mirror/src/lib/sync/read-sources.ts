import { fetchSourceRepomds, type SourceRepomd } from '../source/sources.js';
import type { LatestSnapshot, SyncContext } from './context.js';

/**
 * Stage 2, readSources: every source's repomd.xml, one small request each. A metalink source whose
 * checksum matches the one the latest snapshot recorded needs only the metalink.
 */
export function readSources(ctx: SyncContext, latest: LatestSnapshot): Promise<SourceRepomd[]> {
  return ctx.timer.time('readSources', () => {
    const recorded = new Map<string, string>();
    const head = latest.record?.head;
    if (head?.optionsDigest === ctx.optDigest) for (const s of head.sources) recorded.set(s.url, s.repomdSha256);
    ctx.log.info(`Reading ${ctx.specs.length === 1 ? (ctx.specs[0]?.id ?? '') : `${ctx.specs.length} sources`}`);
    return fetchSourceRepomds(ctx.specs, ctx.client, recorded, ctx.log, { mirrorBudgetMs: ctx.options.mirrorBudgetMs, ...(ctx.checkRepomd ? { checkRepomd: ctx.checkRepomd } : {}) });
  });
}

/**
 * The latest snapshot is signed as this sync would sign it: by the signer's key, or anything when this sync
 * does not sign (an unsigned sync makes a new, unsigned snapshot only when the content changed).
 */
export function signedAsAsked(ctx: SyncContext, latest: LatestSnapshot): boolean {
  if (!ctx.signing) return true;
  const fingerprint = latest.record?.head.signature?.fingerprint;
  return fingerprint !== undefined && ctx.signing.fingerprints.includes(fingerprint);
}

/**
 * Same options and every source's repomd.xml as the latest snapshot recorded, which is signed as asked:
 * nothing to do (unless the pool is to be checked).
 */
export function sourcesUnchanged(ctx: SyncContext, latest: LatestSnapshot, sources: readonly SourceRepomd[]): boolean {
  const head = latest.record?.head;
  return (
    !ctx.checkPool &&
    head !== undefined &&
    signedAsAsked(ctx, latest) &&
    head.optionsDigest === ctx.optDigest &&
    head.sources.length === sources.length &&
    sources.every((s, i) => head.sources[i]?.url === s.spec.id && head.sources[i]?.repomdSha256 === s.repomdSha256)
  );
}
