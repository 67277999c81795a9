import { ErrorCodes, OvirtRepoError, type Store } from '@ovirt-repo/core';
import { snapshotUrl } from '../store/layout.js';
import { validateRepoName, validateSnapshotId } from '../store/names.js';
import { readPins, type Pin } from '../store/pins.js';
import { readLatest, requireSnapshot } from '../store/repo-state.js';
import { readSnapshotRecord, type SnapshotRecord, type SnapshotSignature } from '../store/snapshot-record.js';

export interface ShowSnapshotResult {
  repo: string;
  id: string;
  /** Absent when no base URL is known (an s3:// store without --base-url or baseUrl: in ovirt-repo.yaml). */
  url?: string;
  latest: boolean;
  pin?: Pin;
  /** Who signed its repomd.xml (repodata/repomd.xml.asc, verifying against its RPM-GPG-KEY); null: unsigned. */
  signature: SnapshotSignature | null;
  record: SnapshotRecord;
}

/** Resolve "latest" (or an id) for a repo. */
export async function resolveSnapshotId(store: Store, repo: string, id: string | undefined): Promise<string> {
  if (id === undefined || id === 'latest') {
    const latest = await readLatest(store, repo);
    if (!latest) {
      throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `repo ${repo} has no latest snapshot`, {
        target: repo,
        hint: `create one with: ovirt-repo mirror sync ${repo} --from SOURCE`,
      });
    }
    return latest;
  }
  return validateSnapshotId(id, repo);
}

export async function loadSnapshot(store: Store, repo: string, id: string): Promise<SnapshotRecord> {
  const key = await requireSnapshot(store, repo, id);
  const rec = await readSnapshotRecord(store, repo, id);
  if (!rec) {
    throw new OvirtRepoError(ErrorCodes.STORE, `snapshot ${repo}/${id} has no snapshot.json`, {
      target: store.locationOf(key),
      hint: 'it was not made by ovirt-repo, or is damaged; check it with `ovirt-repo snapshot verify`',
    });
  }
  return rec;
}

export async function showSnapshot(store: Store, repo: string, idArg: string | undefined, options: { baseUrl?: string }): Promise<ShowSnapshotResult> {
  validateRepoName(repo);
  const id = await resolveSnapshotId(store, repo, idArg);
  const record = await loadSnapshot(store, repo, id);
  const pins = await readPins(store, repo);
  const latest = await readLatest(store, repo);
  return { repo, id, ...(options.baseUrl ? { url: snapshotUrl(options.baseUrl, repo, id) } : {}), latest: latest === id, pin: pins.get(id), signature: record.signature ?? null, record };
}
