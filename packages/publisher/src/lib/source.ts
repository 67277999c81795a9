import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  ErrorCodes,
  OvirtRepoError,
  READABLE_SCHEMES,
  assertMetadataHref,
  classifyRecord,
  fileUrlOf,
  hashBuffer,
  hrefUrl,
  parseRepomd,
  readRepo,
  readUri,
  resolveUri,
  uriKind,
  type ClientNetwork,
  type Logger,
  type PackageRecord,
  type Repomd,
  type RepomdRecord,
  makeDirectory,
} from '@ovirt-repo/core';
import { downloadVerified } from './download.js';

/** The digest of repomd.xml a lock file recorded: the source must still serve exactly that. */
export interface ExpectedRepomd {
  sha256: string;
  size: number;
  lockFile: string;
}

export interface SourceRepo {
  /** The source as the user gave it. */
  display: string;
  /** Its base as a URL ending in `/` (http(s) or file://). */
  baseUrl: string;
  repomd: Repomd;
  /** sha256 of the source's repomd.xml bytes. */
  repomdSha256: string;
  /** Full records, in the source's order. */
  packages: PackageRecord[];
  /** Opaque records (comps, updateinfo, modules...) with local verified copies of their files. */
  extras: Array<{ record: RepomdRecord; localPath: string }>;
  /** The URL a package of this source is downloaded from. */
  packageUrl(p: PackageRecord): string;
  /** How its http(s) files are fetched: proxy and TLS (see core's clientNetwork). */
  network?: ClientNetwork;
}

/** `uri` as a directory URL ending in `/`: plain paths become file:// URLs. */
export function directoryUrl(uri: string): string {
  const kind = uriKind(uri);
  if (kind === 'path') return `${fileUrlOf(uri).replace(/\/$/, '')}/`;
  if (kind === 'http' || kind === 'file') return uri.endsWith('/') ? uri : `${uri}/`;
  throw new OvirtRepoError(ErrorCodes.USAGE, `Cannot read a repository from ${uri}`, {
    target: uri,
    hint: `Give a path or a ${READABLE_SCHEMES.filter((s) => s !== 'data').join('/')} URL of a YUM repository (the directory holding repodata/).`,
  });
}

/**
 * Read a YUM repository's metadata: repomd.xml, then primary/filelists/other (downloaded into `workDir`
 * and verified against repomd.xml) merged into full package records, plus copies of its opaque metadata
 * files. Packages themselves are fetched later, only the ones the destination lacks.
 */
export async function openSource(uri: string, workDir: string, logger?: Logger, expected?: ExpectedRepomd, network?: ClientNetwork): Promise<SourceRepo> {
  const baseUrl = directoryUrl(uri);
  const repomdUrl = resolveUri(baseUrl, 'repodata/repomd.xml');
  const { data } = await readUri(repomdUrl, { logger, ...(network ? { network } : {}) }).catch((e: unknown) => {
    throw sourceError(uri, e, 'read repodata/repomd.xml');
  });
  const repomdSha256 = hashBuffer(data, 'sha256').value;
  if (expected) {
    if (repomdSha256 !== expected.sha256 || data.length !== expected.size) {
      throw new OvirtRepoError(ErrorCodes.CHECKSUM_MISMATCH, `${repomdUrl} is not the repomd.xml the system-test run used: sha256 ${repomdSha256}, ${expected.lockFile} recorded ${expected.sha256}`, {
        target: repomdUrl,
        hint: 'The repository changed after the run (snapshot URLs should never change): publish what was tested, or run the tests again on the current content.',
        data: { expected: expected.sha256, actual: repomdSha256 },
      });
    }
  }
  const repomd = parseRepomd(data, repomdUrl);
  const local = join(workDir, 'source');
  // Renderings of the package list are rewritten, not copied; delta metadata names .drpm files publish does
  // not carry, so it is dropped rather than advertise files that would answer 404.
  const wanted = repomd.records.filter((r) => ['core', 'opaque'].includes(classifyRecord(r.type)));
  const deltas = repomd.records.filter((r) => classifyRecord(r.type) === 'delta').map((r) => r.type);
  if (deltas.length) logger?.info(`${uri}: not publishing its delta RPM metadata (${deltas.join(', ')}): the .drpm files are not copied, so clients download whole packages`);
  for (const record of wanted) {
    assertMetadataHref(record.location.href, record.type, repomdUrl);
    const dest = join(local, ...record.location.href.split('/'));
    await makeDirectory(dirname(dest));
    const from = hrefUrl(record.location.base ? directoryUrl(record.location.base) : baseUrl, record.location.href, repomdUrl).href;
    await downloadVerified(from, dest, { checksum: record.checksum, size: record.size }, { logger, ...(network ? { network } : {}) });
  }
  await makeDirectory(join(local, 'repodata'));
  await writeFile(join(local, 'repodata', 'repomd.xml'), data);
  const reader = await readRepo(local);
  const packages: PackageRecord[] = [];
  for await (const p of reader.packages()) packages.push(p);
  logger?.debug(`${uri}: ${packages.length} packages, metadata ${wanted.map((r) => r.type).join(', ')}`);
  return {
    display: uri,
    baseUrl,
    repomd,
    repomdSha256,
    packages,
    extras: wanted.filter((r) => classifyRecord(r.type) === 'opaque').map((record) => ({ record, localPath: join(local, ...record.location.href.split('/')) })),
    // An href is a path: hrefUrl percent-encodes its segments, as dnf does ("%", "?", "#" stay themselves).
    packageUrl: (p) => hrefUrl(p.location.base ? directoryUrl(p.location.base) : baseUrl, p.location.href, baseUrl).href,
    ...(network ? { network } : {}),
  };
}

function sourceError(uri: string, e: unknown, what: string): unknown {
  if (e instanceof OvirtRepoError && (e.code === ErrorCodes.FETCH || e.code === ErrorCodes.IO)) {
    return new OvirtRepoError(e.code, `Cannot ${what} of the source ${uri}: ${e.message}`, {
      target: uri,
      hint: 'Check that the source is a YUM repository (a directory with repodata/repomd.xml) and that it is reachable from here.',
      cause: e,
      data: e.data,
    });
  }
  return e;
}
