import type { ExtraRecord, RepomdRecord } from '@ovirt-repo/core';
import type { SyncContext } from './context.js';
import type { OriginMetadata } from './join-packages.js';
import { obtainExtra } from './extra-metadata.js';
import { findRecord, obtainMetadataFile, requirePrimary } from './metadata-files.js';
import type { SnapshotContent } from './select-content.js';
import { at, settleAll } from './settle-all.js';

/**
 * Part of stage downloadToPool, run beside the package downloads: the filelists and other of every origin
 * (the sources, and in additive mode the latest snapshot) and the extra metadata files, local and verified.
 */
export async function gatherMetadata(ctx: SyncContext, content: Omit<SnapshotContent, 'digest'>, workDir: string): Promise<{ inputs: OriginMetadata[]; extras: ExtraRecord[] }> {
  const { client } = ctx;
  const maxSize = ctx.options.maxMetadataSize;
  const [sourceInputs, extras] = await settleAll([
    settleAll(
      content.fetched.map(async ({ source, repomd }, i): Promise<OriginMetadata> => {
        const get = (r: RepomdRecord) => obtainMetadataFile(source.location, r, client, workDir, `s${source.index}`, maxSize);
        const fl = findRecord(repomd, 'filelists');
        const ot = findRecord(repomd, 'other');
        const read = at(content.reads, i);
        return {
          origin: source.index,
          primary: at(content.primaries, i),
          ...(read.records ? { primaryRecords: read.records } : {}),
          ...(read.entries ? { primaryEntries: read.entries } : {}),
          ...(fl ? { filelists: await get(fl) } : {}),
          ...(ot ? { other: await get(ot) } : {}),
        };
      }),
    ),
    settleAll(content.extraChoices.map((e) => obtainExtra(e, client, workDir, maxSize))),
  ]);
  const inputs: OriginMetadata[] = [];
  const previous = content.previous;
  if (previous) {
    const own = (r: RepomdRecord) => obtainMetadataFile(previous.location, r, client, workDir, 'prev', maxSize);
    const fl = findRecord(previous.repomd, 'filelists');
    const ot = findRecord(previous.repomd, 'other');
    inputs.push({
      origin: -1,
      primary: await own(requirePrimary(previous.repomd, previous.location.display)),
      ...(fl ? { filelists: await own(fl) } : {}),
      ...(ot ? { other: await own(ot) } : {}),
    });
  }
  inputs.push(...sourceInputs);
  return { inputs, extras };
}
