import { z } from 'zod';
import { ErrorCodes, OvirtRepoError, isOvirtRepoError, isTransient, resolveUri, type Logger } from '@ovirt-repo/core';
import { readFirstLine } from './download.js';
import type { Generation } from './history.js';
import type { SourceRepo } from './source.js';

/** How old a source is: the snapshot it is (by its own record), and its repomd.xml revision. */
export interface SourceStamp {
  snapshot?: { repo: string; id: string; time: string };
  revision?: string;
}

/** snapshot.json's first line holds every field but the packages; more than this is not a record. */
const HEAD_MAX_BYTES = 1 << 20;
const PACKAGES_OPEN = '"packages":[';
/** A store snapshot id: the UTC time of its sync to the millisecond (docs/mirror.md). */
const SNAPSHOT_ID = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)\.(\d{3})Z$/;

const recordHead = z.object({
  repo: z.string().min(1),
  id: z.string().min(1),
  createdAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO date'),
  repomdSha256: z.string(),
});

/**
 * The stamp of a source: its repomd.xml revision, and when it is a store snapshot (a snapshot.json beside
 * repodata/ that records this very repomd.xml), which snapshot. Only the record's first line is read. A
 * record that cannot be used is ignored with a warning; a network failure fails the publish, as any
 * other read of the source does.
 */
export async function readSourceStamp(source: SourceRepo, log: Logger): Promise<SourceStamp> {
  const stamp: SourceStamp = source.repomd.revision ? { revision: source.repomd.revision } : {};
  const url = resolveUri(source.baseUrl, 'snapshot.json');
  const ignore = (why: string): SourceStamp => {
    log.warn(`Ignoring ${url}: ${why}. Comparing the source with the destination by repomd.xml revision instead.`);
    return stamp;
  };
  let head;
  try {
    head = await readFirstLine(url, HEAD_MAX_BYTES, { logger: log, ...(source.network ? { network: source.network } : {}) });
  } catch (e) {
    if (!isOvirtRepoError(e) || isTransient(e)) throw e;
    return ignore(e.message);
  }
  if (!head) return stamp;
  const text = head.line.toString('utf8');
  let parsed;
  try {
    parsed = recordHead.safeParse(JSON.parse(text.endsWith(PACKAGES_OPEN) ? `${text}]}` : text));
  } catch {
    return ignore(head.ended ? 'its first line is not JSON' : `no snapshot record fits in its first ${HEAD_MAX_BYTES} bytes`);
  }
  if (!parsed.success) return ignore(`it is not a snapshot record (${parsed.error.issues[0]?.path.join('.') || 'top level'}: ${parsed.error.issues[0]?.message})`);
  const record = parsed.data;
  if (record.repomdSha256 !== source.repomdSha256) return ignore(`it does not describe this repository (it records repomd.xml sha256 ${record.repomdSha256.slice(0, 64)}, the source serves ${source.repomdSha256})`);
  // Ids, not createdAt: a store makes each id greater than every earlier one even when its clock goes back.
  const m = SNAPSHOT_ID.exec(record.id);
  const time = m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z` : new Date(record.createdAt).toISOString();
  return { ...stamp, snapshot: { repo: record.repo, id: record.id, time } };
}

/** The stamp a generation recorded of its source. */
export function stampOf(g: Pick<Generation, 'sourceSnapshot' | 'sourceRevision'>): SourceStamp {
  return { ...(g.sourceSnapshot ? { snapshot: g.sourceSnapshot } : {}), ...(g.sourceRevision !== undefined ? { revision: g.sourceRevision } : {}) };
}

/** The generation fields that record a stamp. */
export function stampFields(s: SourceStamp): Pick<Generation, 'sourceSnapshot' | 'sourceRevision'> {
  return { ...(s.snapshot ? { sourceSnapshot: s.snapshot } : {}), ...(s.revision !== undefined ? { sourceRevision: s.revision } : {}) };
}

export function sameStamp(a: SourceStamp, b: SourceStamp): boolean {
  return a.revision === b.revision && a.snapshot?.repo === b.snapshot?.repo && a.snapshot?.id === b.snapshot?.id && a.snapshot?.time === b.snapshot?.time;
}

/** -1, 0 or 1 when a is older than, as old as, or newer than b; undefined when they have nothing to compare. */
export function compareStamps(a: SourceStamp, b: SourceStamp): number | undefined {
  if (a.snapshot && b.snapshot) return Math.sign(Date.parse(a.snapshot.time) - Date.parse(b.snapshot.time));
  const ra = numeric(a.revision);
  const rb = numeric(b.revision);
  if (ra === undefined || rb === undefined) return undefined;
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/** createrepo_c's revision is the Unix time of the run unless told otherwise; only such numbers compare. */
function numeric(revision: string | undefined): bigint | undefined {
  return revision !== undefined && /^\d{1,30}$/.test(revision) ? BigInt(revision) : undefined;
}

function describeStamp(s: SourceStamp): string {
  if (s.snapshot) return `snapshot ${s.snapshot.id} of ${s.snapshot.repo}`;
  return s.revision !== undefined ? `repomd.xml revision ${s.revision}` : 'no snapshot record, no repomd.xml revision';
}

export interface OrderCheck {
  source: string;
  stamp: SourceStamp;
  destination: string;
  /** The generation the destination serves now, if any. */
  live?: Generation;
  allowOlder: boolean;
  log: Logger;
}

/**
 * Refuse a source older than what the destination publishes (an older run's lock published after a newer
 * one would roll latest.tested back), unless allowOlder: then it returns a note saying what happened. When
 * the two cannot be compared, publish goes ahead with a warning saying why. Publish calls this under the
 * destination's lock, after reading its history, so two racing publishers are compared one after another.
 */
export function checkSourceOrder(c: OrderCheck): string | undefined {
  if (!c.live) return undefined;
  const liveStamp = stampOf(c.live);
  const order = compareStamps(c.stamp, liveStamp);
  const live = `${c.live.source} (${describeStamp(liveStamp)}, published ${c.live.publishedAt})`;
  if (order === undefined) {
    const why = !liveStamp.snapshot && liveStamp.revision === undefined ? 'the destination records no time for what it publishes (published by an older ovirt-repo, or adopted)' : `they share no snapshot records and no numeric repomd.xml revisions: the source has ${describeSource(c.stamp)}, the destination ${describeSource(liveStamp)}`;
    c.log.warn(`Cannot tell whether ${c.source} is older than what ${c.destination} publishes, ${live}: ${why}. Publishing it.`);
    return undefined;
  }
  if (order >= 0) return undefined;
  const what = `${c.source} (${describeStamp(c.stamp)}) is older than what ${c.destination} publishes, ${live}`;
  if (c.allowOlder) return `published ${what}, as --allow-older asks`;
  throw new OvirtRepoError(ErrorCodes.OLDER_SOURCE, `Refusing to publish: ${what}`, {
    target: c.source,
    hint: 'Publishing it would roll the destination back to an older build. Publish the newer run instead; to roll back on purpose, add --allow-older (allowOlder: true for a named destination).',
    data: { source: c.stamp, live: liveStamp },
  });
}

function describeSource(s: SourceStamp): string {
  return `${s.snapshot ? `snapshot ${s.snapshot.id}` : 'no snapshot record'} and ${s.revision !== undefined ? `revision "${s.revision}"` : 'no revision'}`;
}
