import { ErrorCodes, OvirtRepoError, displayUri, readStructuredUri, type Logger, type ReadUriOptions, uriKind } from '@ovirt-repo/core';
import { mergeInto, mirrorMapToInsertions } from './includes.js';
import { DEFAULT_VARNAME, type MirrorMapContext, readMirrorMapDocument } from './shape.js';
import type { MirrorMap } from './types.js';
import { reachOptions, type TlsMaterial } from '../reach.js';

export interface LoadMirrorMapOptions {
  /** The key holding the map in wrapped documents (default `latest_ci_repos`). */
  varname?: string;
  /** Read http(s) maps through http_proxy/https_proxy (off by default). */
  allowProxy?: boolean;
  /** CA and client certificate for https maps (--ca-cert...). Default: the system's CAs, no certificate. */
  tls?: TlsMaterial;
  /** Tries, timeout and retry delay for http(s) (defaults: 3 tries, 30 s). */
  http?: Pick<ReadUriOptions, 'tries' | 'timeoutMs' | 'retryDelayMs'>;
  logger?: Logger;
}

export interface LoadedMirrorMap extends MirrorMap {
  /** The URI the map was asked for. */
  uri: string;
  /** Every document read, the map first, then its includes depth first (as resolved URIs). */
  sources: string[];
}

/** Maps in one chain of includes: the map, what it includes, what that includes... */
const MAX_INCLUDE_DEPTH = 16;
/** Documents read in all: a map naming the same include many times at each level would fan out without end. */
const MAX_MAP_DOCUMENTS = 256;
/** Maps and included maps are small; a huge body means a wrong URL. Per document, and for all of them. */
const MAX_MAP_BYTES = 64 * 1024 * 1024;

/**
 * Read a mirror map (mirror_client's mirrors_from_uri): from an http(s) URL, a file or file:// URL of
 * JSON or YAML, or a data: URL; relative URLs resolved against where each document was read from;
 * `include:` maps merged in (the including map wins) and `include:before:` maps turned into insertions.
 *
 * An unreachable map or include throws the E_FETCH error of readUri with `data.unreachable` set, so the
 * caller decides whether that is a warning (inject's default) or an error (--strict). A partial map is
 * never returned: injecting some repos from snapshots and others from live repos would test neither.
 */
export async function loadMirrorMap(uri: string, options: LoadMirrorMapOptions = {}): Promise<LoadedMirrorMap> {
  const reading: Reading = { sources: [], bytes: 0 };
  const map = await loadOne(uri, [], reading, options, {});
  return { ...map, uri, sources: reading.sources };
}

/** What has been read so far, across the whole tree of includes. */
interface Reading {
  sources: string[];
  bytes: number;
}

async function loadOne(uri: string, chain: string[], reading: Reading, options: LoadMirrorMapOptions, context: MirrorMapContext): Promise<MirrorMap> {
  if (chain.includes(uri)) throw includeLoop([...chain, uri]);
  if (chain.length >= MAX_INCLUDE_DEPTH) {
    throw tooMuch(`mirror map includes nest more than ${MAX_INCLUDE_DEPTH} maps deep: ${showChain([...chain, uri])}`, chain[0] ?? uri,
      'flatten the includes: let a map nearer the top include the deepest ones', { chain: [...chain, uri] });
  }
  if (reading.sources.length >= MAX_MAP_DOCUMENTS) {
    throw tooMuch(`the mirror map and its includes are more than ${MAX_MAP_DOCUMENTS} documents (a map included many times over?)`,
      reading.sources[0] ?? uri, 'include each map once: an include is read again every time a map names it', { documents: reading.sources.length });
  }
  const doc = await readStructuredUri(uri, {
    ...options.http,
    ...reachOptions(options.allowProxy, options.tls),
    logger: options.logger,
    maxBytes: MAX_MAP_BYTES,
  });
  const resolved = doc.source.uri;
  // Redirects can lead back to a map of the chain under another URL.
  if (resolved !== uri && chain.includes(resolved)) throw includeLoop([...chain, resolved]);
  reading.sources.push(resolved);
  reading.bytes += doc.source.data.length;
  if (reading.bytes > MAX_MAP_BYTES) {
    throw tooMuch(`the mirror map and its includes are more than ${MAX_MAP_BYTES} bytes in all`, reading.sources[0] ?? uri,
      'check the include URLs: maps are small', { bytes: reading.bytes });
  }
  options.logger?.debug(`read mirror map ${displayUri(resolved)}`);
  const here: MirrorMapContext = { ...context, remote: context.remote || uriKind(resolved) === 'http' };
  const parsed = readMirrorMapDocument(doc, options.varname ?? DEFAULT_VARNAME, here);
  // The document's own map is new: every include is merged into it in place.
  const map = parsed.map;
  const next = [...chain, resolved];
  for (const include of parsed.include) {
    mergeInto(map, await loadOne(include, next, reading, options, here));
  }
  for (const { prefix, uri: include } of parsed.includeBefore) {
    const included = await loadOne(include, next, reading, options, { ...here, namesAreRepoIds: true });
    mergeInto(map, mirrorMapToInsertions(included, prefix));
  }
  return map;
}

function includeLoop(chain: string[]): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `mirror map includes loop: ${showChain(chain)}`, {
    target: displayUri(chain[0] ?? ''),
    hint: 'remove the include that leads back to a map already being read',
    data: { chain },
  });
}

function tooMuch(message: string, target: string, hint: string, data: Record<string, unknown>): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.CONFIG_INVALID, message, { target: displayUri(target), hint, data });
}

function showChain(chain: string[]): string {
  return chain.map((u) => displayUri(u, 60)).join(' -> ');
}
