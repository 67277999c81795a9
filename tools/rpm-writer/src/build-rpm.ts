import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeCpio } from './cpio.js';
import { evrOf, putDependencyTags } from './dependencies.js';
import { layoutFiles, type FileLayout } from './file-list.js';
import { HeaderBuilder } from './header-builder.js';
import { buildLead } from './lead.js';
import { resolveSpec, type ResolvedSpec } from './resolve-spec.js';
import type { RpmSpec } from './spec.js';
import { HASH_SHA256, RegionTag, SigTag, Tag } from './tags.js';

/**
 * rpmbuild reserves 32 bytes plus %__gpg_reserved_space (4096) in the signature header, so that
 * rpmsign can add a signature later without rewriting the rest of the file. Kept for the same reason.
 */
const RESERVED_SPACE = 32 + 4096;

const hex = (algo: string, ...parts: Buffer[]): string => {
  const h = createHash(algo);
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** `<name>-<version>-<release>.<arch>.rpm`, or `.src.rpm` for a source package (arch is not part of it). */
export function rpmFileName(spec: Pick<RpmSpec, 'name' | 'version' | 'release' | 'arch' | 'source'>): string {
  return `${spec.name}-${spec.version}-${spec.release}.${spec.source ? 'src' : spec.arch}.rpm`;
}

function mainHeader(r: ResolvedSpec, files: FileLayout, payload: Buffer, archive: Buffer): Buffer {
  const h = new HeaderBuilder()
    .stringArray(Tag.I18NTABLE, ['C'])
    .string(Tag.NAME, r.name)
    .string(Tag.VERSION, r.version)
    .string(Tag.RELEASE, r.release);
  if (r.epoch !== undefined) h.int32(Tag.EPOCH, r.epoch);
  h.i18nString(Tag.SUMMARY, r.summary)
    .i18nString(Tag.DESCRIPTION, r.description)
    .int32(Tag.BUILDTIME, r.buildtime)
    .string(Tag.BUILDHOST, r.buildhost)
    .string(Tag.LICENSE, r.license)
    .i18nString(Tag.GROUP, r.group)
    .string(Tag.OS, 'linux')
    .string(Tag.ARCH, r.arch);
  if (r.vendor !== undefined) h.string(Tag.VENDOR, r.vendor);
  if (r.packager !== undefined) h.string(Tag.PACKAGER, r.packager);
  if (r.url !== undefined) h.string(Tag.URL, r.url);
  if (r.sourcerpm !== undefined) h.string(Tag.SOURCERPM, r.sourcerpm);
  if (r.source) h.int32(Tag.SOURCEPACKAGE, 1);
  files.putTags(h);
  putDependencyTags(h, r);

  // rpm stores the changelog newest first; a stable sort keeps same-time entries in the given order.
  const logs = [...r.changelogs].sort((a, b) => b.time - a.time);
  h.int32(Tag.CHANGELOGTIME, logs.map((c) => c.time))
    .stringArray(Tag.CHANGELOGNAME, logs.map((c) => c.author))
    .stringArray(Tag.CHANGELOGTEXT, logs.map((c) => c.text));

  return h
    .string(Tag.PAYLOADFORMAT, 'cpio')
    .string(Tag.PAYLOADCOMPRESSOR, 'gzip')
    .string(Tag.PAYLOADFLAGS, '9')
    .string(Tag.ENCODING, 'utf-8')
    .stringArray(Tag.PAYLOADDIGEST, [hex('sha256', payload)])
    .int32(Tag.PAYLOADDIGESTALGO, HASH_SHA256)
    .stringArray(Tag.PAYLOADDIGESTALT, [hex('sha256', archive)])
    .build(RegionTag.IMMUTABLE);
}

/**
 * The digests rpm 4.18 checks with `rpm -K`: SHA1 and SHA256 over the main header, MD5 over header and
 * payload, and the sizes. The payload's own SHA256 lives in the main header (PAYLOADDIGEST).
 */
function signatureHeader(header: Buffer, payload: Buffer, archiveSize: number): Buffer {
  const md5 = createHash('md5').update(header).update(payload).digest();
  return new HeaderBuilder()
    .string(SigTag.SHA1HEADER, hex('sha1', header))
    .string(SigTag.SHA256HEADER, hex('sha256', header))
    .int32(SigTag.SIZE, header.length + payload.length)
    .bin(SigTag.MD5, md5)
    .int32(SigTag.PAYLOADSIZE, archiveSize)
    .bin(SigTag.RESERVEDSPACE, Buffer.alloc(RESERVED_SPACE))
    .build(RegionTag.SIGNATURES);
}

/** The complete .rpm file for `spec`. Pure: the same spec always gives the same bytes. */
export function buildRpm(spec: RpmSpec): Buffer {
  const r = resolveSpec(spec);
  const files = layoutFiles(r.files, r.source, r.hardlinkDuplicatesIn);
  const archive = writeCpio(files.cpio);
  const payload = gzipSync(archive, { level: 9 });
  const header = mainHeader(r, files, payload, archive);
  const signature = signatureHeader(header, payload, archive.length);
  const pad = Buffer.alloc((8 - (signature.length % 8)) % 8);
  const lead = buildLead(`${r.name}-${evrOf(r)}`, r.arch, r.source);
  return Buffer.concat([lead, signature, pad, header, payload]);
}
