import type { Generation, HistoryPackage, PublishHistory } from './history.js';
import type { PackageInfo } from './plan.js';

/** The live repomd.xml as found on the destination. */
export interface LiveGeneration {
  sha256: string;
  size: number;
  revision: string;
  /** Metadata files it names. */
  metadata: string[];
  /** Packages its primary lists. */
  packages: PackageInfo[];
}

/** Make `generation` the live one: the previous live one is superseded at its publication time. */
export function commitGeneration(history: PublishHistory, generation: Generation, packages: Record<string, HistoryPackage>): PublishHistory {
  const generations = history.generations.map((g, i, all) => (i === all.length - 1 && g.supersededAt === undefined ? { ...g, supersededAt: generation.publishedAt } : g));
  const { pending: _pending, ...rest } = history;
  return { ...rest, packages, generations: [...generations, generation] };
}

/**
 * Bring the history in line with what the destination really serves, before planning:
 * - a pending generation whose repomd.xml is live was committed by a writer killed right after replacing
 *   repomd.xml: commit it; one whose repomd.xml is not live never went out: drop it (its uploads are
 *   leftovers for pruning);
 * - a live repomd.xml the history does not know (the first publish onto an existing repository, a lost
 *   history file, a repomd.xml replaced by hand) becomes a generation of its own, its packages entering the
 *   table as history published now.
 */
export function reconcileHistory(history: PublishHistory, live: LiveGeneration | undefined, now: Date): { history: PublishHistory; notes: string[] } {
  const notes: string[] = [];
  let h = history;
  const pending = h.pending;
  if (pending) {
    if (live && live.sha256 === pending.generation.repomd.sha256) {
      h = commitGeneration(h, pending.generation, pending.packages);
      notes.push(`committed the generation of ${pending.generation.publishedAt}, whose writer stopped right after replacing repomd.xml`);
    } else {
      const { pending: _dropped, ...rest } = h;
      h = rest;
      notes.push(`dropped the unfinished generation of ${pending.generation.publishedAt} (its repomd.xml never went live)`);
    }
  }
  const last = h.generations.at(-1);
  if (live && last?.repomd.sha256 !== live.sha256) {
    const nowIso = now.toISOString();
    const packages: Record<string, HistoryPackage> = { ...h.packages };
    for (const p of live.packages) {
      const old = packages[p.key];
      packages[p.key] = old
        ? { ...old, lastPublished: nowIso }
        : { href: p.href, name: p.name, arch: p.arch, epoch: p.epoch, version: p.version, release: p.release, size: p.size, firstPublished: nowIso, lastPublished: nowIso, leftSource: nowIso };
    }
    const generation: Generation = {
      publishedAt: nowIso,
      revision: live.revision,
      repomd: { sha256: live.sha256, size: live.size },
      metadata: [...live.metadata].sort(),
      packages: live.packages.length,
      source: '(found on the destination)',
    };
    h = commitGeneration(h, generation, packages);
    notes.push(last ? 'the live repomd.xml is not the one publish wrote last; adopted it as a generation' : 'adopted the existing repository as the first generation');
  }
  return { history: h, notes };
}
