import { ErrorCodes, OvirtRepoError, displayUri, resolveUri, type DocumentPath, type StructuredDocument } from '@ovirt-repo/core';
import type { Insertion, MirrorMap } from './types.js';

export const DEFAULT_VARNAME = 'latest_ci_repos';

/** One map document, validated, its URLs made absolute, its includes not yet read. */
export interface MirrorMapDocument {
  map: MirrorMap;
  /** `include:` URIs, absolute. */
  include: string[];
  /** `include:before:` pairs, URIs absolute. */
  includeBefore: Array<{ prefix: string; uri: string }>;
}

/**
 * Check a parsed map document and make its URLs absolute against `doc.uri` (where it was read from).
 * The map is the object under `varname` when the document has that key (served index files wrap it),
 * else the document itself (files and data: URLs often hold the bare map).
 * Keys: `<repo>: URL`, `before:<section>: [[repo, URL], ...]`, `include: [URI, ...]`,
 * `include:before: [[prefix, URI], ...]`. Anything else is an error naming the line and the key.
 */
export function readMirrorMapDocument(doc: StructuredDocument, varname: string): MirrorMapDocument {
  const wrapped = isObject(doc.value) && Object.hasOwn(doc.value, varname);
  const root: DocumentPath = wrapped ? [varname] : [];
  const value = wrapped ? (doc.value as Record<string, unknown>)[varname] : doc.value;
  const fail = (path: DocumentPath, message: string, hint: string): never => {
    const line = doc.lineOf([...root, ...path]);
    const key = path.length > 0 ? String(path[0]) : wrapped ? varname : undefined;
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${displayUri(doc.uri)}${line ? `:${line}` : ''}: ${message}`, {
      target: displayUri(doc.uri),
      hint,
      data: { uri: doc.uri, line, key },
    });
  };
  if (!isObject(value)) {
    fail([], `the mirror map must be an object of repo names to URLs${wrapped ? ` (under "${varname}")` : ''}, got ${describe(value)}`,
      `write {"${varname}": {"<repo>": "<url>"}} or the bare {"<repo>": "<url>"}`);
  }
  const url = (raw: string) => resolveUri(doc.uri, raw);
  const out: MirrorMapDocument = { map: { repos: new Map(), before: new Map() }, include: [], includeBefore: [] };
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'include:') {
      if (!Array.isArray(v) || v.some((u) => typeof u !== 'string' || u === '')) {
        fail([key], `key "include:" must be a list of URIs, got ${describe(v)}`, 'write include: ["<uri>", ...]');
      }
      out.include.push(...(v as string[]).map(url));
    } else if (key === 'include:before:') {
      for (const [prefix, uri] of pairs(v, [key], fail, '"include:before:" must be a list of [repo-prefix, URI] pairs')) {
        out.includeBefore.push({ prefix, uri: url(uri) });
      }
    } else if (key.startsWith('before:') && key.length > 'before:'.length) {
      const list: Insertion[] = pairs(v, [key], fail, `"${key}" must be a list of [repo-id, URL] pairs`).map(([repo, u]) => ({ repo, url: url(u) }));
      out.map.before.set(key.slice('before:'.length), list);
    } else if (key.startsWith('include:')) {
      fail([key], `unknown key "${key}"`, 'the include keys are "include:" and "include:before:"');
    } else if (typeof v !== 'string' || v === '') {
      fail([key], `repo "${key}" must map to a URL string, got ${describe(v)}`,
        'repo entries are "<repo id>": "<url>"; insertions are "before:<section>": [["<repo id>", "<url>"]]');
    } else {
      out.map.repos.set(key, url(v));
    }
  }
  return out;
}

function pairs(
  v: unknown,
  path: DocumentPath,
  fail: (path: DocumentPath, message: string, hint: string) => never,
  what: string,
): Array<[string, string]> {
  if (!Array.isArray(v)) fail(path, `${what}, got ${describe(v)}`, 'write [["<name>", "<url>"], ...]');
  (v as unknown[]).forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || p.some((s) => typeof s !== 'string' || s === '')) {
      fail([...path, i], `${what}; item ${i + 1} is ${describe(p)}`, 'each item is a two-element list: ["<name>", "<url>"]');
    }
  });
  return v as Array<[string, string]>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return v === '' ? 'an empty string' : `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}
