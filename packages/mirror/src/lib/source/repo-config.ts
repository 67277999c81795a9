import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ErrorCodes, OvirtRepoError, ioError, isNoProxyValue, parseIni, type NetworkSettings } from '@ovirt-repo/core';
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
  /** proxy (with proxy_username/proxy_password), sslcacert, sslclientcert, sslclientkey, sslverify, where set. */
  network: NetworkSettings;
  /** gpgcheck, repo_gpgcheck and gpgkey (URLs, space- or comma-separated), where set. */
  verify: VerifySettings;
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
    network: sectionNetwork(sub, file, section),
    verify: sectionVerify(sub, file, section),
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

/**
 * The network options of a section, as dnf reads them: `proxy` (empty: not set; `_none_`: no proxy) with
 * `proxy_username`/`proxy_password`, the PEM files `sslcacert`/`sslclientcert`/`sslclientkey` (a relative
 * path is taken from the config file's directory), and `sslverify`.
 */
function sectionNetwork(sub: Record<string, string>, file: string, section: string): NetworkSettings {
  const where = `[${section}] in ${file}`;
  const out: NetworkSettings = {};
  const proxy = sub.proxy?.trim();
  if (proxy) out.proxy = withProxyCredentials(proxy, sub.proxy_username?.trim(), sub.proxy_password, file, where);
  const path = (v: string | undefined) => (v?.trim() ? resolve(dirname(file), v.trim()) : undefined);
  const caCert = path(sub.sslcacert);
  const clientCert = path(sub.sslclientcert);
  const clientKey = path(sub.sslclientkey);
  if (caCert) out.caCert = caCert;
  if (clientCert) out.clientCert = clientCert;
  if (clientKey) out.clientKey = clientKey;
  const verify = sub.sslverify?.trim().toLowerCase();
  if (verify) {
    if (!YUM_BOOLEANS.has(verify)) {
      throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${where}: sslverify must be 1 or 0 (yes/no, true/false, on/off)`, { target: file, hint: 'write sslverify=1 (the default), or sslverify=0 to turn certificate checks off' });
    }
    out.verify = YUM_BOOLEANS.get(verify) ?? true;
  }
  return out;
}

const YUM_BOOLEANS = new Map([...['1', 'yes', 'true', 'on'].map((v) => [v, true] as const), ...['0', 'no', 'false', 'off'].map((v) => [v, false] as const)]);

/** What a sync checks of what it takes in (docs/trust.md): --gpgcheck, --repo-gpgcheck, --gpg-key, or a section's keys. */
export interface VerifySettings {
  gpgcheck?: boolean;
  repoGpgcheck?: boolean;
  gpgKeys?: string[];
}

/**
 * A section's gpgcheck and repo_gpgcheck (booleans as dnf writes them) and gpgkey (several, separated by
 * spaces, commas or new lines, as dnf's; a plain relative path is taken from the config file's directory).
 */
function sectionVerify(sub: Record<string, string>, file: string, section: string): VerifySettings {
  const out: VerifySettings = {};
  for (const [key, name] of [['gpgcheck', 'gpgcheck'], ['repo_gpgcheck', 'repoGpgcheck']] as const) {
    const value = sub[key]?.trim().toLowerCase();
    if (!value) continue;
    const flag = YUM_BOOLEANS.get(value);
    if (flag === undefined) {
      throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `[${section}] in ${file}: ${key} must be 1 or 0 (yes/no, true/false, on/off)`, { target: file, hint: `write ${key}=1 to check signatures, or ${key}=0` });
    }
    out[name] = flag;
  }
  const keys = (sub.gpgkey ?? '').split(/[\s,]+/).filter(Boolean).map((k) => (/^[a-z][a-z0-9+.-]*:/i.test(k) ? k : resolve(dirname(file), k)));
  if (keys.length > 0) out.gpgKeys = keys;
  return out;
}

/** dnf keeps the proxy's credentials apart (proxy_username, proxy_password); the client takes them in the URL. */
function withProxyCredentials(proxy: string, user: string | undefined, password: string | undefined, file: string, where: string): string {
  if (!user || isNoProxyValue(proxy)) return proxy;
  let url: URL;
  try {
    url = new URL(proxy.includes('://') ? proxy : `http://${proxy}`);
  } catch {
    // Never echoed: the line may hold credentials.
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${where}: proxy is not a URL`, { target: file, hint: 'write proxy=http://host:port' });
  }
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password ?? '');
  return url.href;
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
