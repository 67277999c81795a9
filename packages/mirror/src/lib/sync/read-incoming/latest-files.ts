import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ByteCounter, fileSizeLimit, ioError, isLocalFilesCapable, makeDirectory, OvirtRepoError, type Repomd } from '@ovirt-repo/core';
import { fileNameProblem } from '../../store/names.js';
import { snapshotKey } from '../../store/layout.js';
import type { SyncContext } from '../context.js';
import type { WorkArea } from '../shared/work-area.js';

/** Where the latest snapshot's metadata files are on this machine, and how messages name it. */
export interface LatestFiles {
  /** A directory holding repodata/ as repomd.xml lists it (the snapshot's own, or a copy of its files). */
  dir: string;
  /** The snapshot in the store, for messages. */
  display: string;
}

/**
 * The latest snapshot `id`'s metadata files as files on this machine, for core's readers. A directory
 * store's are read in place (LocalFilesCapable: a copy of tens of megabytes each sync would cost as much
 * as the reading). Any other store's are copied through store.open into the work area once, each
 * bounded by the size repomd.xml declares (else by the metadata ceiling); an href that is not
 * `repodata/<name>` is not copied (the readers then report the file missing).
 */
export async function latestFiles(ctx: SyncContext, id: string, repomd: Repomd, area: WorkArea): Promise<LatestFiles> {
  const key = snapshotKey(ctx.repo, id);
  const display = ctx.layout.locationOf(key);
  if (isLocalFilesCapable(ctx.layout)) return { dir: ctx.layout.localPath(key), display };
  const dir = join(area.dir, 'latest');
  await makeDirectory(join(dir, 'repodata'));
  for (const r of repomd.records) {
    const name = r.location.href.startsWith('repodata/') ? r.location.href.slice('repodata/'.length) : '';
    if (fileNameProblem(name)) continue;
    await copyOut(ctx, `${key}/repodata/${name}`, join(dir, 'repodata', name), r.size);
  }
  return { dir, display };
}

async function copyOut(ctx: SyncContext, key: string, path: string, declared: number | undefined): Promise<void> {
  const opened = await ctx.layout.open(key);
  if (!opened) return;
  const counter = new ByteCounter(fileSizeLimit(ctx.layout.locationOf(key), declared, ctx.options.maxMetadataSize));
  let fh;
  try {
    fh = await open(path, 'wx', 0o644);
  } catch (e) {
    opened.stream.destroy();
    throw ioError('create', path, e);
  }
  try {
    for await (const chunk of opened.stream as AsyncIterable<Buffer>) {
      counter.add(chunk.length);
      await fh.write(chunk);
    }
  } catch (e) {
    throw e instanceof OvirtRepoError ? e : ioError('copy', `${ctx.layout.locationOf(key)} -> ${path}`, e);
  } finally {
    opened.stream.destroy();
    await fh.close();
  }
}
