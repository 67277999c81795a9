import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  ErrorCodes,
  OvirtRepoError,
  hashBuffer,
  isOvirtRepoError,
  parseRepomd,
  readRepo,
  readTargetFile,
  type Logger,
  type PackageRecord,
  type Repomd,
  type SyncTarget,
  type TargetEntry,
  makeDirectory,
} from '@ovirt-repo/core';
import { HISTORY_PATH, emptyHistory, parseHistory, type PublishHistory } from './history.js';
import { REPOMD_PATH, packageKey } from './layout.js';
import type { PackageInfo } from './plan.js';
import type { LiveGeneration } from './reconcile.js';

export interface DestinationState {
  history: PublishHistory;
  /** The history file's bytes as read (undefined when absent). */
  historyText?: string;
  live?: { repomd: Repomd; bytes: Buffer; info: LiveGeneration; records: Map<string, PackageRecord> };
  files: TargetEntry[];
}

const SHOWN = 5;

/**
 * Refuse a destination that holds files but is not one of ours, before anything is written to it (the lock
 * included): a web server's document root given by mistake must not get our packages/, repodata/ and
 * .ovirt-repo/ mixed into its files, nor lose files of its own below packages/ or repodata/ to pruning.
 * Ours: a directory with .ovirt-repo/ (the history, or the lock of a publish killed before writing it) or
 * a YUM repository to adopt (repodata/repomd.xml). A missing or empty directory is a new destination.
 */
export async function assertPublishDestination(target: SyncTarget): Promise<void> {
  const where = target.location;
  for (const mark of [posix.dirname(HISTORY_PATH), REPOMD_PATH]) if (await target.stat(mark)) return;
  const files = (await target.list('')).map((f) => f.path).sort();
  // .ovirt-repo/ may have appeared since the stat above: another publisher taking its lock on a new destination.
  if (files.length === 0 || files.some((f) => f.startsWith(`${posix.dirname(HISTORY_PATH)}/`))) return;
  const shown = files.slice(0, SHOWN).join(', ') + (files.length > SHOWN ? ` and ${files.length - SHOWN} more` : '');
  throw new OvirtRepoError(
    ErrorCodes.TARGET,
    `Refusing to publish into ${where}: it holds ${files.length === 1 ? '1 file' : `${files.length} files`}: ${shown}; it is neither a publish destination (no ${HISTORY_PATH}) nor a YUM repository (no ${REPOMD_PATH})`,
    {
      target: where,
      hint: `Publish into a new or empty directory (publish creates it), for example ${where.replace(/\/+$/, '')}/latest.tested, or move those files away first. Destinations publish wrote, and existing YUM repositories, are always accepted.`,
      data: { files: files.length, shown: files.slice(0, SHOWN) },
    },
  );
}

/** The destination as it is: history file, live repomd.xml and the records it lists, and every file. */
export async function readDestination(target: SyncTarget, work: string, log: Logger): Promise<DestinationState> {
  const files = await target.list('');
  const has = new Set(files.map((f) => f.path));
  let history = emptyHistory();
  let historyText: string | undefined;
  if (has.has(HISTORY_PATH)) {
    historyText = (await readTargetFile(target, HISTORY_PATH)).toString('utf8');
    try {
      history = parseHistory(historyText, `${target.location}/${HISTORY_PATH}`);
    } catch (e) {
      if (!isOvirtRepoError(e)) throw e;
      log.warn(`${e.describe()}\nRebuilding the history from the live repodata.`);
    }
  }
  if (!has.has(REPOMD_PATH)) return { history, historyText, files };
  const bytes = await readTargetFile(target, REPOMD_PATH);
  const where = `${target.location}/${REPOMD_PATH}`;
  let repomd: Repomd;
  try {
    repomd = parseRepomd(bytes, where);
  } catch (e) {
    if (!isOvirtRepoError(e)) throw e;
    log.warn(`${e.describe()}\nThe destination's repomd.xml is unreadable; publishing a fresh generation over it.`);
    return { history, historyText, files };
  }
  const records = new Map<string, PackageRecord>();
  const packages: PackageInfo[] = [];
  try {
    const local = join(work, 'destination');
    for (const record of repomd.records.filter((r) => ['primary', 'filelists', 'other'].includes(r.type))) {
      const dest = join(local, ...record.location.href.split('/'));
      await makeDirectory(dirname(dest));
      await pipeline(await target.read(record.location.href), createWriteStream(dest));
    }
    await makeDirectory(join(local, 'repodata'));
    await writeFile(join(local, 'repodata', 'repomd.xml'), bytes);
    for await (const p of (await readRepo(local)).packages()) {
      const key = packageKey(p.checksum);
      records.set(key, p);
      packages.push({ key, href: p.location.href, name: p.name, arch: p.arch, epoch: p.epoch, version: p.version, release: p.release, size: p.size.package });
    }
  } catch (e) {
    if (!isOvirtRepoError(e)) throw e;
    // A damaged destination is what a publish repairs: go on without its records (its history packages
    // cannot be listed again) rather than refuse to publish.
    log.warn(`The live metadata of ${where} is damaged (${e.describe()}); publishing a fresh generation without its history packages.`);
    records.clear();
    packages.length = 0;
  }
  const info: LiveGeneration = {
    sha256: hashBuffer(bytes, 'sha256').value,
    size: bytes.length,
    revision: repomd.revision ?? '',
    metadata: repomd.records.map((r) => r.location.href),
    packages,
  };
  return { history, historyText, live: { repomd, bytes, info, records }, files };
}

/** Paths the live repomd.xml needs: its metadata files and its packages. */
export function protectedByLive(dest: DestinationState): Set<string> {
  const out = new Set<string>([REPOMD_PATH, HISTORY_PATH]);
  for (const m of dest.live?.info.metadata ?? []) out.add(m);
  for (const p of dest.live?.info.packages ?? []) {
    out.add(p.href);
    out.add(p.href.split('/').slice(0, 3).join('/'));
  }
  return out;
}

