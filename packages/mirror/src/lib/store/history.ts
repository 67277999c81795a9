import { ErrorCodes, OvirtRepoError, thisHost, type Logger, type Store } from '@ovirt-repo/core';
import { historyDirKey, historyKey, HISTORY_ROOT, latestKey } from './layout.js';
import { isSnapshotId } from './names.js';

/*
 * A repo's history: one create-only record per committed snapshot, `yum/<repo>/history/<parent>.json`
 * (`root.json` for the repo's first), naming the snapshot that follows the parent. The key is the parent
 * because creating it is the commit point: two writers that built on the same parent race to create the
 * same key, and the store's create-only write lets exactly one of them win. The head of a repo is found by
 * following records from the snapshot latest.txt names until there is none; latest.txt is only a hint
 * that moves forward by compare-and-swap (see rollForward). docs/internals.md, "The commit protocol".
 */

export interface HistoryRecord {
  format: 1;
  /** The snapshot committed on `parent`. */
  id: string;
  /** The snapshot it was built on; null for a repo's first. */
  parent: string | null;
  /** When and where it was committed (for people reading the history). */
  committedAt: string;
  host: string;
}

/** latest.txt as read: the id it names and its version (for compare-and-swap); undefined when absent. */
export interface LatestPointer {
  id: string;
  version: string;
}

const RECORD_MAX_BYTES = 64 * 1024;

/**
 * Create the record of `id` committed on `parent` (undefined: the repo's first snapshot), at `committedAtMs`
 * (a sync with a fixed clock, SyncOptions.now, passes it). True when this call committed it; false when
 * another writer already committed a snapshot on that parent.
 */
export function createHistoryRecord(store: Store, repo: string, id: string, parent: string | undefined, committedAtMs = Date.now()): Promise<boolean> {
  const record: HistoryRecord = { format: 1, id, parent: parent ?? null, committedAt: new Date(committedAtMs).toISOString(), host: thisHost() };
  return store.create(historyKey(repo, parent), `${JSON.stringify(record)}\n`);
}

/** The snapshot committed on `parent` (undefined: the first), or undefined when none is. */
export async function readHistoryRecord(store: Store, repo: string, parent: string | undefined): Promise<HistoryRecord | undefined> {
  const key = historyKey(repo, parent);
  const found = await store.read(key, { maxBytes: RECORD_MAX_BYTES });
  if (!found) return undefined;
  const where = store.locationOf(key);
  let record: Partial<HistoryRecord>;
  try {
    record = JSON.parse(found.data.toString('utf8')) as Partial<HistoryRecord>;
  } catch {
    throw badRecord(where, 'it is not JSON');
  }
  // Ids only grow along the history (nextSnapshotId), so a walk can never go round in a circle.
  if (record.format !== 1 || typeof record.id !== 'string' || !isSnapshotId(record.id)) throw badRecord(where, 'it names no snapshot');
  if ((record.parent ?? undefined) !== parent) throw badRecord(where, `its parent is not ${parent ?? 'null'}`);
  if (parent !== undefined && record.id <= parent) throw badRecord(where, `its snapshot ${record.id} is not newer than its parent`);
  return record as HistoryRecord;
}

function badRecord(where: string, why: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.STORE, `history record ${where} is damaged: ${why}`, {
    target: where,
    hint: 'history records are written only by mirror sync; restore the file from a backup, or remove it if the snapshot it names does not exist',
  });
}

/** latest.txt of a repo, or undefined when it has none. */
export async function readLatestPointer(store: Store, repo: string): Promise<LatestPointer | undefined> {
  const found = await store.read(latestKey(repo), { maxBytes: 4096 }).catch((e: unknown) => {
    if ((e as { code?: string }).code === ErrorCodes.STORE) return { data: Buffer.from('(too large)'), version: '' };
    throw e;
  });
  if (!found) return undefined;
  const id = found.data.toString('utf8').trim();
  if (!isSnapshotId(id)) {
    const where = store.locationOf(latestKey(repo));
    throw new OvirtRepoError(ErrorCodes.STORE, `${where} does not name a snapshot ("${id.slice(0, 60)}")`, {
      target: where,
      hint: `write a valid snapshot id into it (see \`ovirt-repo snapshot list\`), or delete it and ${store.locationOf(historyDirKey(repo))} to start the repo afresh`,
    });
  }
  return { id, version: found.version };
}

/**
 * The head of a repo: the snapshot reached by following history records from what latest.txt names (from
 * the first record when there is no latest.txt), or undefined for a repo with none. A store written before
 * history records has none: its head is what latest.txt names.
 */
export async function readHead(store: Store, repo: string): Promise<{ pointer?: LatestPointer; head?: string }> {
  const pointer = await readLatestPointer(store, repo);
  let head = pointer?.id;
  for (let next = await readHistoryRecord(store, repo, head); next; next = await readHistoryRecord(store, repo, head)) head = next.id;
  return { pointer, head };
}

/**
 * The head of a repo, with latest.txt moved forward to it (compare-and-swap) when a writer stopped after
 * its commit record and before moving latest.txt. latest.txt only ever moves forward along the history:
 * when another writer moves it first, the walk starts again from there.
 */
export async function rollForward(store: Store, repo: string, log?: Logger): Promise<string | undefined> {
  for (;;) {
    const { pointer, head } = await readHead(store, repo);
    if (head === undefined || head === pointer?.id) return head;
    try {
      await store.replace(latestKey(repo), `${head}\n`, pointer?.version ?? null);
      log?.info(`Moved ${store.locationOf(latestKey(repo))} forward from ${pointer?.id ?? 'nothing'} to ${head}, the head of the history (a writer stopped before moving it)`);
      return head;
    } catch (e) {
      if ((e as { code?: string }).code !== ErrorCodes.CONFLICT) throw e;
    }
  }
}

/** What a repo's history directory holds: the parents that have a record, and whether the first snapshot has one. */
export async function listHistory(store: Store, repo: string): Promise<{ parents: Set<string>; root: boolean }> {
  const parents = new Set<string>();
  let root = false;
  for (const e of await store.list(historyDirKey(repo))) {
    if (e.type !== 'object' || !e.key.endsWith('.json')) continue;
    const name = e.key.slice(e.key.lastIndexOf('/') + 1, -'.json'.length);
    if (name === HISTORY_ROOT) root = true;
    else if (isSnapshotId(name)) parents.add(name);
  }
  return { parents, root };
}
