import { carriedMetadataName, type RepomdRecord } from '@ovirt-repo/core';

/**
 * Where a carried metadata file goes: core's one naming rule for carried files (checksum in front, a tame
 * name), so a source's dot-name or over-long name never reaches the destination.
 */
export function extraHref(record: RepomdRecord): string {
  return `repodata/${carriedMetadataName(record.type, record.checksum.value.toLowerCase(), record.location.href)}`;
}

/**
 * The type and checksum of every record a generation carries besides the package list and its renderings:
 * of the source's carried extras, or of the live repomd.xml (where delta records an older publish carried
 * count too, so a destination advertising them gets a new generation without them).
 */
export function extrasSignature(records: readonly RepomdRecord[]): string {
  return records
    .filter((r) => !['primary', 'filelists', 'other'].includes(r.type) && !/_(db|zck)$/.test(r.type))
    .map((r) => `${r.type}:${r.checksum.value.toLowerCase()}`)
    .sort()
    .join(',');
}
