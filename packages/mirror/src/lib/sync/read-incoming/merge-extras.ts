import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  carriedMetadataName,
  compressBuffer,
  compressionSuffix,
  ErrorCodes,
  hashBuffer,
  ioError,
  makeDirectory,
  OvirtRepoError,
  readMetadataDocument,
  type Logger,
  type ReadClient,
  type RepomdRecord,
  type WritableCompressionKind,
} from '@ovirt-repo/core';
import { byRecordType, type ExtraCandidate, type ExtraMerge, type SourceFile } from './extra-metadata.js';
import { obtainMetadataFile } from './metadata-files.js';
import { settleAll } from '../shared/settle-all.js';

/**
 * The largest file (decompressed) a merge reads. A merge holds every input's text in memory (and, for
 * modules.yaml, its parse), so this bounds it; real modules, updateinfo and comps files are far smaller.
 */
export const MERGE_MAX_BYTES = 256 * 1024 * 1024;

export interface MergeContext {
  client: ReadClient;
  workDir: string;
  log: Logger;
  /** The snapshot's metadata compression, used for merged modules and updateinfo (as mergerepo_c does). */
  compression: WritableCompressionKind;
}

/**
 * The extra metadata the snapshot carries: the files chooseExtras carries as they are, and the merges it
 * asked for done now, each a file of this sync's work directory. Merged files are made here, before the
 * packages are downloaded, so that the new snapshot's content digest (and whether anything changed at
 * all) takes their content into account.
 */
export async function settleExtras(chosen: { carried: ExtraCandidate[]; merges: ExtraMerge[] }, ctx: MergeContext): Promise<ExtraCandidate[]> {
  const merged = await settleAll(chosen.merges.map((m) => mergeFamily(m, ctx)));
  return [...chosen.carried, ...merged.flat()].sort(byRecordType);
}

async function mergeFamily(m: ExtraMerge, ctx: MergeContext): Promise<ExtraCandidate[]> {
  const inputs = await settleAll(m.inputs.map((input) => readInput(input, ctx)));
  const text = m.family.merge(inputs, ctx.log);
  const times = m.inputs.map((i) => i.record.timestamp).filter((t): t is number => t !== undefined);
  const timestamp = times.length > 0 ? Math.max(...times) : undefined;
  const dir = join(ctx.workDir, 'merged');
  await makeDirectory(dir);
  const from = `the merge of ${m.inputs.map((i) => i.from).join(', ')}`;
  return settleAll(
    m.family.writes.map(async (w): Promise<ExtraCandidate> => {
      const kind = w.compressed === 'snapshot' ? ctx.compression : w.compressed;
      const bytes = kind === 'none' ? Buffer.from(text) : await compressBuffer(kind, text);
      const checksum = hashBuffer(bytes, 'sha256').value;
      const name = carriedMetadataName(w.type, checksum, `${w.name}${kind === 'none' ? '' : compressionSuffix(kind)}`);
      const path = join(dir, name);
      try {
        await writeFile(path, bytes);
      } catch (e) {
        throw ioError('write', path, e);
      }
      const record: RepomdRecord = {
        type: w.type,
        location: { href: `repodata/${name}` },
        checksum: { type: 'sha256', value: checksum },
        ...(kind === 'none' ? {} : { openChecksum: hashBuffer(text, 'sha256') as RepomdRecord['checksum'], openSize: Buffer.byteLength(text) }),
        size: bytes.length,
        ...(timestamp !== undefined ? { timestamp } : {}),
      };
      return { record, from, file: { path } };
    }),
  );
}

async function readInput(input: SourceFile, ctx: MergeContext) {
  const { record } = input;
  const declared = Math.max(record.size ?? 0, record.openSize ?? 0);
  if (declared > MERGE_MAX_BYTES) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `the "${record.type}" metadata of ${input.from} (${record.location.href}) is ${declared} bytes, more than the ${MERGE_MAX_BYTES} a merge reads`, {
      target: input.from,
      hint: `metadata this large is not merged; sync that source into a repo of its own, where its "${record.type}" file is carried as it is`,
      data: { type: record.type, size: declared, limit: MERGE_MAX_BYTES },
    });
  }
  // The bound also holds where repomd.xml understates the size (a lying open-size is cut off at it).
  const file = await obtainMetadataFile(input.location, record, ctx.client, ctx.workDir, input.tag, MERGE_MAX_BYTES);
  return { text: await readMetadataDocument(file.path, record, file.display, MERGE_MAX_BYTES), from: input.from, file: file.display };
}
