import { join } from 'node:path';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { readFilelists, readOther } from './filelists-reader.js';
import { mergePackages } from './merge.js';
import type { PackageRecord } from './model.js';
import { recordStreamOptions } from './metadata-stream.js';
import { readPrimary } from './primary-reader.js';
import { classifyRecord, type Repomd, type RepomdRecord } from './repomd-model.js';
import { readRepomd } from './repomd-reader.js';
import type { ReadXmlOptions } from './xml-source.js';

export interface ReadRepoOptions {
  /** Verify each metadata file's checksum and size against repomd.xml while reading (default true). */
  verify?: boolean;
  /** Read filelists.xml for the full file lists (default true); otherwise primary's subset is kept. */
  filelists?: boolean;
  /** Read other.xml for changelogs (default true). */
  other?: boolean;
  /** The most a metadata file may hold or decompress to (see metadataChunks); default DEFAULT_MAX_METADATA_SIZE. */
  maxSize?: number;
  /** Receives primary's packages="N" as reading starts. */
  onPackageCount?: (packages: number | undefined) => void;
}

export interface RepoReader {
  repoDir: string;
  repomdPath: string;
  repomd: Repomd;
  primary: RepomdRecord;
  filelists?: RepomdRecord;
  other?: RepomdRecord;
  /** Every record other than primary/filelists/other, to copy unchanged (see classifyRecord). */
  extraRecords: RepomdRecord[];
  /** Streams full PackageRecords in primary.xml order; each call reads the files again. */
  packages(): AsyncIterable<PackageRecord>;
}

/** Opens a local repository (the directory containing repodata/) for streaming reads. */
export async function readRepo(repoDir: string, options: ReadRepoOptions = {}): Promise<RepoReader> {
  const repomdPath = join(repoDir, 'repodata', 'repomd.xml');
  const repomd = await readRepomd(repomdPath);
  const find = (type: string) => repomd.records.find((r) => r.type === type);
  const primary = find('primary');
  if (!primary) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `${repomdPath} has no "primary" record`, {
      target: repomdPath,
      hint: 'a repository needs at least primary metadata; regenerate it with createrepo_c',
    });
  }
  const filelists = options.filelists === false ? undefined : find('filelists');
  const other = options.other === false ? undefined : find('other');
  const verify = options.verify ?? true;
  // Unverified files are still held to their open-size: it bounds what reading them costs, not their content.
  const open = (r: RepomdRecord): [string, ReadXmlOptions] => {
    const { expected, ...bounds } = recordStreamOptions(r, options.maxSize);
    return [join(repoDir, r.location.href), { name: r.location.href, ...bounds, ...(verify ? { expected } : {}) }];
  };
  return {
    repoDir,
    repomdPath,
    repomd,
    primary,
    filelists,
    other,
    extraRecords: repomd.records.filter((r) => classifyRecord(r.type) !== 'core'),
    packages: () => {
      const [pPath, pOptions] = open(primary);
      const onRoot = options.onPackageCount;
      return mergePackages(
        readPrimary(pPath, { ...pOptions, onRoot: onRoot && ((info) => onRoot(info.packages)) }),
        filelists && readFilelists(...open(filelists)),
        other && readOther(...open(other)),
        { names: { primary: primary.location.href, filelists: filelists?.location.href, other: other?.location.href } },
      );
    },
  };
}
