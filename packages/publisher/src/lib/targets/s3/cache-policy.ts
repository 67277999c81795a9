import { contentTypeFor, IMMUTABLE, NO_CACHE } from '@ovirt-repo/core';

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
