import { ErrorCodes, OvirtRepoError, thisHost, type Store } from '@ovirt-repo/core';
import { PENDING_SUFFIX, YUM_DIR, pendingKey } from './layout.js';
import { isValidRepoName } from './names.js';

/*
 * A repo delete or rename works on many objects, and an object store removes or copies them one by one.
 * So that a kill at any moment leaves no half-repo in sight, the command first creates a marker beside the
 * repo, `yum/<repo>@pending.json`, saying what it is doing: listings (listRepos: the index, status pages,
 * gc's retention, `repo list`) leave a marked repo out, a sync or promote into it is refused, and a rerun of
 * the command reads the marker and finishes the work. The marker goes last.
 *
 * - `delete`: the repo is being removed (with `renamedTo`: by a rename whose new repo is complete).
 * - `rename`: the repo is being made as a copy of `from`; until it is whole, `from` is still in sight.
 */
export interface PendingOperation {
  format: 1;
  repo: string;
  op: 'delete' | 'rename';
  /** op rename: the repo this one is a copy of. */
  from?: string;
  /** op delete by a rename: where the repo went. */
  renamedTo?: string;
  startedAt: string;
  host: string;
}

const MARKER_MAX_BYTES = 64 * 1024;

/** The marker of `repo`, or undefined when nothing is under way there. */
export async function readPending(store: Store, repo: string): Promise<PendingOperation | undefined> {
  const key = pendingKey(repo);
  const found = await store.read(key, { maxBytes: MARKER_MAX_BYTES });
  if (!found) return undefined;
  let m: Partial<PendingOperation>;
  try {
    m = JSON.parse(found.data.toString('utf8')) as Partial<PendingOperation>;
  } catch {
    m = {};
  }
  const named = (n: unknown) => n === undefined || (typeof n === 'string' && isValidRepoName(n));
  if (m.format !== 1 || m.repo !== repo || (m.op !== 'delete' && m.op !== 'rename') || !named(m.from) || !named(m.renamedTo) || (m.op === 'rename' && !m.from)) {
    const where = store.locationOf(key);
    throw new OvirtRepoError(ErrorCodes.STORE, `the marker ${where} of an interrupted repo delete or rename is damaged`, {
      target: where,
      hint: `remove it by hand; then \`ovirt-repo repo delete ${repo}\` removes what is left of the repo, if it should go`,
    });
  }
  return m as PendingOperation;
}

/** Write the marker of `repo` (replacing one a rerun finds). */
export async function writePending(store: Store, repo: string, op: Pick<PendingOperation, 'op' | 'from' | 'renamedTo'>): Promise<PendingOperation> {
  const marker: PendingOperation = { format: 1, repo, ...op, startedAt: new Date().toISOString(), host: thisHost() };
  const current = await store.read(pendingKey(repo), { maxBytes: MARKER_MAX_BYTES });
  await store.replace(pendingKey(repo), `${JSON.stringify(marker)}\n`, current?.version ?? null);
  return marker;
}

export const removePending = (store: Store, repo: string): Promise<void> => store.remove(pendingKey(repo));

/** Every operation under way in the store (one listing of yum/, then a read per marker). */
export async function listPending(store: Store): Promise<PendingOperation[]> {
  const out: PendingOperation[] = [];
  for (const e of await store.list(YUM_DIR)) {
    if (e.type !== 'object' || !e.key.endsWith(PENDING_SUFFIX)) continue;
    const repo = e.key.slice(YUM_DIR.length + 1, -PENDING_SUFFIX.length);
    if (!isValidRepoName(repo)) continue;
    const m = await readPending(store, repo);
    if (m) out.push(m);
  }
  return out;
}

/** E_CONFLICT when a delete or rename of `repo` was interrupted: a writer must not build on a half-repo. */
export async function assertNotPending(store: Store, repo: string): Promise<void> {
  const m = await readPending(store, repo);
  if (!m) return;
  throw new OvirtRepoError(ErrorCodes.CONFLICT, `repo ${repo} is ${describePending(m)}, which was interrupted`, {
    target: store.locationOf(pendingKey(repo)),
    hint: `finish it first: ${finishCommand(m)}`,
  });
}

export function describePending(m: PendingOperation): string {
  if (m.op === 'rename') return `being made by a rename from ${m.from ?? '?'}`;
  return m.renamedTo ? `being removed by a rename to ${m.renamedTo}` : 'being deleted';
}

/** The command that finishes an interrupted operation. */
export function finishCommand(m: PendingOperation): string {
  if (m.op === 'rename') return `ovirt-repo repo rename ${m.from ?? '?'} ${m.repo}`;
  return m.renamedTo ? `ovirt-repo repo rename ${m.repo} ${m.renamedTo}` : `ovirt-repo repo delete ${m.repo}`;
}
