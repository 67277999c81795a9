import { checkSignature, ErrorCodes, isOvirtRepoError, OvirtRepoError, redactUrl, shortKeyId, type PublicKeySet, type ReadClient } from '@ovirt-repo/core';

/** A detached signature is a few hundred bytes; several (one per key) a few KiB. */
const MAX_SIGNATURE = 64 * 1024;

/** Checks a source's repomd.xml before anything it lists is read (--repo-gpgcheck). */
export type RepomdCheck = (repomd: Buffer, repomdUrl: URL) => Promise<void>;

/**
 * As dnf with repo_gpgcheck=1: `repodata/repomd.xml.asc` is read from the same mirror as the repomd.xml
 * and must verify it with one of the keys (gpg in a throwaway home holding only them).
 */
export function repomdCheck(client: ReadClient, keys: PublicKeySet, env: NodeJS.ProcessEnv): RepomdCheck {
  const expected = keys.fingerprints.map(shortKeyId).join(', ');
  return async (repomd, repomdUrl) => {
    const ascUrl = new URL('repomd.xml.asc', repomdUrl);
    const where = redactUrl(ascUrl.href);
    let signature: Buffer;
    try {
      signature = await client.read(ascUrl, MAX_SIGNATURE);
    } catch (e) {
      const missing = isOvirtRepoError(e) && (e.data?.status === 404 || e.data?.code === 'ENOENT');
      if (!missing) throw e;
      throw new OvirtRepoError(ErrorCodes.GPGCHECK, `${where} is missing: the source's repomd.xml is not signed, and --repo-gpgcheck asks for a signature by key ID ${expected}; nothing was read or published`, {
        target: where,
        hint: 'mirror this source without --repo-gpgcheck (repo_gpgcheck=0), or ask its publisher to sign repodata/repomd.xml',
      });
    }
    const check = await checkSignature(repomd, signature.toString('utf8'), keys.armored.join('\n'), env);
    if (!check.good) {
      throw new OvirtRepoError(ErrorCodes.GPGCHECK, `${where} does not verify ${redactUrl(repomdUrl.href)} with any of the keys given (key ID ${expected})${check.detail ? `: ${check.detail}` : ''}; nothing was read or published`, {
        target: where,
        hint: 'the mirror serves metadata its publisher did not sign (altered, or out of date with its signature), or the publisher signs with another key: give that one with --gpg-key',
      });
    }
  };
}
