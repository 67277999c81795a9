import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPathFor } from '@ovirt-repo/core';
import type { PoolRegistration } from '../lock/pool-guard.js';
import type { Store } from '@ovirt-repo/core';
import { repoDir } from '../store/layout.js';

/**
 * What one sync leaves behind until it ends: its work directory (source metadata), the snapshot it is
 * building under a temp name until it is published, and its registration with gc. `release` removes and
 * releases them whatever happened; what it cannot remove, the next writer or gc will.
 */
export class WorkArea {
  readonly dir: string;
  /** The snapshot being built; cleared once published. */
  staging?: string;
  registration?: PoolRegistration;

  constructor(layout: Store, repo: string) {
    this.dir = tempPathFor(join(repoDir(layout, repo), 'work'));
  }

  async release(): Promise<void> {
    await this.registration?.release();
    // Cleanup never hides the error that got us here.
    await rm(this.dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    if (this.staging) await rm(this.staging, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}
