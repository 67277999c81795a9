import { ErrorCodes, OvirtRepoError, readPublicKeys, type ClientNetwork } from '@ovirt-repo/core';
import type { VerifySettings } from '../../source/repo-config.js';
import type { SyncContext } from '../context.js';

/**
 * --gpgcheck, --repo-gpgcheck and --gpg-key, each beating the config section's gpgcheck=, repo_gpgcheck=,
 * gpgkey=, which beat ovirt-repo.yaml's gpgcheck, repoGpgcheck, gpgKeys; the keys read once (bounded, with
 * the sync's proxy and TLS settings). Undefined when nothing is to be checked.
 */
export async function openVerify(flags: VerifySettings | undefined, section: VerifySettings, defaults: VerifySettings | undefined, network: ClientNetwork): Promise<SyncContext['verify']> {
  const layers = [flags, section, defaults];
  const packages = layers.map((l) => l?.gpgcheck).find((v) => v !== undefined) ?? false;
  const repomd = layers.map((l) => l?.repoGpgcheck).find((v) => v !== undefined) ?? false;
  if (!packages && !repomd) return undefined;
  const keys = layers.map((l) => l?.gpgKeys).find((k) => k !== undefined && k.length > 0) ?? [];
  if (keys.length === 0) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `${packages ? '--gpgcheck' : '--repo-gpgcheck'} needs the public keys to check against, and none was given`, {
      hint: 'add --gpg-key FILE|URL (repeatable), gpgkey=URL in the config section, or gpgKeys in ovirt-repo.yaml; e.g. --gpg-key https://www.centos.org/keys/RPM-GPG-KEY-CentOS-Official',
    });
  }
  const env = process.env;
  return { keys: await readPublicKeys(keys, { env, read: { network } }), packages, repomd, env };
}
