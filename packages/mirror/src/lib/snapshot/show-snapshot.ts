import { ErrorCodes, OvirtRepoError } from '@ovirt-repo/core';
import { snapshotUrl, type StoreLayout } from '../store/layout.js';
import { validateRepoName, validateSnapshotId } from '../store/names.js';
import { readPins, type Pin } from '../store/pins.js';
import { readLatest, requireSnapshot } from '../store/repo-state.js';
import { readSnapshotRecord, type SnapshotRecord } from '../store/snapshot-record.js';

export interface ShowSnapshotResult {
  repo: string;
  id: string;
  url: string;
  latest: boolean;
  pin?: Pin;
  record: SnapshotRecord;
}

/** Resolve "latest" (or an id) for a repo. */
export async function resolveSnapshotId(layout: StoreLayout, repo: string, id: string | undefined): Promise<string> {
  if (id === undefined || id === 'latest') {
    const latest = await readLatest(layout, repo);
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

export async function loadSnapshot(layout: StoreLayout, repo: string, id: string): Promise<SnapshotRecord> {
  const dir = await requireSnapshot(layout, repo, id);
  const rec = await readSnapshotRecord(dir);
  if (!rec) {
    throw new OvirtRepoError(ErrorCodes.STORE, `snapshot ${repo}/${id} has no snapshot.json`, {
      target: dir,
      hint: 'it was not made by ovirt-repo, or is damaged; check it with `ovirt-repo snapshot verify`',
    });
  }
  return rec;
}

export async function showSnapshot(layout: StoreLayout, repo: string, idArg: string | undefined, options: { baseUrl: string }): Promise<ShowSnapshotResult> {
  validateRepoName(repo);
  const id = await resolveSnapshotId(layout, repo, idArg);
  const record = await loadSnapshot(layout, repo, id);
  const pins = await readPins(layout, repo);
  const latest = await readLatest(layout, repo);
  return { repo, id, url: snapshotUrl(options.baseUrl, repo, id), latest: latest === id, pin: pins.get(id), record };
}
