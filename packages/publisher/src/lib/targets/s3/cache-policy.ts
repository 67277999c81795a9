import { contentTypeFor } from '@ovirt-repo/core';

/** Objects whose bytes never change under their name: caches may keep them for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Objects publish replaces in place: every reader asks the server again (a 304 when unchanged). */
export const NO_CACHE = 'no-cache';

/**
 * Names publish derives from content: packages under `packages/<xx>/<checksum>/` (see layout.ts) and
 * metadata files named `<checksum>-<type>.<ext>` in repodata/. Anything else (repodata/repomd.xml and its
 * signature, the history, files of an adopted repository, whatever a caller puts) may be replaced in place.
 */
const CONTENT_ADDRESSED = [/^packages\/[0-9a-f]{2}\/[0-9a-f]{32,128}\/[^/]+$/, /^repodata\/[0-9a-f]{32,128}-[^/]+$/];

/** The headers an object at target path `path` is written with. */
export function objectHeaders(path: string): { contentType: string; cacheControl: string } {
  return {
    contentType: contentTypeFor(path.slice(path.lastIndexOf('/') + 1)),
    cacheControl: CONTENT_ADDRESSED.some((re) => re.test(path)) ? IMMUTABLE : NO_CACHE,
  };
}
