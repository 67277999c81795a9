import { resolve } from 'node:path';
import { DEFAULT_MAX_METADATA_SIZE } from '../repodata/metadata-limits.js';
import { normalizeBaseUrl, resolveDestination, resolveLocation } from './locations.js';
import type { ConfigFile, RepoMode } from './schema.js';

/**
 * The effective configuration: what the commands use, after defaults are filled in and paths are made
 * absolute (relative to the configuration file's directory). Key names match ovirt-repo.yaml, so
 * `ovirt-repo config show` output is itself a valid configuration file. Durations are seconds, sizes bytes.
 */
export interface OvirtRepoConfig {
  /** The store: a directory (absolute) or a URL. Unset when neither the file, OVIRT_REPO_STORE nor --store gives one. */
  store?: string;
  /** The URL the store is served at, without a trailing slash. Defaults to the store's file:// URL. */
  baseUrl?: string;
  /** How an s3:// store is reached, where set (the rest comes from the AWS environment). */
  s3?: S3Config;
  /** `inject:` of the file, where set. */
  inject?: { require?: string[] };
  /** What a repo that does not set a value gets, also used for repos found in the store but not configured. */
  defaults: RepoDefaults;
  /** Configured repos by name. */
  repos: Record<string, RepoConfig>;
  /** Publish destinations by name. */
  publish: Record<string, PublishConfig>;
  sync: SyncConfig;
  /** Proxy and TLS certificates for upstream fetches, where set. */
  network?: NetworkConfig;
}

export type { RepoMode } from './schema.js';

/** How upstream servers are reached (`network:`); PEM paths absolute. */
export interface NetworkConfig {
  proxy?: string;
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
}

export interface S3Config {
  endpoint?: string;
  region?: string;
  profile?: string;
}

/** What `ovirt-repo gc` keeps. Unset values do not limit. */
export interface RetentionConfig {
  /** Seconds: snapshots older than this may be removed. */
  maxAge?: number;
  /** This many newest snapshots are always kept. */
  keep?: number;
}

interface RepoSettings {
  mode: RepoMode;
  /** Architectures kept; unset keeps all. */
  arch?: string[];
  /** yum includepkgs globs; empty includes all. */
  include: string[];
  /** yum exclude globs. */
  exclude: string[];
  newestOnly: boolean;
  retention: RetentionConfig;
}

export interface RepoDefaults extends RepoSettings {
  /** Versions kept per name.arch by additive repos. */
  keepVersions: number;
}

export interface RepoConfig extends RepoSettings {
  /** Sources (URLs, or absolute paths); empty for a repo fed only by `--from` or by `config`. */
  sources: string[];
  /** The yum/reposync config section to take the source and filters from. */
  config?: ReposyncConfigRef;
  /** Versions kept per name.arch; set for additive repos only. */
  keepVersions?: number;
  /** `mirror sync` signs each snapshot's repomd.xml with this gpg key. */
  signKey?: string;
  /** ... or with this external signer (stdin -> armoured signature). */
  signCommand?: string;
  /** The signer's public key file (absolute). */
  signPublicKey?: string;
  /** mirror sync --gpgcheck, --repo-gpgcheck and --gpg-key (keys: URLs, or absolute paths). */
  gpgcheck?: boolean;
  repoGpgcheck?: boolean;
  gpgKeys?: string[];
}

export interface ReposyncConfigRef {
  /** Absolute path of the yum/reposync config file. */
  file: string;
  section: string;
}

export interface PublishConfig {
  /** The configured repo whose latest snapshot is published. */
  from: string;
  /** Sync-target URL, `host:path`, or an absolute path. */
  to: string;
  keepDays: number;
  keepVersions?: number;
  keepMetadataDays: number;
  /** Publish a source older than what the destination publishes instead of refusing it. Unset: refuse. */
  allowOlder?: boolean;
  /** Sign repomd.xml with this gpg key. */
  signKey?: string;
  /** Sign repomd.xml with this external signer (stdin -> armoured signature). */
  signCommand?: string;
  /** The signer's public key file (absolute). */
  signPublicKey?: string;
  /** Where the public key is published on the destination. */
  publicKeyPath?: string;
}

export interface SyncConfig {
  /** Repos `mirror sync --all` syncs at once. */
  parallel: number;
  /** Package downloads in flight per sync. */
  workers: number;
  /** Network idle timeout and the window of minRate, in seconds (unset: mirror sync's default). */
  timeout?: number;
  /** Retries of a transient network failure (unset: mirror sync's default). */
  retries?: number;
  /** Minimum download rate in bytes per second (unset: mirror sync's default). */
  minRate?: number;
  /** The whole time for finding a usable mirror of a list, in seconds (unset: mirror sync's default). */
  mirrorBudget?: number;
  /** Bytes a source's metadata file may have, downloaded or decompressed, where repomd.xml does not bound it. */
  maxMetadataSize: number;
}

/** Built-in values for every setting the file leaves out. */
export const CONFIG_DEFAULTS = {
  mode: 'mirror' as RepoMode,
  newestOnly: false,
  keepVersions: 1,
  publish: { keepDays: 14, keepMetadataDays: 2 },
  sync: { parallel: 4, workers: 8, maxMetadataSize: DEFAULT_MAX_METADATA_SIZE },
} as const;

/** Fill defaults and resolve paths against `dir` (the configuration file's directory). */
export function resolveConfig(file: ConfigFile, dir: string): OvirtRepoConfig {
  const d = file.defaults ?? {};
  const sync = file.sync ?? {};
  const defaults: RepoDefaults = {
    mode: d.mode ?? CONFIG_DEFAULTS.mode,
    ...(d.arch === undefined ? {} : { arch: list(d.arch) }),
    include: list(d.include),
    exclude: list(d.exclude),
    newestOnly: d.newestOnly ?? CONFIG_DEFAULTS.newestOnly,
    keepVersions: d.keepVersions ?? CONFIG_DEFAULTS.keepVersions,
    retention: { ...d.retention },
  };

  const repos: Record<string, RepoConfig> = {};
  for (const [name, value] of Object.entries(file.repos ?? {})) {
    const r = value ?? {};
    const mode = r.mode ?? defaults.mode;
    const arch = r.arch === undefined ? defaults.arch : list(r.arch);
    const reposync = r.config === undefined ? undefined : typeof r.config === 'string' ? { file: r.config } : r.config;
    repos[name] = {
      sources: [...(r.source === undefined ? [] : [r.source]), ...(r.sources ?? [])].map((s) => resolveLocation(dir, s)),
      ...(reposync ? { config: { file: resolve(dir, reposync.file), section: reposync.section ?? name } } : {}),
      mode,
      ...(arch === undefined ? {} : { arch: [...arch] }),
      include: r.include === undefined ? [...defaults.include] : list(r.include),
      exclude: r.exclude === undefined ? [...defaults.exclude] : list(r.exclude),
      newestOnly: r.newestOnly ?? defaults.newestOnly,
      ...(mode === 'additive' ? { keepVersions: r.keepVersions ?? defaults.keepVersions } : {}),
      retention: { ...defaults.retention, ...r.retention },
      ...(r.signKey === undefined ? {} : { signKey: r.signKey }),
      ...(r.signCommand === undefined ? {} : { signCommand: r.signCommand }),
      ...(r.signPublicKey === undefined ? {} : { signPublicKey: resolve(dir, r.signPublicKey) }),
      ...(r.gpgcheck === undefined ? {} : { gpgcheck: r.gpgcheck }),
      ...(r.repoGpgcheck === undefined ? {} : { repoGpgcheck: r.repoGpgcheck }),
      ...(r.gpgKeys === undefined ? {} : { gpgKeys: r.gpgKeys.map((k) => resolveLocation(dir, k)) }),
    };
  }

  const publish: Record<string, PublishConfig> = {};
  for (const [name, p] of Object.entries(file.publish ?? {})) {
    publish[name] = {
      from: p.from,
      to: resolveDestination(dir, p.to),
      keepDays: p.keepDays ?? CONFIG_DEFAULTS.publish.keepDays,
      ...(p.keepVersions === undefined ? {} : { keepVersions: p.keepVersions }),
      keepMetadataDays: p.keepMetadataDays ?? CONFIG_DEFAULTS.publish.keepMetadataDays,
      ...(p.allowOlder === undefined ? {} : { allowOlder: p.allowOlder }),
      ...(p.signKey === undefined ? {} : { signKey: p.signKey }),
      ...(p.signCommand === undefined ? {} : { signCommand: p.signCommand }),
      ...(p.signPublicKey === undefined ? {} : { signPublicKey: resolve(dir, p.signPublicKey) }),
      ...(p.publicKeyPath === undefined ? {} : { publicKeyPath: p.publicKeyPath }),
    };
  }

  return {
    ...(file.store === undefined ? {} : { store: resolveLocation(dir, file.store) }),
    ...(file.baseUrl === undefined ? {} : { baseUrl: normalizeBaseUrl(file.baseUrl) }),
    ...(file.s3 ? { s3: { ...file.s3 } } : {}),
    ...(file.inject?.require ? { inject: { require: [...file.inject.require] } } : {}),
    ...(file.network ? { network: resolveNetwork(file.network, dir) } : {}),
    defaults,
    repos,
    publish,
    sync: {
      parallel: sync.parallel ?? CONFIG_DEFAULTS.sync.parallel,
      workers: sync.workers ?? CONFIG_DEFAULTS.sync.workers,
      maxMetadataSize: sync.maxMetadataSize ?? CONFIG_DEFAULTS.sync.maxMetadataSize,
      ...(sync.timeout === undefined ? {} : { timeout: sync.timeout }),
      ...(sync.retries === undefined ? {} : { retries: sync.retries }),
      ...(sync.minRate === undefined ? {} : { minRate: sync.minRate }),
      ...(sync.mirrorBudget === undefined ? {} : { mirrorBudget: sync.mirrorBudget }),
    },
  };
}

/**
 * The settings for repo `name`: its entry when configured, otherwise one made from `defaults` (for repos that
 * exist in the store without being configured, such as experimental repos deploy jobs created).
 */
export function repoConfigFor(config: OvirtRepoConfig, name: string): RepoConfig {
  const configured = Object.hasOwn(config.repos, name) ? config.repos[name] : undefined;
  if (configured) return configured;
  const { keepVersions, ...settings } = config.defaults;
  return {
    sources: [],
    ...settings,
    include: [...settings.include],
    exclude: [...settings.exclude],
    ...(settings.arch ? { arch: [...settings.arch] } : {}),
    retention: { ...settings.retention },
    ...(settings.mode === 'additive' ? { keepVersions } : {}),
  };
}

function resolveNetwork(n: NonNullable<ConfigFile['network']>, dir: string): NetworkConfig {
  const out: NetworkConfig = n.proxy === undefined ? {} : { proxy: n.proxy };
  for (const key of ['caCert', 'clientCert', 'clientKey'] as const) {
    const value = n[key];
    if (value !== undefined) out[key] = resolve(dir, value);
  }
  return out;
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
}
