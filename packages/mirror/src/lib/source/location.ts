import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCodes, OvirtRepoError, hrefUrl, redactUrl } from '@ovirt-repo/core';
import { printable } from '../store/names.js';

/**
 * Where a YUM repo is: an http(s):// URL, a file:// URL or a local path, normalised to a URL ending in "/"
 * so that metadata and package hrefs resolve below it.
 */
export interface RepoLocation {
  /** The base URL, always with a trailing slash (file:// for local paths). */
  base: URL;
  /** For messages and records: the base without credentials. */
  display: string;
}

export function parseLocation(source: string): RepoLocation {
  const text = source.trim();
  let url: URL;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) {
    try {
      url = new URL(text);
    } catch {
      throw badSource(source, 'it is not a valid URL');
    }
    if (!['http:', 'https:', 'file:'].includes(url.protocol)) throw badSource(source, `the ${url.protocol}// scheme is not supported`);
  } else {
    if (text === '') throw badSource(source, 'it is empty');
    url = pathToFileURL(isAbsolute(text) ? text : resolve(text));
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { base: url, display: redactUrl(url.href) };
}

function badSource(source: string, why: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.USAGE, `bad source "${printable(source)}": ${why}`, {
    target: printable(source),
    hint: 'give an http(s):// or file:// URL or a local directory of a YUM repo (the directory that holds repodata/)',
  });
}

/** The URL of `href` below a base URL (core's hrefUrl: each segment percent-encoded, as dnf asks for it). */
export function resolveHref(base: URL, href: string, where: string): URL {
  return hrefUrl(base, href, where);
}

/** A location's `xml:base` override (location base="..."): http(s) anywhere, file:// only for local sources. */
export function resolveLocationBase(sourceBase: URL, xmlBase: string | undefined, where: string): URL {
  if (!xmlBase) return sourceBase;
  let u: URL;
  try {
    u = new URL(xmlBase, sourceBase);
  } catch {
    throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `refusing location base "${printable(xmlBase)}" in ${where}: not a URL`, { target: where });
  }
  const ok = u.protocol === 'http:' || u.protocol === 'https:' || (u.protocol === 'file:' && sourceBase.protocol === 'file:');
  if (!ok) {
    throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `refusing location base "${printable(xmlBase)}" in ${where}: ${u.protocol} is not allowed for this source`, {
      target: where,
      hint: 'a remote repo may not point packages at local files',
    });
  }
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u;
}

export const isFileUrl = (u: URL) => u.protocol === 'file:';

/** Local path of a file:// URL. */
export function localPath(u: URL): string {
  return fileURLToPath(u);
}

/** Does a local repo directory exist? (for clearer errors than ENOENT on repomd.xml) */
export async function localDirExists(u: URL): Promise<boolean> {
  try {
    return (await stat(localPath(u))).isDirectory();
  } catch {
    return false;
  }
}

export function joinLocal(base: URL, ...segments: string[]): string {
  return join(localPath(base), ...segments);
}
