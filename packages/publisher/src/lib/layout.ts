import { ErrorCodes, OvirtRepoError, type PackageChecksum } from '@ovirt-repo/core';

/** The directory publish stores packages in on the destination. */
export const PACKAGES_DIR = 'packages';
export const REPODATA_DIR = 'repodata';
export const REPOMD_PATH = 'repodata/repomd.xml';

/** Identity of a package file across sources and generations: its checksum. */
export function packageKey(checksum: PackageChecksum): string {
  return `${checksum.type}:${checksum.value.toLowerCase()}`;
}

/**
 * The file name to keep from a source href: its last segment, which must look like an RPM file name. A
 * source that names packages `../../etc/passwd` or `x/.hidden.rpm` is refused instead of being copied.
 */
export function packageFileName(href: string, source: string): string {
  const name = href.split('/').pop() ?? '';
  if (!/^[A-Za-z0-9_+][A-Za-z0-9._+~^-]*\.rpm$/.test(name) || name.length > 255) {
    throw new OvirtRepoError(ErrorCodes.UNSAFE_PATH, `Refusing package href "${href}" in ${source}: "${name}" is not an RPM file name`, {
      target: source,
      hint: 'Package file names must end in .rpm and use letters, digits and . _ + ~ ^ - only; fix the source repository metadata.',
    });
  }
  return name;
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
