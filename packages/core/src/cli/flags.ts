import { Flags } from '@oclif/core';
import type { NetworkSettings } from '../uri/network.js';

/**
 * Flags shared by several commands, defined once so every command spells and documents them the same way.
 * Commands pick what they need: `static flags = { store: sharedFlags.store(), ... }`.
 */
export const sharedFlags = {
  store: Flags.custom<string>({
    summary: 'Store directory (holds yum/<repo>/<snapshot>/ and the package pool).',
    env: 'OVIRT_REPO_STORE',
    helpValue: 'PATH',
  }),
  baseUrl: Flags.custom<string>({
    summary: 'URL at which the store is served; used in index files. Defaults to the store\'s file:// URL.',
    env: 'OVIRT_REPO_BASE_URL',
    helpValue: 'URL',
  }),
  config: Flags.custom<string>({
    summary: 'Configuration file (default: ./ovirt-repo.yaml when present).',
    env: 'OVIRT_REPO_CONFIG',
    helpValue: 'FILE',
  }),
  workers: Flags.custom<number>({
    summary: 'Parallel workers (default: number of CPUs).',
    helpValue: 'N',
    parse: async (input) => {
      const n = Number(input);
      if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`--workers must be a whole number from 1 to 256, got "${input}"`);
      return n;
    },
  }),
  compress: Flags.custom<'gz' | 'xz' | 'zstd'>({
    summary: 'Compression of the metadata files.',
    options: ['gz', 'xz', 'zstd'],
    default: 'gz',
  }),
  checksum: Flags.custom<'sha256' | 'sha512'>({
    summary: 'Checksum type for packages and metadata.',
    options: ['sha256', 'sha512'],
    default: 'sha256',
  }),
  revision: Flags.custom<string>({
    summary: 'Repomd revision. Defaults to SOURCE_DATE_EPOCH when set, else the current time.',
    helpValue: 'STRING',
  }),
};

/**
 * The TLS material a command that reads https URLs shows and trusts, each flag mirroring a yum option:
 * `static flags = { ...tlsFlags }` (inject, lock verify), then `networkFlagValues(this.flags)`.
 */
export const tlsFlags = {
  'ca-cert': Flags.string({ summary: "PEM file of the CA(s) server certificates must chain to, instead of the system's (yum's sslcacert).", helpValue: 'FILE' }),
  'client-cert': Flags.string({ summary: "PEM file of the client certificate for servers that require one (yum's sslclientcert).", helpValue: 'FILE' }),
  'client-key': Flags.string({ summary: "PEM file of the client certificate's key (yum's sslclientkey; default: in --client-cert).", helpValue: 'FILE', dependsOn: ['client-cert'] }),
};

/**
 * How a command that fetches from upstream servers reaches them (mirror sync, publish --from URL), each flag
 * mirroring a yum option: `static flags = { ...networkFlags }`, then `networkFlagValues(this.flags)`.
 */
export const networkFlags = {
  proxy: Flags.string({
    summary: "Fetch upstream through this proxy (yum's proxy=; default: http_proxy/https_proxy, hosts in no_proxy excepted).",
    helpValue: 'URL',
    exclusive: ['no-proxy'],
  }),
  'no-proxy': Flags.boolean({ summary: "Use no proxy, whatever http_proxy/https_proxy and the config say (yum's proxy=_none_).", default: false }),
  ...tlsFlags,
};

/** The NetworkSettings the networkFlags give (only those given: they beat config files). */
export function networkFlagValues(flags: { proxy?: string | undefined; 'no-proxy'?: boolean | undefined; 'ca-cert'?: string | undefined; 'client-cert'?: string | undefined; 'client-key'?: string | undefined }): NetworkSettings {
  const proxy = flags['no-proxy'] ? 'none' : flags.proxy;
  return {
    ...(proxy === undefined ? {} : { proxy }),
    ...(flags['ca-cert'] === undefined ? {} : { caCert: flags['ca-cert'] }),
    ...(flags['client-cert'] === undefined ? {} : { clientCert: flags['client-cert'] }),
    ...(flags['client-key'] === undefined ? {} : { clientKey: flags['client-key'] }),
  };
}

/** How repodata/repomd.xml is signed, at publish and at mirror sync (docs/trust.md): one wording for both. */
export const signFlags = {
  'sign-key': Flags.string({
    summary: 'Sign repodata/repomd.xml with this gpg key (repomd.xml.asc); GNUPGHOME is honoured.',
    description: 'Runs gpg --batch --armor --detach-sign --local-user KEYID; the signature is verified against the exported public key before anything is published. See docs/trust.md.',
    helpValue: 'KEYID',
    exclusive: ['sign-command'],
  }),
  'sign-command': Flags.string({
    summary: 'Sign repodata/repomd.xml with an external signer: repomd.xml on stdin, an armoured detached signature on stdout.',
    description: 'Run without a shell: the words are split on spaces (no quoting, no variables; write a script for more). Killed after 60 s or 64 KiB of output. Needs --sign-public-key.',
    helpValue: 'CMD',
    exclusive: ['sign-key'],
  }),
  'sign-public-key': Flags.string({ summary: "The signer's ASCII-armoured public key; signatures are verified against it before publishing (default with --sign-key: exported from gpg).", helpValue: 'FILE' }),
};
