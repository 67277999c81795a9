import { readFile } from 'node:fs/promises';
import { ErrorCodes, OvirtRepoError, ioError, parseIni } from '@ovirt-repo/core';
import { splitList } from '../select/glob.js';

/**
 * A section of a yum/dnf .repo or reposync config (like oVirt's mirrors-reposync.conf):
 *
 *   [centos-base-el7]
 *   name=CentOS 7 base
 *   baseurl=http://mirror.centos.org/centos/7/os/$basearch/
 *   exclude=*-debuginfo
 *   includepkgs=vdsm* ovirt-*
 *
 * yum's INI dialect (see parseIni): `key=value` or `key: value`, `#`/`;` comment lines, values continued
 * on indented lines (multi-line baseurl/exclude lists); `$var` / `${var}` substitution on top.
 */
export interface RepoSection {
  name: string;
  baseurl: string[];
  mirrorlist?: string;
  metalink?: string;
  include: string[];
  exclude: string[];
  /** Every key of the section as written (after substitution). */
  raw: Record<string, string>;
}

/**
 * The sections of a .repo or reposync config as plain key/value maps (keys in lower case, multi-line
 * values joined by newlines), read with core's parseIni: the same RawConfigParser rules that inject uses.
 */
export function parseRepoConfig(text: string, file: string): Map<string, Record<string, string>> {
  const doc = parseIni(text, file);
  return new Map(doc.sections.map((s) => [s.name, Object.fromEntries(s.options.map((o) => [o.name, o.value]))]));
}

/** Replace $var and ${var} (yum variables such as $basearch, $releasever); unknown ones stay as written. */
export function substituteVars(value: string, vars: Record<string, string>): string {
  return value.replace(/\$(\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (m, _b, braced: string | undefined, plain: string | undefined) => {
    const name = braced ?? plain ?? '';
    return Object.prototype.hasOwnProperty.call(vars, name) ? (vars[name] ?? m) : m;
  });
}

export async function readRepoSection(file: string, section: string, vars: Record<string, string>): Promise<RepoSection> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw ioError('read repo config', file, e);
  }
  const sections = parseRepoConfig(text, file);
  const raw = sections.get(section);
  if (!raw) {
    const known = [...sections.keys()].filter((s) => s !== 'main');
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${file} has no [${section}] section`, {
      target: file,
      hint: known.length ? `sections in that file: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}` : 'the file has no repo sections',
    });
  }
  const sub: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) sub[k] = substituteVars(v, vars);
  const result: RepoSection = {
    name: section,
    baseurl: splitList(sub.baseurl),
    mirrorlist: sub.mirrorlist?.trim() || undefined,
    metalink: sub.metalink?.trim() || undefined,
    include: splitList(sub.includepkgs),
    exclude: [...splitList(sub.exclude), ...splitList(sub.excludepkgs)],
    raw: sub,
  };
  if (result.baseurl.length === 0 && !result.mirrorlist && !result.metalink) {
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `[${section}] in ${file} has no baseurl, mirrorlist or metalink`, {
      target: file,
      hint: 'add baseurl=URL (or mirrorlist=/metalink=) to the section',
    });
  }
  const unresolved = [...result.baseurl, result.mirrorlist ?? '', result.metalink ?? ''].find((u) => /\$\{?[A-Za-z0-9_]+/.test(u));
  if (unresolved) {
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `[${section}] in ${file} uses an unset variable: ${unresolved}`, {
      target: file,
      hint: 'give it with --var NAME=VALUE (e.g. --var releasever=9); $basearch defaults to this machine\'s arch or the first --arch',
    });
  }
  return result;
}

/** yum's $basearch for this machine. */
export function hostBaseArch(): string {
  switch (process.arch) {
    case 'x64':
      return 'x86_64';
    case 'arm64':
      return 'aarch64';
    case 'ppc64':
      return 'ppc64le';
    case 's390x':
      return 's390x';
    case 'ia32':
      return 'i386';
    default:
      return process.arch;
  }
}
