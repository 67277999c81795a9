import type { SizeLimit } from '../checksum/size-limit.js';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/**
 * How large a metadata file from a repo may be. repomd.xml declares each file's size and open-size
 * (decompressed), but repomd.xml comes from the same place as the files and may lie: reading stops just
 * past what it declares, and whatever it declares, at a ceiling (`mirror sync --max-metadata-size`).
 */

/** The ceiling by default: generous for real repos, whose largest files (a distribution's filelists) decompress to hundreds of megabytes. */
export const DEFAULT_MAX_METADATA_SIZE = 4 * 2 ** 30;

/** Decompressing stops this far past a declared open-size: room for a generator's rounding, no more. */
export const OPEN_SIZE_MARGIN = 1 << 20;

/** repomd.xml itself (and a mirror list): nothing declares their size; real ones are kilobytes. */
export const MAX_REPOMD_SIZE = 16 << 20;

/** What repomd.xml (at `name`) may hold: MAX_REPOMD_SIZE. */
export function repomdSizeLimit(name: string): SizeLimit {
  return {
    max: MAX_REPOMD_SIZE,
    exceeded: (seen) =>
      new OvirtRepoError(ErrorCodes.SIZE_MISMATCH, `${name} is larger than ${MAX_REPOMD_SIZE} bytes (stopped after ${seen} bytes); a repomd.xml is a few kilobytes`, {
        target: name,
        hint: 'check that the path or URL names a YUM repository (the directory that holds repodata/)',
        data: { limit: MAX_REPOMD_SIZE, actual: seen },
      }),
  };
}

const CEILING_HINT = 'if the repo really has metadata this large, raise --max-metadata-size (sync.maxMetadataSize in ovirt-repo.yaml)';

/** fileSizeLimit: also refuses a download whose announced length (Content-Length) is already too large. */
export interface FileSizeLimit extends SizeLimit {
  announced(length: number): Error;
}

/**
 * What `name` (a metadata file, or its URL) may hold as stored or sent: the size repomd.xml declares for
 * it, else `max`. The errors name both sizes and how many bytes had come.
 */
export function fileSizeLimit(name: string, declared: number | undefined, max = DEFAULT_MAX_METADATA_SIZE): FileSizeLimit {
  const byDeclared = declared !== undefined && declared <= max;
  const limit = byDeclared ? declared : max;
  const what = byDeclared ? `the ${declared} bytes repomd.xml declares for it` : `${max} bytes, the most a metadata file may be (${declaredText(declared, 'size')})`;
  const hint = byDeclared
    ? 'the file changed after repomd.xml was written (a mirror caught mid-update), or the server is broken or hostile; retry later or use another mirror'
    : `${CEILING_HINT}; otherwise the source is broken or hostile`;
  const error = (message: string, actual: number) =>
    new OvirtRepoError(ErrorCodes.SIZE_MISMATCH, message, { target: name, hint, data: { ...(declared !== undefined ? { expected: declared } : {}), limit, actual } });
  return {
    max: limit,
    exceeded: (seen) => error(`${name} is larger than ${what} (stopped after ${seen} bytes)`, seen),
    announced: (length) => error(`${name} has Content-Length ${length}, more than ${what}; not downloaded`, length),
  };
}

/**
 * What `name` may decompress to: the open-size repomd.xml declares plus OPEN_SIZE_MARGIN, never more
 * than `max`. The error names the declared size and where decompressing stopped.
 */
export function openSizeLimit(name: string, declared: number | undefined, max = DEFAULT_MAX_METADATA_SIZE): SizeLimit {
  if (declared !== undefined && declared + OPEN_SIZE_MARGIN <= max) {
    return {
      max: declared + OPEN_SIZE_MARGIN,
      exceeded: (seen) =>
        new OvirtRepoError(ErrorCodes.SIZE_MISMATCH, `${name} decompresses to more than the open-size ${declared} repomd.xml declares for it (stopped after ${seen} bytes)`, {
          target: name,
          hint: 'repomd.xml does not describe this file (a decompression bomb, or broken metadata); regenerate the repo with createrepo_c, or ask its owner',
          data: { expected: declared, limit: declared + OPEN_SIZE_MARGIN, actual: seen },
        }),
    };
  }
  return {
    max,
    exceeded: (seen) =>
      new OvirtRepoError(ErrorCodes.SIZE_MISMATCH, `${name} decompresses to more than ${max} bytes, the most a metadata file may (stopped after ${seen} bytes; ${declaredText(declared, 'open-size')})`, {
        target: name,
        hint: `${CEILING_HINT}; otherwise it is a decompression bomb`,
        data: { ...(declared !== undefined ? { expected: declared } : {}), limit: max, actual: seen },
      }),
  };
}

function declaredText(declared: number | undefined, what: string): string {
  return declared === undefined ? `repomd.xml declares no ${what}` : `repomd.xml declares ${what} ${declared}`;
}
