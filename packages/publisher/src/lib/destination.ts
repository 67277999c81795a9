import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { hashBuffer, isOvirtRepoError, parseRepomd, readRepo, readTargetFile, type Logger, type PackageRecord, type Repomd, type SyncTarget, type TargetEntry } from '@ovirt-repo/core';
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
      await mkdir(dirname(dest), { recursive: true });
      await pipeline(await target.read(record.location.href), createWriteStream(dest));
    }
    await mkdir(join(local, 'repodata'), { recursive: true });
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

