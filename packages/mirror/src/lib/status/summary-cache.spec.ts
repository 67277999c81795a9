import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { openStore } from '../store/store.js';
import type { SnapshotSummaryRecord } from '../store/snapshot-summary.js';
import { collectStatus } from './collect-status.js';
import { writeStatusPages } from './write-status.js';

const IDS = ['20261201T100000.000Z', '20261202T100000.000Z', '20261203T100000.000Z'];

function summary(id: string, packages: number): SnapshotSummaryRecord {
  const none = { added: [], removed: [], upgraded: [], downgraded: [], rebuilt: [] };
  return { format: 1, repo: 'exp', id, createdAt: new Date(0).toISOString(), mode: 'additive', packages, bytes: packages * 10, changes: { added: 1, removed: 0, upgraded: 0, downgraded: 0, rebuilt: 0, unchanged: 0 }, sample: none, sources: [] };
}

describe('the summary cache of the status pages', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  async function store() {
    const layout = await openStore(join(dir, 'store'), { create: true });
    const yumDir = join(dir, 'store', 'yum');
    for (const [i, id] of IDS.entries()) {
      await mkdir(join(yumDir, 'exp', id), { recursive: true });
      await writeFile(join(yumDir, 'exp', id, 'summary.json'), JSON.stringify(summary(id, 100 + i)));
    }
    await writeFile(join(yumDir, 'exp', 'latest.txt'), `${IDS[2]}\n`);
    return { layout, yumDir, cacheFile: join(dir, 'store', 'cache', 'exp', 'summaries.json') };
  }
  const cachedIds = async (file: string) => Object.keys(JSON.parse(await readFile(file, 'utf8')).summaries).sort();
  const packagesShown = async (layout: Awaited<ReturnType<typeof store>>['layout']) => (await collectStatus(layout)).repos[0]!.snapshots.map((s) => s.packages);

  it('keeps every snapshot summary in one file, drops removed snapshots, and is read instead of the files', async () => {
    const { layout, yumDir, cacheFile } = await store();
    await writeStatusPages(layout);
    expect(await cachedIds(cacheFile)).toEqual(IDS);
    await rm(join(yumDir, 'exp', IDS[0]!), { recursive: true });
    await writeStatusPages(layout);
    expect(await cachedIds(cacheFile)).toEqual(IDS.slice(1));
    // Summaries never change once written, so the cache stands for the files: a summary.json changed
    // behind its back is not read again.
    await writeFile(join(yumDir, 'exp', IDS[1]!, 'summary.json'), JSON.stringify(summary(IDS[1]!, 999)));
    expect(await packagesShown(layout)).toEqual([102, 101]);
  });

  it('is only written by the page writer, and rebuilt from the files when damaged or gone', async () => {
    const { layout, cacheFile } = await store();
    expect(await packagesShown(layout)).toEqual([102, 101, 100]);
    await expect(readFile(cacheFile)).rejects.toMatchObject({ code: 'ENOENT' });
    await writeStatusPages(layout);
    await writeFile(cacheFile, '{ not json');
    expect(await packagesShown(layout)).toEqual([102, 101, 100]);
    await writeStatusPages(layout);
    expect(await cachedIds(cacheFile)).toEqual(IDS);
    // An entry under another snapshot's id is not used.
    const file = JSON.parse(await readFile(cacheFile, 'utf8'));
    file.summaries[IDS[2]!] = summary(IDS[0]!, 555);
    await writeFile(cacheFile, JSON.stringify(file));
    expect(await packagesShown(layout)).toEqual([102, 101, 100]);
  });
});
