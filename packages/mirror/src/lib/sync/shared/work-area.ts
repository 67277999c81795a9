import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPathFor } from '@ovirt-repo/core';
import type { PoolRegistration } from '../../lock/pool-guard.js';
import { repoDir } from '../../store/layout.js';
import type { SyncContext } from '../context.js';
import { Spool } from './spool.js';

/**
 * What one sync leaves behind until it ends: its work directory (source metadata, package data kept
 * between stages), the snapshot it is building under a temp name until it is published, and its registration
 * with gc. Removed and released whatever happens; what cannot be removed, the next writer or gc will.
 */
export interface WorkArea {
  readonly dir: string;
  /** The snapshot being built; cleared once published. */
  staging?: string;
  registration?: PoolRegistration;
  /** Files of package data kept for later stages (see Spool), closed with the area. */
  readonly spools: Spool[];
}

/** A new spool in the work area, closed when the area is released. */
export async function spoolIn(area: WorkArea, name: string): Promise<Spool> {
  const spool = await Spool.create(area.dir, name);
  area.spools.push(spool);
  return spool;
}

/** Runs `work` with a work area of its own, released after it (see WorkArea). */
export async function inWorkArea<T>(ctx: SyncContext, work: (area: WorkArea) => Promise<T>): Promise<T> {
  const area: WorkArea = { dir: tempPathFor(join(repoDir(ctx.layout, ctx.repo), 'work')), spools: [] };
  try {
    return await work(area);
  } finally {
    for (const spool of area.spools) spool.close();
    await area.registration?.release();
    // Cleanup never hides the error that got us here.
    await rm(area.dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    if (area.staging) await rm(area.staging, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}
