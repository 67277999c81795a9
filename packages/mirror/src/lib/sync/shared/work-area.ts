import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempPathFor, type StagedWrite } from '@ovirt-repo/core';
import type { PoolRegistration } from '../../lock/pool-guard.js';
import type { SyncContext } from '../context.js';
import { workRoot } from './local-dirs.js';
import { Spool } from './spool.js';

/**
 * What one sync leaves behind until it ends: its work directory on this machine (source metadata, package
 * data kept between stages, the files of the new snapshot before they go into the store), the staged write
 * of the snapshot until it is committed, and its registration with gc. Removed and released whatever
 * happens; what cannot be removed, the next writer or gc will.
 */
export interface WorkArea {
  readonly dir: string;
  /** The snapshot being written; cleared once committed. */
  staging?: StagedWrite;
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

/**
 * Runs `work` with a work area of its own, released after it (see WorkArea). Called holding the repo's
 * writer lock; a dry run holds none, and works in a new directory of the system's temp directory instead,
 * so that it touches neither the store nor the work area of a sync running meanwhile.
 */
export async function inWorkArea<T>(ctx: SyncContext, work: (area: WorkArea) => Promise<T>): Promise<T> {
  const area: WorkArea = { dir: ctx.dryRun ? await mkdtemp(join(tmpdir(), 'ovirt-repo-dry-run-')) : await writerWorkDir(ctx), spools: [] };
  try {
    return await work(area);
  } finally {
    for (const spool of area.spools) spool.close();
    await area.registration?.release();
    // Cleanup never hides the error that got us here.
    await area.staging?.discard().catch(() => undefined);
    await rm(area.dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}

/** A writer's work area: a new directory beside the repo's snapshots, or this host's for the repo, emptied (see workRoot). */
async function writerWorkDir(ctx: SyncContext): Promise<string> {
  const root = workRoot(ctx.layout, ctx.repo);
  // A shared root is this host's for the repo, and the writer lock makes it ours: what is there was left by a killed sync.
  if (root.shared) await rm(root.dir, { recursive: true, force: true, maxRetries: 3 });
  return root.shared ? root.dir : tempPathFor(root.dir);
}
