import { checkSignature, ErrorCodes, normalizeTargetPath, OvirtRepoError, readTargetFile, signRepomd, type Logger, type Signer, type SyncTarget, type TargetEntry } from '@ovirt-repo/core';
import { REPOMD_ASC_PATH } from '../layout.js';
import { replaceLiveSignature } from '../live-repomd.js';

const MAX_EXISTING_SIGNATURE = 64 * 1024;

/** Publish the public key where it was asked for, when it is not already there with these bytes. */
export async function putPublicKey(target: SyncTarget, signer: Signer, path: string | undefined, files: TargetEntry[]): Promise<void> {
  if (path === undefined) return;
  const where = publicKeyTargetPath(path);
  const bytes = Buffer.from(signer.publicKey, 'utf8');
  const present = files.find((f) => f.path === where);
  if (present?.size === bytes.length && (await readTargetFile(target, where)).equals(bytes)) return;
  await target.put(where, bytes);
}

/**
 * On a run that writes no new repomd.xml: make sure the live one carries exactly one good signature by the
 * signer's key (a first signed publish of an unchanged repository, a run killed between the signature and
 * repomd.xml on a target without links, a key rotation). Replacing only the .asc beside an unchanged
 * repomd.xml is one atomic put.
 */
export async function signLiveRepomd(target: SyncTarget, signer: Signer, repomd: Buffer, files: TargetEntry[], env: NodeJS.ProcessEnv, log: Logger): Promise<boolean> {
  const existing = files.find((f) => f.path === REPOMD_ASC_PATH);
  if (existing && existing.size <= MAX_EXISTING_SIGNATURE) {
    const text = (await readTargetFile(target, REPOMD_ASC_PATH)).toString('utf8');
    const check = await checkSignature(repomd, text, signer.publicKey, env);
    if (check.good && check.signatures === 1) return false;
  }
  const { signature } = await signRepomd(signer, repomd, env);
  log.info(`Signing the live repodata/repomd.xml with ${signer.name} (${existing ? 'its signature was not one good signature by this key' : 'it had no signature'})`);
  await replaceLiveSignature(target, signature);
  return true;
}

/** The destination path of the public key: inside the destination, beside (not inside) what publish manages. */
export function publicKeyTargetPath(path: string): string {
  const p = normalizeTargetPath(path, '--public-key-path');
  const top = p.split('/')[0];
  if (p === '' || top === 'repodata' || top === 'packages' || top === '.ovirt-repo') {
    throw new OvirtRepoError(ErrorCodes.USAGE, `--public-key-path "${path}" is ${p === '' ? 'the destination itself' : `inside ${top}/, which publish manages (and prunes)`}`, {
      hint: 'Name a file beside them, e.g. --public-key-path RPM-GPG-KEY-ovirt-tested',
    });
  }
  return p;
}
