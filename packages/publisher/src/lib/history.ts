import { z } from 'zod';
import { ErrorCodes, OvirtRepoError } from '@ovirt-repo/core';

/** Where the publish history lives on the destination (written atomically, like every other file). */
export const HISTORY_PATH = '.ovirt-repo/publish-history.json';
export const HISTORY_VERSION = 1;

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO date');

const historyPackage = z.object({
  /** Where the file lives on the destination. */
  href: z.string().min(1),
  name: z.string(),
  arch: z.string(),
  epoch: z.string(),
  version: z.string(),
  release: z.string(),
  size: z.number().int().nonnegative(),
  /** When a generation first listed it. */
  firstPublished: iso,
  /** When the latest generation that listed it was published. */
  lastPublished: iso,
  /** When it stopped being part of the published source; absent while the source still has it. */
  leftSource: iso.optional(),
});

const generation = z.object({
  publishedAt: iso,
  /** When the next generation replaced this one; absent for the live generation. */
  supersededAt: iso.optional(),
  revision: z.string(),
  /** sha256 and size of this generation's repomd.xml: how a pending generation is recognised as live. */
  repomd: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() }),
  /** Paths of the metadata files its repomd.xml names (below repodata/). */
  metadata: z.array(z.string()),
  /** Number of packages it lists. */
  packages: z.number().int().nonnegative(),
  /** The source it was published from (as given, credentials removed). */
  source: z.string(),
  /** The snapshot the source was, by its snapshot.json (absent for a plain repository). */
  sourceSnapshot: z.object({ repo: z.string(), id: z.string(), time: iso }).optional(),
  /** The source's repomd.xml revision. */
  sourceRevision: z.string().optional(),
});

const history = z.object({
  version: z.literal(HISTORY_VERSION),
  /** Every package file the destination holds that publish manages, by package key (`type:hex`). */
  packages: z.record(z.string(), historyPackage),
  /** repomd.xml generations, oldest first; the last one is live. */
  generations: z.array(generation),
  /**
   * A generation whose data files are uploaded and whose repomd.xml is about to replace the live one,
   * with the package table as it will be after. Committed on the next read if the live repomd.xml is its
   * (a writer killed right after the replace), dropped otherwise (killed before).
   */
  pending: z.object({ generation, packages: z.record(z.string(), historyPackage) }).optional(),
  /** Paths decided for removal whose removal may not have finished; finished by the next publish. */
  removing: z.array(z.string()).optional(),
});

export type HistoryPackage = z.infer<typeof historyPackage>;
export type Generation = z.infer<typeof generation>;
export type PublishHistory = z.infer<typeof history>;

export function emptyHistory(): PublishHistory {
  return { version: HISTORY_VERSION, packages: {}, generations: [] };
}

/** Parse the history file; E_REPODATA_INVALID naming the file and the first problem when it is not one. */
export function parseHistory(data: Buffer | string, where: string): PublishHistory {
  let json: unknown;
  try {
    json = JSON.parse(data.toString());
  } catch (e) {
    throw invalid(where, `not JSON (${(e as Error).message})`);
  }
  const parsed = history.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(where, `${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function invalid(where: string, why: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `The publish history ${where} is not valid: ${why}`, {
    target: where,
    hint: 'Restore it from a backup, or move it aside: the next publish rebuilds it from the live repodata (first-published dates restart).',
  });
}

/** Stable JSON (keys sorted, two-space indent): the same history always gives the same bytes. */
export function serializeHistory(h: PublishHistory): string {
  return `${JSON.stringify(sortKeys(h), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}
