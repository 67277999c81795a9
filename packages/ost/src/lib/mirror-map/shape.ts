import {
  baseurlProblem,
  displayUri,
  type DocumentPath,
  type ErrorCode,
  ErrorCodes,
  lineProblem,
  OvirtRepoError,
  repoIdProblem,
  resolveUri,
  type StructuredDocument,
  uriKind,
} from '@ovirt-repo/core';
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

/** Where a document sits among the maps being read, which decides what it may name. */
export interface MirrorMapContext {
  /**
   * Read over http(s), or named by a document that was: it may name only http(s) URLs (and include data:
   * URLs), never a local file, so a served map cannot make inject read or point a test at this machine's files.
   */
  remote?: boolean;
  /** Its repo names become the ids of inserted sections (an `include:before:` map and what it includes). */
  namesAreRepoIds?: boolean;
}

type Fail = (path: DocumentPath, message: string, hint: string, code?: ErrorCode) => never;

/**
 * Check a parsed map document and make its URLs absolute against `doc.uri` (where it was read from).
 * The map is the object under `varname` when the document has that key (served index files wrap it),
 * else the document itself (files and data: URLs often hold the bare map).
 * Keys: `<repo>: URL`, `before:<section>: [[repo, URL], ...]`, `include: [URI, ...]`,
 * `include:before: [[prefix, URI], ...]`. Anything else is an error naming the line and the key.
 *
 * Everything that will be written into a config is checked here, where the error can name the line: a
 * URL must be one baseurl (one line, no control characters, no space or comma, a scheme dnf reads), an
 * inserted repo id a valid dnf repo id; names only looked up must be one line. Messages never quote
 * values: the document may be a file that was named by mistake.
 */
export function readMirrorMapDocument(doc: StructuredDocument, varname: string, context: MirrorMapContext = {}): MirrorMapDocument {
  const wrapped = isObject(doc.value) && Object.hasOwn(doc.value, varname);
  const root: DocumentPath = wrapped ? [varname] : [];
  const value = wrapped ? (doc.value as Record<string, unknown>)[varname] : doc.value;
  const fail: Fail = (path, message, hint, code = ErrorCodes.CONFIG_INVALID) => {
    const line = doc.lineOf([...root, ...path]);
    const key = path.length > 0 ? String(path[0]) : wrapped ? varname : undefined;
    throw new OvirtRepoError(code, `${displayUri(doc.uri)}${line ? `:${line}` : ''}: ${message}`, {
      target: displayUri(doc.uri),
      hint,
      data: { uri: doc.uri, line, key },
    });
  };
  if (!isObject(value)) {
    fail([], `the mirror map must be an object of repo names to URLs${wrapped ? ` (under "${varname}")` : ''}, got ${describe(value)}`,
      `write {"${varname}": {"<repo>": "<url>"}} or the bare {"<repo>": "<url>"}`);
  }
  const check = new Checks(doc, context, fail);
  const out: MirrorMapDocument = { map: { repos: new Map(), before: new Map() }, include: [], includeBefore: [] };
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'include:') {
      if (!Array.isArray(v) || v.some((u) => typeof u !== 'string' || u === '')) {
        fail([key], `key "include:" must be a list of URIs, got ${describe(v)}`, 'write include: ["<uri>", ...]');
      }
      (v as string[]).forEach((u, i) => out.include.push(check.include([key, i], `"include:" item ${i + 1}`, u)));
    } else if (key === 'include:before:') {
      pairs(v, [key], fail, '"include:before:" must be a list of [repo-prefix, URI] pairs').forEach(([prefix, uri], i) => {
        const where = `"include:before:" item ${i + 1}`;
        check.name([key, i], `${where}: the prefix`, prefix);
        out.includeBefore.push({ prefix, uri: check.include([key, i], where, uri) });
      });
    } else if (key.startsWith('before:') && key.length > 'before:'.length) {
      check.name([key], `${JSON.stringify(key)}: the section name`, key);
      const list: Insertion[] = pairs(v, [key], fail, `${JSON.stringify(key)} must be a list of [repo-id, URL] pairs`).map(([repo, u], i) => {
        const where = `${JSON.stringify(key)} item ${i + 1}`;
        check.repoId([key, i], where, repo);
        return { repo, url: check.url([key, i], where, u) };
      });
      out.map.before.set(key.slice('before:'.length), list);
    } else if (key.startsWith('include:')) {
      fail([key], `unknown key ${JSON.stringify(key)}`, 'the include keys are "include:" and "include:before:"');
    } else if (typeof v !== 'string' || v === '') {
      fail([key], `repo ${JSON.stringify(key)} must map to a URL string, got ${describe(v)}`,
        'repo entries are "<repo id>": "<url>"; insertions are "before:<section>": [["<repo id>", "<url>"]]');
    } else {
      const where = `repo ${JSON.stringify(key)}`;
      if (context.namesAreRepoIds) check.repoId([key], where, key);
      else check.name([key], `${where}: the name`, key);
      out.map.repos.set(key, check.url([key], where, v));
    }
  }
  return out;
}

/** The checks of one document's values; each returns the value made absolute, or fails naming the key. */
class Checks {
  constructor(
    private readonly doc: StructuredDocument,
    private readonly context: MirrorMapContext,
    private readonly fail: Fail,
  ) {}

  /** A name only looked up in configs (a repo to inject, a section to insert before). */
  name(path: DocumentPath, what: string, name: string): void {
    const problem = lineProblem(name);
    if (problem) this.fail(path, `${what} ${problem}`, 'a repo or section name is one line without control characters');
  }

  /** A repo id written as a new section header. */
  repoId(path: DocumentPath, where: string, id: string): void {
    const problem = repoIdProblem(id);
    if (problem) this.fail(path, `${where}: the repo id ${JSON.stringify(id)} ${problem}`, 'name inserted repos with letters, digits and - _ . : only');
  }

  /** A URL written as a baseurl. */
  url(path: DocumentPath, where: string, raw: string): string {
    const problem = baseurlProblem(raw);
    if (problem) {
      this.fail(path, `${where}: the URL ${problem}`, 'a map URL is one baseurl: one line, no control characters, spaces or commas (percent-encode them), http(s), ftp, file or a path');
    }
    const url = resolveUri(this.doc.uri, raw);
    if (this.context.remote && uriKind(url) !== 'http') {
      this.fail(path, `${where}: the URL names a local file (${url}); a map read over http(s) may only name http(s) URLs`,
        'serve the snapshots over http(s) and name them by URL, or read the map from a local file', ErrorCodes.UNSAFE_PATH);
    }
    return url;
  }

  /** A document to read next. */
  include(path: DocumentPath, where: string, raw: string): string {
    const problem = lineProblem(raw);
    if (problem) this.fail(path, `${where} ${problem}`, 'an include is one URI on one line');
    const uri = resolveUri(this.doc.uri, raw);
    const kind = uriKind(uri);
    if (this.context.remote && kind !== 'http' && kind !== 'data') {
      this.fail(path, `${where} names a local file (${uri}); a map read over http(s) may only include http(s) or data: URLs`,
        'serve the included map over http(s), or include it from a local map', ErrorCodes.UNSAFE_PATH);
    }
    return uri;
  }
}

function pairs(v: unknown, path: DocumentPath, fail: Fail, what: string): Array<[string, string]> {
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

/** What `v` is, never what it says. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return v === '' ? 'an empty string' : 'a string';
  return `${typeof v} ${String(v)}`;
}
