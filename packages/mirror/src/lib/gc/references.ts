import { ErrorCodes, OvirtRepoError, type Store } from '@ovirt-repo/core';
import { parsePoolHref, snapshotKey } from '../store/layout.js';
import { listPending } from '../store/pending.js';
import { listRepos, listSnapshotIds } from '../store/repo-state.js';
import { readSnapshotRecord } from '../store/snapshot-record.js';

export interface PoolReferences {
  /** digest -> file names referenced under pool/<dd>/<digest>/ */
  byDigest: Map<string, Set<string>>;
  snapshots: number;
}

/**
 * Every pool file referenced by any snapshot of any repo (the pool is store-wide, so gc of one repo still
 * reads all of them). A snapshot whose references cannot be read stops the scan: gc then deletes no pool
 * file rather than guess.
 */
export async function collectReferences(store: Store, skip: ReadonlySet<string> = new Set()): Promise<PoolReferences> {
  const byDigest = new Map<string, Set<string>>();
  let snapshots = 0;
  // A repo a rename is making counts too: once its source is removed, only it refers to those packages.
  // Its snapshots are copied snapshot.json first, so one without it has nothing yet (its source has).
  const incoming = new Set((await listPending(store)).filter((m) => m.op === 'rename').map((m) => m.repo));
  for (const repo of [...(await listRepos(store)), ...incoming]) {
    for (const id of await listSnapshotIds(store, repo)) {
      if (skip.has(`${repo}/${id}`)) continue;
      const dir = store.locationOf(snapshotKey(repo, id));
      const record = await readSnapshotRecord(store, repo, id).catch((e: unknown) => {
        throw new OvirtRepoError(ErrorCodes.STORE, `cannot read the package list of snapshot ${repo}/${id}; no pool file was deleted`, {
          target: dir,
          hint: 'run `ovirt-repo snapshot verify` on it, fix or remove the snapshot, then run gc again',
          cause: e,
        });
      });
      if (!record && incoming.has(repo)) continue;
      if (!record) {
        // Not made by ovirt-repo (or damaged): refuse rather than delete what it may reference.
        throw new OvirtRepoError(ErrorCodes.STORE, `snapshot ${repo}/${id} has no snapshot.json, so gc cannot tell which pool files it uses; no pool file was deleted`, {
          target: dir,
          hint: 'remove that directory if it is not a snapshot made by ovirt-repo, then run gc again',
        });
      }
      snapshots++;
      for (const p of record.packages) {
        const ref = parsePoolHref(p.href);
        if (!ref) continue;
        let names = byDigest.get(ref.digest);
        if (!names) byDigest.set(ref.digest, (names = new Set()));
        names.add(ref.name);
      }
    }
  }
  return { byDigest, snapshots };
}
