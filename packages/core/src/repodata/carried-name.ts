/** Names kept after the checksum: letters, digits and `._+-`, not starting with a dot, at most this long. */
const KEPT_NAME_MAX = 64;
const TAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
/** A leading checksum (md5 to sha512) that createrepo_c and modifyrepo_c put before a metadata file's name. */
const CHECKSUM_PREFIX = /^[0-9a-f]{32,128}-/;
/** The endings that tell readers a file's format and compression (dnf reads the compression off the name). */
const ENDING = /(?:\.[A-Za-z0-9]{1,10})?\.(?:gz|xz|bz2|zst|zstd|zck|lzma)$|\.[A-Za-z0-9]{1,10}$/;

/**
 * The file name a repository stores a carried metadata file under (the part after `repodata/`):
 * `<checksum>-<name>`, as createrepo_c names them, where name is the source's own file name (without its
 * leading checksum) when that name is tame, else the record's type with the source name's endings
 * (`.xml.gz`). A source's name is never trusted as it is: a dot-name is hidden by web servers (so dnf could
 * not read the repository), and a long one does not fit the filesystem once a temp suffix is added. The
 * result is at most 128 + 1 + 64 characters, and the same for the same file wherever it is carried again.
 */
export function carriedMetadataName(type: string, checksum: string, href: string): string {
  const own = href.slice(href.lastIndexOf('/') + 1).replace(CHECKSUM_PREFIX, '');
  if (own.length <= KEPT_NAME_MAX && TAME.test(own)) return `${checksum}-${own}`;
  const stem = type.length <= 32 && TAME.test(type) ? type : 'metadata';
  return `${checksum}-${stem}${ENDING.exec(own)?.[0] ?? ''}`;
}
