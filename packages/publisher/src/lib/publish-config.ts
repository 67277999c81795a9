import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, OvirtRepoError, loadConfig, type LoadConfigOptions, type LoadedConfig, type NetworkSettings, type SignOptions } from '@ovirt-repo/core';

/** What the command line gave; unset values come from `publish.<name>` in ovirt-repo.yaml, then defaults. */
export interface PublishRequest {
  name?: string;
  from?: string;
  fromLock?: string;
  repo?: string;
  to?: string;
  keepDays?: number;
  keepVersions?: number;
  keepMetadataDays?: number;
  allowOlder?: boolean;
  signKey?: string;
  signCommand?: string;
  signPublicKey?: string;
  publicKeyPath?: string;
}

export interface ResolvedPublishRequest {
  from?: string;
  fromLock?: string;
  repo?: string;
  to: string;
  keepDays: number;
  keepVersions?: number;
  keepMetadataDays: number;
  allowOlder: boolean;
  sign?: SignOptions;
  /** `network:` of ovirt-repo.yaml (paths resolved), which the command's flags beat. */
  network?: NetworkSettings;
}

export const DEFAULT_KEEP_DAYS = 14;
export const DEFAULT_KEEP_METADATA_DAYS = 2;

/**
 * Merge the command line with `publish.<name>` of the config file (flags win). Without --from or
 * --from-lock, a named destination publishes the latest snapshot of its `from` repo in the configured store;
 * with --from-lock, `from` is the repo id looked up in the lock.
 */
export async function resolvePublishRequest(req: PublishRequest, configOptions: LoadConfigOptions = {}): Promise<ResolvedPublishRequest> {
  const loaded = await loadConfig(configOptions);
  const named = req.name === undefined ? undefined : namedDestination(req.name, loaded);
  const to = req.to ?? named?.entry.to;
  if (!to) {
    throw new OvirtRepoError(ErrorCodes.USAGE, 'no destination: give --to DEST or the name of a publish destination in ovirt-repo.yaml', {
      hint: 'e.g. ovirt-repo publish --from-lock run.lock.json --repo experimental-master-el9 --to /srv/latest.tested',
    });
  }
  const resolved: ResolvedPublishRequest = {
    from: req.from,
    fromLock: req.fromLock,
    repo: req.repo ?? (req.fromLock ? named?.entry.from : undefined),
    to,
    keepDays: req.keepDays ?? named?.entry.keepDays ?? DEFAULT_KEEP_DAYS,
    keepVersions: req.keepVersions ?? named?.entry.keepVersions,
    keepMetadataDays: req.keepMetadataDays ?? named?.entry.keepMetadataDays ?? DEFAULT_KEEP_METADATA_DAYS,
    allowOlder: req.allowOlder ?? named?.entry.allowOlder ?? false,
    ...(loaded.config.network ? { network: loaded.config.network } : {}),
  };
  const sign = signOptions(req, named?.entry);
  if (sign) resolved.sign = sign;
  if (resolved.fromLock && !resolved.repo) {
    throw new OvirtRepoError(ErrorCodes.USAGE, '--from-lock needs --repo ID (or a named destination whose `from` is the repo)', {
      hint: 'e.g. --from-lock run.lock.json --repo experimental-master-el9',
    });
  }
  if (!resolved.from && !resolved.fromLock) {
    if (!named) {
      throw new OvirtRepoError(ErrorCodes.USAGE, 'nothing to publish: give --from SOURCE, --from-lock FILE --repo ID, or a destination name', {
        hint: 'see ovirt-repo publish --help',
      });
    }
    resolved.from = await latestSnapshotDir(named.store, named.entry.from, named.file);
  }
  return resolved;
}

type PublishConfigEntry = ReturnType<typeof namedDestination>['entry'];

function namedDestination(name: string, { config, file }: LoadedConfig) {
  const entry = config.publish[name];
  if (!entry) {
    const known = Object.keys(config.publish);
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `no publish destination "${name}" in ${file ?? 'the configuration (no ovirt-repo.yaml found)'}`, {
      target: file,
      hint: known.length ? `known destinations: ${known.join(', ')}` : 'add it under publish: in ovirt-repo.yaml (see docs/config.md)',
    });
  }
  return { entry, store: config.store, file };
}

async function latestSnapshotDir(store: string | undefined, repo: string, file: string | undefined): Promise<string> {
  if (!store) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `publishing the latest snapshot of "${repo}" needs the store directory`, {
      target: file,
      hint: 'set store: in ovirt-repo.yaml, OVIRT_REPO_STORE, or give --from/--from-lock',
    });
  }
  // The store's latest pointer is read here as a file: a store that is no directory on this machine (an
  // s3:// store) is published from its snapshot's URL instead.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(store) && !store.startsWith('file://')) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `publishing the latest snapshot of "${repo}" by name reads the store ${store} as a directory on this machine, which it is not`, {
      target: file,
      hint: `give the snapshot's URL (as readers get it: \`ovirt-repo snapshot list ${repo} --store ${store} --base-url URL --json\`) with --from, or publish from an inject lock file with --from-lock`,
    });
  }
  if (store.startsWith('file://')) store = fileURLToPath(store);
  const latestFile = join(store, 'yum', repo, 'latest.txt');
  let id: string;
  try {
    id = (await readFile(latestFile, 'utf8')).trim();
  } catch {
    throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `repo "${repo}" has no snapshot in the store ${store}`, {
      target: latestFile,
      hint: `sync it first: ovirt-repo mirror sync ${repo} --from ...`,
    });
  }
  // latest.txt is written by the store's own writers, but it is still input: it must name one path segment.
  if (!/^[0-9A-Za-z][0-9A-Za-z.:_+-]*$/.test(id)) {
    throw new OvirtRepoError(ErrorCodes.STORE, `${latestFile} does not hold a snapshot id: "${id.slice(0, 80)}"`, { target: latestFile });
  }
  return join(store, 'yum', repo, id);
}

/**
 * Signing settings: a flag naming a signer replaces the destination's signer (key or command) as a whole,
 * so --sign-command on the command line is not refused for the signKey of the config file.
 */
function signOptions(req: PublishRequest, entry: PublishConfigEntry | undefined): SignOptions | undefined {
  const fromFlags = req.signKey !== undefined || req.signCommand !== undefined;
  const key = fromFlags ? req.signKey : entry?.signKey;
  const command = fromFlags ? req.signCommand : entry?.signCommand;
  const publicKeyFile = req.signPublicKey ?? entry?.signPublicKey;
  const publicKeyPath = req.publicKeyPath ?? entry?.publicKeyPath;
  if (key === undefined && command === undefined) {
    if (publicKeyFile !== undefined || publicKeyPath !== undefined) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `${publicKeyFile !== undefined ? '--sign-public-key' : '--public-key-path'} is given but nothing signs`, {
        hint: 'Add --sign-key KEYID or --sign-command CMD (or signKey/signCommand in ovirt-repo.yaml).',
      });
    }
    return undefined;
  }
  return {
    ...(key === undefined ? {} : { key }),
    ...(command === undefined ? {} : { command }),
    ...(publicKeyFile === undefined ? {} : { publicKeyFile }),
    ...(publicKeyPath === undefined ? {} : { publicKeyPath }),
  };
}
