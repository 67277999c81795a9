import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPathFor } from '@ovirt-repo/core';
import type { PoolRegistration } from '../../lock/pool-guard.js';
import { repoDir } from '../../store/layout.js';
import type { SyncContext } from '../context.js';

/**
 * What one sync leaves behind until it ends: its work directory (source metadata, entries read from the
 * sources), the snapshot it is building under a temp name until it is published, and its registration
 * with gc. Removed and released whatever happens; what cannot be removed, the next writer or gc will.
 */
export interface WorkArea {
  readonly dir: string;
  /** The snapshot being built; cleared once published. */
  staging?: string;
  registration?: PoolRegistration;
}

/** Runs `work` with a work area of its own, released after it (see WorkArea). */
export async function inWorkArea<T>(ctx: SyncContext, work: (area: WorkArea) => Promise<T>): Promise<T> {
  const area: WorkArea = { dir: tempPathFor(join(repoDir(ctx.layout, ctx.repo), 'work')) };
  try {
    return await work(area);
  } finally {
    await area.registration?.release();
    // Cleanup never hides the error that got us here.
    await rm(area.dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    if (area.staging) await rm(area.staging, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}
