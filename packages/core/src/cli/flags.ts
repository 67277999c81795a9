import { Flags } from '@oclif/core';

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
