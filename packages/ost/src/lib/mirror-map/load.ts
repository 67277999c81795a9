import { ErrorCodes, OvirtRepoError, displayUri, readStructuredUri, type Logger, type ReadUriOptions, uriKind } from '@ovirt-repo/core';
import { mergeMirrorMaps, mirrorMapToInsertions } from './includes.js';
import { DEFAULT_VARNAME, type MirrorMapContext, readMirrorMapDocument } from './shape.js';
import type { MirrorMap } from './types.js';

export interface LoadMirrorMapOptions {
  /** The key holding the map in wrapped documents (default `latest_ci_repos`). */
  varname?: string;
  /** Read http(s) maps through http_proxy/https_proxy (off by default). */
  allowProxy?: boolean;
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

/** Includes nest; more levels than this is a loop in all but name. */
const MAX_INCLUDE_DEPTH = 16;
/** Maps and included maps are small; a huge body means a wrong URL. */
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
  const sources: string[] = [];
  const map = await loadOne(uri, [], sources, options, {});
  return { ...map, uri, sources };
}

async function loadOne(uri: string, chain: string[], sources: string[], options: LoadMirrorMapOptions, context: MirrorMapContext): Promise<MirrorMap> {
  const doc = await readStructuredUri(uri, {
    ...options.http,
    allowProxy: options.allowProxy,
    logger: options.logger,
    maxBytes: MAX_MAP_BYTES,
  });
  const resolved = doc.source.uri;
  if (chain.includes(resolved) || chain.length >= MAX_INCLUDE_DEPTH) {
    const path = [...chain, resolved].map((u) => displayUri(u, 60)).join(' -> ');
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `mirror map includes loop: ${path}`, {
      target: displayUri(chain[0] ?? resolved),
      hint: 'remove the include that leads back to a map already being read',
      data: { chain: [...chain, resolved] },
    });
  }
  sources.push(resolved);
  options.logger?.debug(`read mirror map ${displayUri(resolved)}`);
  const here: MirrorMapContext = { ...context, remote: context.remote || uriKind(resolved) === 'http' };
  const parsed = readMirrorMapDocument(doc, options.varname ?? DEFAULT_VARNAME, here);
  let map = parsed.map;
  const next = [...chain, resolved];
  for (const include of parsed.include) {
    map = mergeMirrorMaps(map, await loadOne(include, next, sources, options, here));
  }
  for (const { prefix, uri: include } of parsed.includeBefore) {
    const included = await loadOne(include, next, sources, options, { ...here, namesAreRepoIds: true });
    map = mergeMirrorMaps(map, mirrorMapToInsertions(included, prefix));
  }
  return map;
}
