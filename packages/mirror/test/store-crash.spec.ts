import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { openLocalStore } from '../src/index.js';
import { ensurePluginBuilt } from './helpers/built.js';
import { runChild, waitForFile } from './helpers/child.js';

/** What the child writes: one digit 65,536 times and a newline. Anything else is a torn write. */
const isWhole = (data: Buffer | undefined) => data !== undefined && /^(\d)\1{65535}\n$/.test(data.toString('utf8'));

describe('the local store under SIGKILL', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ensurePluginBuilt();
    ({ dir, cleanup } = await makeTempDir());
  });
  afterAll(() => cleanup());

  it('a writer killed at any moment leaves every pointer and object whole, and the next writer goes on at once', async () => {
    const root = join(dir, 'store');
    const store = await openLocalStore(root, { create: true });
    for (let round = 0; round < 8; round++) {
      const started = join(dir, `started-${round}`);
      const run = runChild('store-writes', { store: root, started });
      await waitForFile(started, 30_000);
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');

      const latest = await store.read('yum/el9/latest.txt');
      expect([round, isWhole(latest?.data)]).toEqual([round, true]);
      const objects = await store.list('pool', { recursive: true });
      expect(objects.length).toBeGreaterThan(0);
      const torn = [];
      for (const o of objects) if (!isWhole((await store.read(o.key))?.data)) torn.push(o.key);
      expect(torn).toEqual([]);
      // The dead writer may have held the pointer's guard: it is broken, not waited out.
      const t0 = Date.now();
      await store.replace('yum/el9/latest.txt', `${String(round).repeat(65536)}\n`, latest!.version);
      expect(Date.now() - t0).toBeLessThan(5000);
      await store.remove('pool');
    }
  }, 120_000);
});
