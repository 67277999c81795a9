import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, read } from 'node:fs';
import { promisify } from 'node:util';
import { basename } from 'node:path';
import { ErrorCodes, OvirtRepoError, ioError } from '../errors/index.js';
import type { ChecksumType, PackageRecord } from '../repodata/model.js';
import { packageRecordFromHeaders } from './package-record.js';
import { headerScratch, openRpm, readHeadersFrom, type RpmHeaders } from './read-headers.js';
import { rpmInvalid } from './rpm-error.js';
import { RpmSigTag, RpmTagType } from './tags.js';

export interface ReadRpmPackageOptions {
  /** Checksum of the whole file, also the package id. Default sha256 (createrepo_c's default). */
  checksumType?: ChecksumType;
  /** Newest changelog entries to keep; negative or Infinity keeps all. Default 10 (createrepo_c's default). */
  changelogLimit?: number;
  /** `location href`; default the file's base name. */
  locationHref?: string;
  locationBase?: string;
  /** Compute `pre` like createrepo_c < 1.1.1 (ignoring PRETRANS/POSTTRANS). Default true (see RpmDependencyOptions). */
  legacyPre?: boolean;
}

export const DEFAULT_CHANGELOG_LIMIT = 10;

const NODE_HASH: Record<ChecksumType, string> = {
  sha256: 'sha256',
  sha512: 'sha512',
  sha384: 'sha384',
  sha224: 'sha224',
  sha1: 'sha1',
  // yum's name for SHA-1.
  sha: 'sha1',
  md5: 'md5',
};

const CHUNK = 1024 * 1024;

/*
 * Header bytes are read into one buffer shared by every call: they are parsed, and hashed, before the
 * first await, so no other call can overwrite them in use. Allocating 64 KiB per package instead made
 * garbage collection a large share of reading thousands of small packages.
 */
const scratch = headerScratch();

// Payload reads of large packages stay async so other work (progress, compression) keeps moving.
const readAsync = (fd: number, buf: Buffer, off: number, len: number, pos: number): Promise<number> =>
  promisify(read)(fd, buf, off, len, pos).then((r) => r.bytesRead);

/**
 * Reads an .rpm into the package record createrepo_c would produce for it. The file is read once,
 * front to back: the header bytes are parsed and the same bytes feed the checksum, so a package costs one
 * sequential pass and memory proportional to its header, not its payload.
 */
export async function readRpmPackage(path: string, opts: ReadRpmPackageOptions = {}): Promise<PackageRecord> {
  const checksumType = opts.checksumType ?? 'sha256';
  const algorithm = Object.hasOwn(NODE_HASH, checksumType) ? NODE_HASH[checksumType] : undefined;
  if (!algorithm) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `unknown checksum type "${String(checksumType)}"`, {
      hint: `use one of ${Object.keys(NODE_HASH).join(', ')}`,
    });
  }
  const changelogLimit = opts.changelogLimit ?? DEFAULT_CHANGELOG_LIMIT;
  if (Number.isNaN(changelogLimit) || (Number.isFinite(changelogLimit) && !Number.isInteger(changelogLimit))) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `changelog limit must be an integer, got ${changelogLimit}`);
  }

  const fd = openRpm(path);
  try {
    let stat;
    try {
      stat = fstatSync(fd, { bigint: true });
    } catch (e) {
      throw ioError('stat', path, e);
    }
    const { headers, prefix, wholeFile } = readHeadersFrom(fd, path, scratch);
    checkPayloadSize(headers, Number(stat.size));
    // Built before hashing so a bad header fails without reading a possibly huge payload.
    const record = packageRecordFromHeaders(headers, {
      checksum: { type: checksumType, value: '' },
      fileTime: Number(floorDiv(stat.mtimeNs, 1_000_000_000n)),
      fileSize: Number(stat.size),
      location: { href: opts.locationHref ?? basename(path), base: opts.locationBase },
      changelogLimit,
      legacyPre: opts.legacyPre,
    });
    const hash = createHash(algorithm);
    hash.update(prefix);
    if (!wholeFile) await hashRest(fd, path, hash, prefix.length);
    record.checksum = { type: checksumType, value: hash.digest('hex') };
    return record;
  } finally {
    closeSync(fd);
  }
}

/**
 * Header reading alone cannot notice a cut-off payload, and createrepo_c does not check; but a package
 * truncated by a failed upload must not be published. The signature header records the size of main
 * header plus payload (64-bit tag for big packages), which rpmbuild and signing tools always write.
 */
function checkPayloadSize(headers: RpmHeaders, fileSize: number): void {
  const { signature, headerRange, path } = headers;
  const sizeTag = signature.has(RpmSigTag.LONGSIZE) ? RpmSigTag.LONGSIZE : RpmSigTag.SIZE;
  const type = signature.entry(sizeTag)?.type;
  // rpm does not type-check signature tags; an odd one is ignored rather than failing the package.
  if (type !== RpmTagType.INT32 && type !== RpmTagType.INT64) return;
  const expected = signature.getNumber(sizeTag) ?? 0;
  const actual = fileSize - headerRange.start;
  if (actual < expected) {
    throw rpmInvalid(
      path,
      `truncated RPM: the signature header gives ${expected} bytes of header and payload but the file has ${actual}`,
      { data: { expected, actual } },
    );
  }
}

async function hashRest(fd: number, path: string, hash: Hash, from: number): Promise<void> {
  const buf = Buffer.allocUnsafe(CHUNK);
  let position = from;
  for (;;) {
    let bytesRead: number;
    try {
      bytesRead = await readAsync(fd, buf, 0, CHUNK, position);
    } catch (e) {
      throw ioError('read', path, e);
    }
    if (bytesRead === 0) return;
    // update() hashes synchronously, so the buffer can be reused for the next read.
    hash.update(buf.subarray(0, bytesRead));
    position += bytesRead;
  }
}

/** st_mtime semantics: whole seconds, rounded down also before 1970. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}
