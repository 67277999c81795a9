import { Readable } from 'node:stream';
import { ErrorCodes, joinKey, OvirtRepoError, storeKey, type StagedWrite, type StoreData } from '@ovirt-repo/core';

/** What a staged write needs of its store. */
export interface StagingStore {
  /** Create-only write of a store key (true when created). */
  create(key: string, data: StoreData): Promise<boolean>;
  /** Delete objects by store key (bounded parallel). */
  deleteKeys(keys: readonly string[]): Promise<void>;
  /** Claim the prefix's marker for the commit (markers.ts): false when a remover claimed it first. */
  claimCommit(): Promise<boolean>;
  /** Remove the prefix's staging marker. */
  unmark(): Promise<void>;
  locationOf(key: string): string;
}

/**
 * A set of objects written in place under their final prefix, with no copies: the store's staging marker
 * (namespace.ts), created before the first object, hides the prefix from list() and stat() of its parent;
 * commit() claims the marker and removes it, the one step that makes the whole set visible. Each object is
 * written create-only: one that existed means another writer made the prefix meanwhile (E_CONFLICT at
 * commit). A writer killed before commit leaves its objects and marker, both out of sight, which
 * removeLeftovers takes away once old; a writer that was only paused meanwhile finds its marker claimed by
 * the remover and its commit is E_CONFLICT (markers.ts).
 *
 * A staged write of a prefix that already existed when it started (`doomed`) writes nothing: its data is
 * consumed and dropped, and its commit is E_CONFLICT, so the existing prefix is neither hidden nor changed.
 */
export class S3StagedWrite implements StagedWrite {
  readonly #written: string[] = [];
  #conflict = false;
  /** The marker was claimed by a remover: it is the remover's to remove. */
  #lost = false;
  #settled = false;

  constructor(
    readonly prefix: string,
    private readonly store: StagingStore,
    private readonly doomed: boolean,
  ) {}

  async write(key: string, data: StoreData): Promise<void> {
    const full = joinKey(this.prefix, storeKey(key, 'staged write'));
    if (this.#settled) {
      drop(data);
      throw new OvirtRepoError(ErrorCodes.INTERNAL, `staged write of ${this.store.locationOf(this.prefix)} was already committed or discarded`);
    }
    if (this.doomed) {
      if (data instanceof Readable) for await (const chunk of data) void chunk;
      return;
    }
    if (await this.store.create(full, data)) this.#written.push(full);
    else this.#conflict = true;
  }

  async commit(): Promise<void> {
    if (this.#settled) throw new OvirtRepoError(ErrorCodes.INTERNAL, `staged write of ${this.store.locationOf(this.prefix)} was already committed or discarded`);
    if (this.doomed || this.#conflict) {
      throw new OvirtRepoError(ErrorCodes.CONFLICT, `commit: ${this.store.locationOf(this.prefix)} exists already`, {
        target: this.store.locationOf(this.prefix),
        hint: 'another writer made it meanwhile; nothing was published by this one',
      });
    }
    if (!(await this.store.claimCommit())) {
      this.#lost = true;
      throw new OvirtRepoError(ErrorCodes.CONFLICT, `commit: the staged set of ${this.store.locationOf(this.prefix)} was taken away while this writer was paused (its lock was broken as stale)`, {
        target: this.store.locationOf(this.prefix),
        hint: 'another writer took it for a dead writer\'s leftovers; nothing was published by this one',
      });
    }
    await this.store.unmark();
    this.#settled = true;
  }

  async discard(): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    if (this.doomed) return;
    // The objects first, then the marker: the prefix stays hidden until nothing of it is left.
    await this.store.deleteKeys(this.#written);
    if (!this.#lost) await this.store.unmark();
  }
}

function drop(data: StoreData): void {
  if (data instanceof Readable) data.destroy();
}

