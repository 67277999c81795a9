import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { repoLockName } from '../lock/store-locks.js';
import { openStore } from '../store/store.js';
import { runGc } from './run-gc.js';

describe('gc and the caches of repos that are gone', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('removes the cache of a name that is no repo, unless a writer holds that name', async () => {
    const layout = await openStore(join(dir, 'store'), { create: true });
    const yumDir = join(dir, 'store', 'yum');
    const cacheDir = join(dir, 'store', 'cache');
    await mkdir(join(yumDir, 'kept'), { recursive: true });
    for (const name of ['kept', 'gone', 'busy', 'not a repo!']) {
      await mkdir(join(cacheDir, name, 'metadata'), { recursive: true });
      await writeFile(join(cacheDir, name, 'metadata', 'entry'), 'content');
    }
    // A first sync of `busy` holds its lock before its repo directory has anything in it.
    const lock = await layout.lock(repoLockName('busy'), { purpose: 'test' });
    try {
      const result = await runGc(layout);
      expect(result.removedLeftovers).toBe(2);
      expect((await readdir(cacheDir)).sort()).toEqual(['busy', 'kept']);
    } finally {
      await lock.release();
    }
    const dry = await runGc(layout, { dryRun: true });
    expect(dry.removedLeftovers).toBe(0);
    expect((await readdir(cacheDir)).sort()).toEqual(['busy', 'kept']);
    await runGc(layout);
    expect(await readdir(cacheDir)).toEqual(['kept']);
  });

  it("removes what an older version kept in a repo's cache (record/), and keeps the metadata and summaries", async () => {
    const layout = await openStore(join(dir, 'store'), { create: true });
    await mkdir(join(dir, 'store', 'yum', 'kept'), { recursive: true });
    const cache = join(dir, 'store', 'cache', 'kept');
    await mkdir(join(cache, 'metadata'), { recursive: true });
    await mkdir(join(cache, 'record'), { recursive: true });
    await writeFile(join(cache, 'metadata', 'entry'), 'content');
    await writeFile(join(cache, 'record', 'lines'), 'old');
    await writeFile(join(cache, 'summaries.json'), '{}');
    // A running index write's temp file is none of gc's business.
    await writeFile(join(cache, '.summaries.json.tmp-1-0123abcd'), '{}');
    const held = await layout.lock(repoLockName('kept'), { purpose: 'test' });
    try {
      expect((await runGc(layout)).removedLeftovers).toBe(0);
    } finally {
      await held.release();
    }
    expect((await runGc(layout)).removedLeftovers).toBe(1);
    expect((await readdir(cache)).sort()).toEqual(['.summaries.json.tmp-1-0123abcd', 'metadata', 'summaries.json']);
    expect(await readdir(join(cache, 'metadata'))).toEqual(['entry']);
  });
});

