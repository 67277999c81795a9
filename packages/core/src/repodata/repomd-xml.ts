import type { Repomd, RepomdRecord, UnknownElement } from './repomd-model.js';
import { escapeAttrUtf8 as a, escapeText as t } from './xml-escape.js';

export const REPOMD_NS = 'http://linux.duke.edu/metadata/repo';
const RPM_NS = 'http://linux.duke.edu/metadata/rpm';

/**
 * repomd.xml as createrepo_c 0.17 writes it (src/xml_dump_repomd.c): revision, optional repoid,
 * contenthash and tags, then the records in cr_repomd_sort_records order. Elements the reader did not
 * understand are written back after the known ones, so carried-over records keep them.
 */
export function repomdXml(repomd: Repomd): string {
  let x = `<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="${REPOMD_NS}" xmlns:rpm="${RPM_NS}">\n`;
  if (repomd.revision !== undefined) x += `  <revision>${t(repomd.revision)}</revision>\n`;
  if (repomd.repoid) x += `  <repoid${typeAttr(repomd.repoid.type)}>${t(repomd.repoid.value)}</repoid>\n`;
  if (repomd.contenthash) {
    x += `  <contenthash${typeAttr(repomd.contenthash.type)}>${t(repomd.contenthash.value)}</contenthash>\n`;
  }
  const tags = repomd.tags;
  if (tags && tags.content.length + tags.repo.length + tags.distro.length > 0) {
    x += '  <tags>\n';
    for (const c of tags.content) x += `    <content>${t(c)}</content>\n`;
    for (const r of tags.repo) x += `    <repo>${t(r)}</repo>\n`;
    for (const d of tags.distro) {
      const cpeid = d.cpeid !== undefined ? ` cpeid="${a(d.cpeid)}"` : '';
      x += `    <distro${cpeid}>${t(d.value)}</distro>\n`;
    }
    x += '  </tags>\n';
  }
  for (const record of sortRecords(repomd.records)) x += recordXml(record);
  for (const u of repomd.unknown ?? []) x += unknownXml(u, '  ');
  return `${x}</repomd>\n`;
}

function recordXml(r: RepomdRecord): string {
  let x = `  <data type="${a(r.type)}">\n`;
  x += `    <checksum type="${a(r.checksum.type)}">${t(r.checksum.value)}</checksum>\n`;
  if (r.openChecksum) {
    x += `    <open-checksum type="${a(r.openChecksum.type)}">${t(r.openChecksum.value)}</open-checksum>\n`;
  }
  if (r.headerChecksum) {
    x += `    <header-checksum type="${a(r.headerChecksum.type)}">${t(r.headerChecksum.value)}</header-checksum>\n`;
  }
  // Unlike a package <location>, repomd puts href before xml:base.
  const base = r.location.base !== undefined ? ` xml:base="${a(r.location.base)}"` : '';
  x += `    <location href="${a(r.location.href)}"${base}/>\n`;
  if (r.timestamp !== undefined) x += `    <timestamp>${r.timestamp}</timestamp>\n`;
  if (r.size !== undefined) x += `    <size>${r.size}</size>\n`;
  if (r.openSize !== undefined) x += `    <open-size>${r.openSize}</open-size>\n`;
  if (r.headerChecksum && r.headerSize !== undefined) x += `    <header-size>${r.headerSize}</header-size>\n`;
  if (r.databaseVersion !== undefined) x += `    <database_version>${r.databaseVersion}</database_version>\n`;
  for (const u of r.unknown ?? []) x += unknownXml(u, '    ');
  return `${x}  </data>\n`;
}

function unknownXml(u: UnknownElement, indent: string): string {
  const attrs = Object.entries(u.attributes)
    .map(([k, v]) => ` ${k}="${a(v)}"`)
    .join('');
  return u.text === '' ? `${indent}<${u.name}${attrs}/>\n` : `${indent}<${u.name}${attrs}>${t(u.text)}</${u.name}>\n`;
}

function typeAttr(type: string | undefined): string {
  return type !== undefined ? ` type="${a(type)}"` : '';
}

// createrepo_c's record_cmp: primary, filelists, other, their _db then _zck variants, then by type, href, base.
const RANK: Record<string, number> = {
  primary: 1,
  filelists: 2,
  other: 3,
  primary_db: 4,
  filelists_db: 5,
  other_db: 6,
  primary_zck: 7,
  filelists_zck: 8,
  other_zck: 9,
};

export function sortRecords(records: readonly RepomdRecord[]): RepomdRecord[] {
  return [...records].sort(
    (x, y) =>
      (RANK[x.type] ?? 10) - (RANK[y.type] ?? 10) ||
      cmp(x.type, y.type) ||
      cmp(x.location.href, y.location.href) ||
      cmp(x.location.base ?? '', y.location.base ?? ''),
  );
}

/** strcmp order (by UTF-16 code unit, which agrees with bytes for the ASCII names used here). */
function cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
