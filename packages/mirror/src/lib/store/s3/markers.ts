import { ErrorCodes, isOvirtRepoError, newOwner, NO_CACHE, parentKey, readBounded, unquote, type LockOwner } from '@ovirt-repo/core';
import type { S3Namespace } from './namespace.js';

/**
 * The staging marker of a prefix (`.ovirt-repo/staging/<key>`, see namespace.ts) hides it while it is
 * written or removed. Its state says who may act on it, and every change of state is a compare-and-swap
 * on the marker's ETag, so a writer and a remover of the same prefix can never both go on:
 *
 *   staging    a staged write is writing the prefix (S3StagedWrite)
 *   committing the staged write is making it visible: it has won, nothing may remove it now
 *   removing   a remover (Store.remove, or removeLeftovers taking a killed writer's set) is deleting it
 *
 * Why: a writer whose lock was broken while it was paused (a frozen VM) still holds a staged set that its
 * successor takes for a dead writer's leftovers. The successor claims the marker (staging -> removing) before
 * it deletes anything, and the writer claims it (staging -> committing) before it unmarks: whichever claim
 * lands first wins, and the other finds out from its failed compare-and-swap. A writer that lost its set
 * never shows a half-deleted snapshot; it builds again (the sync's lost-commit round).
 */
export type MarkerState = 'staging' | 'committing' | 'removing';

interface MarkerRecord extends LockOwner {
  prefix: string;
  parent: string;
  state: MarkerState;
}

export interface SeenMarker {
  /** Bare. */
  etag: string;
  state: MarkerState;
  /** By the server's clock (undefined when it gave no dates). */
  ageMs: number | undefined;
}

/** A killed committer left its marker in `committing`: its set is complete; only this old is it removed. */
export const COMMITTING_GRACE_MS = 3_600_000;
const MAX_MARKER_BYTES = 64 * 1024;

export class StagingMarkers {
  constructor(private readonly ns: S3Namespace) {}

  /** Create the marker of `prefix` (create-only). Its ETag, or undefined when one is there. */
  async create(prefix: string, state: MarkerState): Promise<string | undefined> {
    return this.#put(prefix, this.#body(prefix, state), { ifNoneMatch: '*' });
  }

  /** Move the marker from the version `etag` to `state`. The new ETag, or undefined when it changed or went. */
  claim(prefix: string, etag: string, state: MarkerState): Promise<string | undefined> {
    return this.#put(prefix, this.#body(prefix, state), { ifMatch: etag });
  }

  /** The marker as one version: its state and age. Undefined when there is none. */
  async read(prefix: string): Promise<SeenMarker | undefined> {
    const got = await this.ns.client.get(this.ns.bucket, this.ns.markerKey(prefix));
    if (!got) return undefined;
    const data = await readBounded(got.stream, MAX_MARKER_BYTES).catch(() => undefined);
    const ageMs = got.serverDateMs !== undefined && got.lastModifiedMs !== undefined ? got.serverDateMs - got.lastModifiedMs : undefined;
    return { etag: unquote(got.etag), state: stateOf(data), ageMs };
  }

  /** Remove the marker: the prefix is visible (or, after a removal, gone). */
  remove(prefix: string): Promise<void> {
    return this.ns.client.delete(this.ns.bucket, this.ns.markerKey(prefix));
  }

  #body(prefix: string, state: MarkerState): string {
    return `${JSON.stringify({ ...newOwner(`${state} ${prefix}`), prefix, parent: parentKey(prefix), state } satisfies MarkerRecord)}\n`;
  }

  async #put(prefix: string, body: string, condition: { ifNoneMatch?: '*'; ifMatch?: string }): Promise<string | undefined> {
    try {
      const put = await this.ns.client.put(this.ns.bucket, this.ns.markerKey(prefix), body, { ...condition, contentType: 'application/json', cacheControl: NO_CACHE });
      return unquote(put.etag);
    } catch (e) {
      // A compare-and-swap on a marker that is gone is answered 404 by some servers, 412 by others.
      if (isOvirtRepoError(e) && (e.code === ErrorCodes.CONFLICT || (condition.ifMatch !== undefined && e.data?.status === 404))) return undefined;
      throw e;
    }
  }
}

/** A marker this version cannot read (an older version's, or damaged) is taken as `staging`. */
function stateOf(data: Buffer | undefined): MarkerState {
  try {
    const state = (JSON.parse(data?.toString('utf8') ?? '') as Partial<MarkerRecord>).state;
    if (state === 'committing' || state === 'removing') return state;
  } catch {
    // as below
  }
  return 'staging';
}
