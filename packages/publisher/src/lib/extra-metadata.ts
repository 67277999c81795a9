import type { RepomdRecord } from '@ovirt-repo/core';

/** Opaque metadata (comps, updateinfo...) keeps its name but always carries its checksum in front. */
export function extraHref(href: string, checksum: string): string {
  const name = href.slice(href.lastIndexOf('/') + 1).replace(/^[0-9a-f]{32,128}-/, '');
  return `repodata/${checksum.toLowerCase()}-${name}`;
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
