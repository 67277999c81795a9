import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { nevra, type PackageRecord } from './model.js';
import { FORBIDDEN_CONTROL_CHARS } from './xml-escape.js';

/**
 * Checks what the XML dump cannot express. The writer calls `checkPackageNumbers` for every package and
 * `controlCharError` only when the dumped XML contains a forbidden character, to name the field cheaply.
 */
export function checkPackageNumbers(p: PackageRecord): void {
  const numbers: Array<[string, number]> = [
    ['time.file', p.time.file],
    ['time.build', p.time.build],
    ['size.package', p.size.package],
    ['size.installed', p.size.installed],
    ['size.archive', p.size.archive],
    ['format.headerRange.start', p.format.headerRange.start],
    ['format.headerRange.end', p.format.headerRange.end],
  ];
  p.changelogs.forEach((c, i) => numbers.push([`changelogs[${i}].date`, c.date]));
  for (const [field, value] of numbers) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw invalidPackage(p, `${field} is ${value}, not a non-negative integer`);
    }
  }
}

export function controlCharError(p: PackageRecord): OvirtRepoError {
  const field = findControlChars(p) ?? 'a field';
  return invalidPackage(
    p,
    `${field} contains a control character XML cannot carry (ASCII below 32 other than tab, LF and CR)`,
    'createrepo_c refuses such packages too; rebuild the package without the character',
  );
}

function invalidPackage(p: PackageRecord, what: string, hint?: string): OvirtRepoError {
  const who = `${safeName(p)} (${p.location?.href ?? 'no location'})`;
  return new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `cannot write package ${who}: ${what}`, {
    target: p.location?.href,
    hint,
  });
}

function safeName(p: PackageRecord): string {
  return nevra(p).replace(new RegExp(FORBIDDEN_CONTROL_CHARS.source, 'g'), '?');
}

function findControlChars(p: PackageRecord): string | undefined {
  const bad = (s: string | undefined) => s !== undefined && FORBIDDEN_CONTROL_CHARS.test(s);
  const top: Array<[string, string | undefined]> = [
    ['name', p.name],
    ['arch', p.arch],
    ['epoch', p.epoch],
    ['version', p.version],
    ['release', p.release],
    ['checksum', p.checksum.value],
    ['summary', p.summary],
    ['description', p.description],
    ['packager', p.packager],
    ['url', p.url],
    ['location.href', p.location.href],
    ['location.base', p.location.base],
    ['license', p.format.license],
    ['vendor', p.format.vendor],
    ['group', p.format.group],
    ['buildhost', p.format.buildhost],
    ['sourcerpm', p.format.sourcerpm],
  ];
  for (const [field, value] of top) if (bad(value)) return field;
  const lists = ['provides', 'requires', 'conflicts', 'obsoletes', 'suggests', 'enhances', 'recommends', 'supplements'] as const;
  for (const list of lists) {
    const i = p.format[list].findIndex((d) => bad(d.name) || bad(d.epoch) || bad(d.version) || bad(d.release));
    if (i >= 0) return `${list}[${i}] (${JSON.stringify(p.format[list][i]?.name)})`;
  }
  const f = p.files.findIndex((file) => bad(file.path));
  if (f >= 0) return `files[${f}] (${JSON.stringify(p.files[f]?.path)})`;
  const c = p.changelogs.findIndex((ch) => bad(ch.author) || bad(ch.text));
  if (c >= 0) return `changelogs[${c}]`;
  return undefined;
}
