import { ErrorCodes, OvirtRepoError, packageFileNameOf, type PackageChecksum } from '@ovirt-repo/core';

/** The directory publish stores packages in on the destination. */
export const PACKAGES_DIR = 'packages';
export const REPODATA_DIR = 'repodata';
export const REPOMD_PATH = 'repodata/repomd.xml';
/** The detached signature of repomd.xml (what dnf's repo_gpgcheck=1 fetches). */
export const REPOMD_ASC_PATH = 'repodata/repomd.xml.asc';

/** Identity of a package file across sources and generations: its checksum. */
export function packageKey(checksum: PackageChecksum): string {
  return `${checksum.type}:${checksum.value.toLowerCase()}`;
}

/**
 * The file name to keep from a source href: its last segment, by core's one rule for file names (which
 * minirepo and mirror sync apply too, so a tested snapshot can always be published). A source that names
 * packages `../../etc/passwd` or `x/.hidden.rpm` is refused instead of being copied.
 */
export function packageFileName(href: string, source: string): string {
  return packageFileNameOf(href, source);
}

/**
 * Where a package is stored on the destination: `packages/<first two hex digits>/<checksum>/<file name>`.
 * Content-addressed, so two different builds with the same file name (a rebuilt NEVRA) never overwrite
 * each other — a client holding older metadata still gets the bytes it expects — and the original file
 * name is kept for people browsing the repository.
 */
export function packageHref(checksum: PackageChecksum, fileName: string): string {
  const hex = checksum.value.toLowerCase();
  if (!/^[0-9a-f]{32,128}$/.test(hex)) {
    throw new OvirtRepoError(ErrorCodes.REPODATA_INVALID, `Package ${fileName} has checksum "${checksum.value}", which is not a hex digest`, {
      hint: 'Fix the source repository metadata (createrepo_c writes hex digests).',
    });
  }
  return `${PACKAGES_DIR}/${hex.slice(0, 2)}/${hex}/${fileName}`;
}

/** The directory to remove with a package stored under our layout (its content-addressed folder). */
export function packageStorageDir(href: string): string | undefined {
  const m = /^packages\/[0-9a-f]{2}\/[0-9a-f]{32,128}(?=\/[^/]+$)/.exec(href);
  return m?.[0];
}
