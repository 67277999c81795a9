import { ErrorCodes, OvirtRepoError, repoConfigFor, requireStore, type LoadedConfig, type NetworkSettings } from '@ovirt-repo/core';
import { splitList } from '../select/glob.js';
import type { VerifySettings } from '../source/repo-config.js';
import type { SyncMode } from '../store/snapshot-record.js';
import type { SyncOptions } from './options.js';

/** What a caller gives for one sync (the command line of `mirror sync`), beating ovirt-repo.yaml; undefined: not given. */
export interface SyncOverrides {
  from?: string[];
  config?: string;
  section?: string;
  vars?: Record<string, string>;
  mode?: SyncMode;
  keepVersions?: number;
  arch?: string[];
  include?: string[];
  exclude?: string[];
  newestOnly?: boolean;
  workers?: number;
  timeoutMs?: number;
  retries?: number;
  minRate?: number;
  mirrorBudgetMs?: number;
  maxMetadataSize?: number;
  /** --proxy/--no-proxy, --ca-cert, --client-cert, --client-key. */
  network?: NetworkSettings;
  /** --sign-key, --sign-command, --sign-public-key. */
  signKey?: string;
  signCommand?: string;
  signPublicKey?: string;
  /** --gpgcheck, --repo-gpgcheck, --gpg-key. */
  verify?: VerifySettings;
}

/**
 * Merge what the caller gives (the command line) with the repo's entry in ovirt-repo.yaml (or its
 * `defaults`): a given value beats the file, which beats the built-in default. Sources: `--from`/`--config` replace the configured
 * source/sources/config entirely.
 */
export function syncOptionsFor(repo: string, flags: SyncOverrides, loaded: LoadedConfig): Omit<SyncOptions, 'logger'> {
  const rc = repoConfigFor(loaded.config, repo);
  const fromFlags = (flags.from?.length ?? 0) > 0 || flags.config !== undefined;
  const mode = flags.mode ?? rc.mode;
  const config = flags.config
    ? { file: flags.config, section: flags.section, vars: flags.vars }
    : !fromFlags && rc.config
      ? { file: rc.config.file, section: rc.config.section, vars: flags.vars }
      : undefined;
  const arch = flags.arch?.length ? splitList(flags.arch) : rc.arch;
  return {
    store: requireStore(loaded.config),
    ...(loaded.config.s3 ? { s3: loaded.config.s3 } : {}),
    repo,
    from: fromFlags ? (flags.from ?? []) : rc.sources,
    ...(config ? { config } : {}),
    mode,
    ...(arch?.length ? { arch } : {}),
    include: flags.include?.length ? flags.include : rc.include,
    exclude: flags.exclude?.length ? flags.exclude : rc.exclude,
    newestOnly: flags.newestOnly ?? rc.newestOnly,
    ...(flags.keepVersions !== undefined ? { keepVersions: flags.keepVersions } : mode === 'additive' && rc.keepVersions !== undefined ? { keepVersions: rc.keepVersions } : {}),
    ...(loaded.config.baseUrl ? { baseUrl: loaded.config.baseUrl } : {}),
    workers: flags.workers ?? loaded.config.sync.workers,
    maxMetadataSize: flags.maxMetadataSize ?? loaded.config.sync.maxMetadataSize,
    ...networkOptions(flags, loaded.config.sync),
    ...(flags.network ? { network: flags.network } : {}),
    ...(loaded.config.network ? { networkDefaults: loaded.config.network } : {}),
    ...signOptions(flags, rc),
    ...(flags.verify ? { verify: flags.verify } : {}),
    ...(rc.gpgcheck !== undefined || rc.repoGpgcheck !== undefined || rc.gpgKeys ? { verifyDefaults: { gpgcheck: rc.gpgcheck, repoGpgcheck: rc.repoGpgcheck, gpgKeys: rc.gpgKeys } } : {}),
  };
}

/**
 * How the repo's snapshots are signed: a flag naming a signer (key or command) replaces the repo's signer
 * in ovirt-repo.yaml as a whole, as for publish; --sign-public-key beats signPublicKey.
 */
function signOptions(flags: SyncOverrides, rc: ReturnType<typeof repoConfigFor>): Pick<SyncOptions, 'sign'> {
  const fromFlags = flags.signKey !== undefined || flags.signCommand !== undefined;
  const key = fromFlags ? flags.signKey : rc.signKey;
  const command = fromFlags ? flags.signCommand : rc.signCommand;
  const publicKeyFile = flags.signPublicKey ?? rc.signPublicKey;
  if (key === undefined && command === undefined) {
    if (flags.signPublicKey !== undefined) {
      throw new OvirtRepoError(ErrorCodes.USAGE, '--sign-public-key is given but nothing signs', { hint: 'Add --sign-key KEYID or --sign-command CMD (or signKey/signCommand for the repo in ovirt-repo.yaml).' });
    }
    return {};
  }
  return { sign: { ...(key === undefined ? {} : { key }), ...(command === undefined ? {} : { command }), ...(publicKeyFile === undefined ? {} : { publicKeyFile }) } };
}

/** The network limits: a flag beats `sync:` in ovirt-repo.yaml (seconds there); unset, syncRepo's defaults. */
function networkOptions(flags: SyncOverrides, sync: LoadedConfig['config']['sync']): Pick<SyncOptions, 'timeoutMs' | 'retries' | 'minRate' | 'mirrorBudgetMs'> {
  const timeoutMs = flags.timeoutMs ?? (sync.timeout === undefined ? undefined : sync.timeout * 1000);
  const retries = flags.retries ?? sync.retries;
  const minRate = flags.minRate ?? sync.minRate;
  const mirrorBudgetMs = flags.mirrorBudgetMs ?? (sync.mirrorBudget === undefined ? undefined : sync.mirrorBudget * 1000);
  return {
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(retries === undefined ? {} : { retries }),
    ...(minRate === undefined ? {} : { minRate }),
    ...(mirrorBudgetMs === undefined ? {} : { mirrorBudgetMs }),
  };
}
