import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { makeTempDir } from '@ovirt-repo/test-support';
import { openStore } from '../store/store.js';
import { newOwner } from '@ovirt-repo/core';
import { readPoolUsers, registerPoolUser } from './pool-guard.js';
import { GC_LOCK } from './store-locks.js';

describe('pool guard (gc vs running syncs)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('gc sees what a running sync registered, and the sync withdraws afterwards', async () => {
    const layout = await openStore(dir, { create: true });
    const reg = await registerPoolUser(layout, ['aa', 'bb'], { purpose: 'sync test' });
    const users = await readPoolUsers(layout);
    expect([...users.digests].sort()).toEqual(['aa', 'bb']);
    expect(users.users).toHaveLength(1);
    await reg.release();
    expect((await readPoolUsers(layout)).digests.size).toBe(0);
  });

  it('a sync waits while gc holds its lock, then registers', async () => {
    const layout = await openStore(dir, { create: true });
    const gc = await layout.lock(GC_LOCK, { purpose: 'gc' });
    let registered = false;
    const pending = registerPoolUser(layout, ['cc'], { purpose: 'sync' }).then((r) => {
      registered = true;
      return r;
    });
    // Each retry writes its registration, sees the gc lock and withdraws it again, so a reader can catch one
    // for an instant (gc then keeps a few digests more, which is safe); it is never held while gc runs.
    const seen: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 30));
      seen.push((await readPoolUsers(layout)).digests.has('cc'));
    }
    expect(registered).toBe(false);
    expect(seen.filter(Boolean).length).toBeLessThan(seen.length / 2);
    await gc.release();
    const reg = await pending;
    expect((await readPoolUsers(layout)).digests.has('cc')).toBe(true);
    await reg.release();
  });

  it('ignores and removes registrations of dead syncs', async () => {
    const layout = await openStore(dir, { create: true });
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    await mkdir(join(dir, 'locks', 'pool-users'), { recursive: true });
    await writeFile(join(join(dir, 'locks', 'pool-users'), 'dead.json'), JSON.stringify({ ...newOwner('dead sync'), pid: child.pid, procStart: undefined, digests: ['dd'] }));
    const users = await readPoolUsers(layout);
    expect(users.digests.has('dd')).toBe(false);
    expect(users.removedStale).toBe(1);
    expect(await readdir(join(dir, 'locks', 'pool-users'))).toEqual([]);
  });
});
