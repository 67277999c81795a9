import type { Repomd } from '@ovirt-repo/core';

/** Opaque metadata (comps, updateinfo...) keeps its name but always carries its checksum in front. */
export function extraHref(href: string, checksum: string): string {
  const name = href.slice(href.lastIndexOf('/') + 1).replace(/^[0-9a-f]{32,128}-/, '');
  return `repodata/${checksum.toLowerCase()}-${name}`;
}

export function extrasSignature(repomd: Pick<Repomd, 'records'>): string {
  return repomd.records
    .filter((r) => !['primary', 'filelists', 'other'].includes(r.type) && !/_(db|zck)$/.test(r.type))
    .map((r) => `${r.type}:${r.checksum.value.toLowerCase()}`)
    .sort()
    .join(',');
}

