import type { Dependency, PackageFile, PackageRecord } from './model.js';
import { escapeAttr as a, escapeText as t } from './xml-escape.js';

/**
 * One package's XML in primary.xml, filelists.xml and other.xml, byte for byte as createrepo_c 0.17 dumps it
 * (src/xml_dump_{primary,filelists,other}.c through libxml2's formatted node dump): two-space indentation,
 * `<x></x>` for empty text elements, `<x/>` for childless ones, attribute order as below, and a newline
 * after `</package>`.
 */

export const PRIMARY_NS = 'http://linux.duke.edu/metadata/common';
export const RPM_NS = 'http://linux.duke.edu/metadata/rpm';
export const FILELISTS_NS = 'http://linux.duke.edu/metadata/filelists';
export const OTHER_NS = 'http://linux.duke.edu/metadata/other';

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function primaryHeader(packages: number): string {
  return `${XML_DECL}<metadata xmlns="${PRIMARY_NS}" xmlns:rpm="${RPM_NS}" packages="${packages}">\n`;
}
export function filelistsHeader(packages: number): string {
  return `${XML_DECL}<filelists xmlns="${FILELISTS_NS}" packages="${packages}">\n`;
}
export function otherHeader(packages: number): string {
  return `${XML_DECL}<otherdata xmlns="${OTHER_NS}" packages="${packages}">\n`;
}
// createrepo_c ends the files without a newline.
export const PRIMARY_FOOTER = '</metadata>';
export const FILELISTS_FOOTER = '</filelists>';
export const OTHER_FOOTER = '</otherdata>';

/**
 * The files primary.xml lists (createrepo_c's cr_is_primary): what dependency resolution most often needs
 * without downloading filelists.
 */
export function isPrimaryFile(path: string): boolean {
  return path.startsWith('/etc/') || path === '/usr/lib/sendmail' || path.includes('bin/');
}

// Order of the dependency lists inside <format>, as createrepo_c dumps them (not the struct order).
const DEPENDENCY_LISTS = [
  ['provides', 'rpm:provides'],
  ['requires', 'rpm:requires'],
  ['conflicts', 'rpm:conflicts'],
  ['obsoletes', 'rpm:obsoletes'],
  ['suggests', 'rpm:suggests'],
  ['enhances', 'rpm:enhances'],
  ['recommends', 'rpm:recommends'],
  ['supplements', 'rpm:supplements'],
] as const;

export function primaryPackageXml(p: PackageRecord): string {
  const f = p.format;
  let x =
    '<package type="rpm">\n' +
    `  <name>${t(p.name)}</name>\n` +
    `  <arch>${t(p.arch)}</arch>\n` +
    `  <version epoch="${a(p.epoch)}" ver="${a(p.version)}" rel="${a(p.release)}"/>\n` +
    `  <checksum type="${a(p.checksum.type)}" pkgid="YES">${t(p.checksum.value)}</checksum>\n` +
    `  <summary>${t(p.summary)}</summary>\n` +
    `  <description>${t(p.description)}</description>\n` +
    `  <packager>${t(p.packager)}</packager>\n` +
    `  <url>${t(p.url)}</url>\n` +
    `  <time file="${int(p.time.file)}" build="${int(p.time.build)}"/>\n` +
    `  <size package="${int(p.size.package)}" installed="${int(p.size.installed)}" archive="${int(p.size.archive)}"/>\n` +
    `  <location${locationBase(p.location.base)} href="${a(p.location.href)}"/>\n` +
    '  <format>\n' +
    `    <rpm:license>${t(f.license)}</rpm:license>\n` +
    `    <rpm:vendor>${t(f.vendor)}</rpm:vendor>\n` +
    `    <rpm:group>${t(f.group)}</rpm:group>\n` +
    `    <rpm:buildhost>${t(f.buildhost)}</rpm:buildhost>\n` +
    `    <rpm:sourcerpm>${t(f.sourcerpm)}</rpm:sourcerpm>\n` +
    `    <rpm:header-range start="${int(f.headerRange.start)}" end="${int(f.headerRange.end)}"/>\n`;
  for (const [key, element] of DEPENDENCY_LISTS) x += dependencyList(element, f[key], key === 'requires');
  for (const file of p.files) if (isPrimaryFile(file.path)) x += fileLine('    ', file);
  return x + '  </format>\n</package>\n';
}

export function filelistsPackageXml(p: PackageRecord): string {
  let x = packageOpenWithVersion(p);
  for (const file of p.files) x += fileLine('  ', file);
  return x + '</package>\n';
}

export function otherPackageXml(p: PackageRecord): string {
  let x = packageOpenWithVersion(p);
  for (const c of p.changelogs) {
    x += `  <changelog author="${a(c.author)}" date="${int(c.date)}">${t(c.text)}</changelog>\n`;
  }
  return x + '</package>\n';
}

function packageOpenWithVersion(p: PackageRecord): string {
  return (
    `<package pkgid="${a(p.checksum.value)}" name="${a(p.name)}" arch="${a(p.arch)}">\n` +
    `  <version epoch="${a(p.epoch)}" ver="${a(p.version)}" rel="${a(p.release)}"/>\n`
  );
}

function dependencyList(element: string, deps: Dependency[], isRequires: boolean): string {
  if (deps.length === 0) return '';
  let entries = '';
  for (const d of deps) {
    // createrepo_c skips nameless entries but still writes the (then empty) list element.
    if (!d.name) continue;
    entries += `      <rpm:entry name="${a(d.name)}"`;
    if (d.flags) {
      entries += ` flags="${a(d.flags)}"`;
      if (d.epoch) entries += ` epoch="${a(d.epoch)}"`;
      if (d.version) entries += ` ver="${a(d.version)}"`;
      if (d.release) entries += ` rel="${a(d.release)}"`;
    }
    if (isRequires && d.pre) entries += ' pre="1"';
    entries += '/>\n';
  }
  return entries ? `    <${element}>\n${entries}    </${element}>\n` : `    <${element}/>\n`;
}

function fileLine(indent: string, file: PackageFile): string {
  const type = file.type && file.type !== 'file' ? ` type="${a(file.type)}"` : '';
  return `${indent}<file${type}>${t(file.path)}</file>\n`;
}

/** createrepo_c turns a local base path into a file:// URL (cr_prepend_protocol). */
function locationBase(base: string | undefined): string {
  if (!base) return '';
  return ` xml:base="${a(base.startsWith('/') ? `file://${base}` : base)}"`;
}

function int(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : String(Math.trunc(n));
}
