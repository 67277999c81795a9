import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { humanBytes, mapLimit, plural, putAll, type Logger, type PackageRecord, type SyncTarget, makeDirectory } from '@ovirt-repo/core';
import { downloadVerified } from './download.js';
import type { HistoryPackage } from './history.js';
import { packageFileName, packageHref, packageKey } from './layout.js';
import type { PackageInfo, PublishPlan } from './plan.js';
import type { SourceRepo } from './source.js';

const UPLOAD_CHUNK = 32;

/** A source package: what planning needs, and the record it came from. */
export interface SourcePackage extends PackageInfo {
  record: PackageRecord;
}

export function packageInfo(p: PackageRecord, known: Record<string, HistoryPackage>, source: string): SourcePackage {
  const key = packageKey(p.checksum);
  // A package the destination already holds keeps its place (even under an older layout).
  const href = known[key]?.href ?? packageHref(p.checksum, packageFileName(p.location.href, source));
  return { key, href, name: p.name, arch: p.arch, epoch: p.epoch, version: p.version, release: p.release, size: p.size.package, record: p };
}

export function uniqueByKey(infos: SourcePackage[]): SourcePackage[] {
  const seen = new Map<string, SourcePackage>();
  for (const p of infos) if (!seen.has(p.key)) seen.set(p.key, p);
  return [...seen.values()];
}

/** Copy the source packages the destination lacks: download (verified) in chunks, upload each chunk. */
export async function uploadPackages(
  target: SyncTarget,
  source: SourceRepo,
  infos: SourcePackage[],
  present: Map<string, number>,
  work: string,
  workers: number,
  log: Logger,
): Promise<{ count: number; bytes: number }> {
  const missing = infos.filter((p) => present.get(p.href) !== p.size);
  if (missing.length === 0) return { count: 0, bytes: 0 };
  const progress = log.progress('Copying packages', missing.length, missing.reduce((n, p) => n + p.size, 0));
  const dir = join(work, 'packages');
  await makeDirectory(dir);
  let bytes = 0;
  for (let i = 0; i < missing.length; i += UPLOAD_CHUNK) {
    const chunk = missing.slice(i, i + UPLOAD_CHUNK);
    const items = await mapLimit(chunk, workers, async (info, j) => {
      const record = info.record;
      const local = join(dir, `${i + j}.rpm`);
      await downloadVerified(source.packageUrl(record), local, { checksum: record.checksum, size: record.size.package }, { logger: log, ...(source.network ? { network: source.network } : {}) });
      return { path: info.href, data: { localFile: local } };
    });
    await putAll(target, items, workers);
    for (const item of items) await rm(item.data.localFile, { force: true });
    const chunkBytes = chunk.reduce((n, p) => n + p.size, 0);
    bytes += chunkBytes;
    progress.tick(chunk.length, chunkBytes);
  }
  progress.done(`Copied ${plural(missing.length, 'package')} (${humanBytes(bytes)})`);
  return { count: missing.length, bytes };
}

/** The records of the new generation, sorted as createrepo_c sorts them (file name, then directory). */
export function listedRecords(plan: PublishPlan, source: Map<string, SourcePackage>, live: Map<string, PackageRecord> | undefined): PackageRecord[] {
  const records: PackageRecord[] = [];
  for (const key of plan.fromSource) {
    const p = source.get(key);
    if (p) records.push({ ...p.record, location: { href: p.href } });
  }
  // planPublication lists history packages only when the live generation (hence `live`) has them.
  for (const key of plan.fromHistory) {
    const r = live?.get(key);
    if (r) records.push(r);
  }
  const sortKey = (r: PackageRecord) => [r.location.href.slice(r.location.href.lastIndexOf('/') + 1), r.location.href] as const;
  return records.sort((a, b) => {
    const [fa, ha] = sortKey(a);
    const [fb, hb] = sortKey(b);
    return fa < fb ? -1 : fa > fb ? 1 : ha < hb ? -1 : ha > hb ? 1 : 0;
  });
}

