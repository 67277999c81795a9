import { spawn } from 'node:child_process';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { acquireLock, inspectLock, lockStatus, newOwner, tryAcquireLock, type Lock } from './file-lock.js';
import { processStartTime } from './process-info.js';

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  await new Promise((r) => child.on('exit', r));
  return pid;
}

describe('file locks', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('is exclusive and records its owner', async () => {
    const path = join(dir, 'a.lock');
    const lock = await acquireLock(path, { purpose: 'test' });
    expect((await inspectLock(path))?.owner).toMatchObject({ pid: process.pid, purpose: 'test', token: lock.owner.token });
    const other = await tryAcquireLock(path, { purpose: 'other' });
    expect('heldBy' in other).toBe(true);
    await lock.release();
    expect(await inspectLock(path)).toBeUndefined();
  });

  it('times out with E_LOCKED naming the holder', async () => {
    const path = join(dir, 'a.lock');
    const lock = await acquireLock(path, { purpose: 'holder-purpose' });
    await expect(acquireLock(path, { purpose: 'waiter', timeoutMs: 200 })).rejects.toMatchObject({
      code: 'E_LOCKED',
      message: expect.stringContaining(`pid ${process.pid}`),
    });
    await expect(acquireLock(path, { purpose: 'waiter', timeoutMs: 200 })).rejects.toThrow(/holder-purpose/);
    await lock.release();
  });

  it('serialises concurrent writers with no lost update', async () => {
    const path = join(dir, 'c.lock');
    const counter = join(dir, 'counter');
    await writeFile(counter, '0');
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        const lock = await acquireLock(path, { purpose: 'inc', pollMs: 1, maxPollMs: 20 });
        const n = Number(await readFile(counter, 'utf8'));
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        await writeFile(counter, String(n + 1));
        await lock.release();
      }),
    );
    expect(await readFile(counter, 'utf8')).toBe('25');
  });

  it('breaks a lock whose owner died on this host', async () => {
    const path = join(dir, 'd.lock');
    const pid = await deadPid();
    await writeFile(path, JSON.stringify({ ...newOwner('dead writer'), pid, procStart: undefined }));
    expect((await lockStatus(path)).state).toBe('stale');
    const lock = await acquireLock(path, { purpose: 'next', timeoutMs: 1000 });
    expect((await inspectLock(path))?.owner?.token).toBe(lock.owner.token);
    await lock.release();
  });

  it('treats a live pid with another start time as a reused pid (stale)', async () => {
    const path = join(dir, 'r.lock');
    const start = processStartTime('self');
    if (start === undefined) return; // no /proc: pid reuse cannot be detected here
    await writeFile(path, JSON.stringify({ ...newOwner('old'), procStart: String(Number(start) - 1) }));
    expect((await lockStatus(path)).state).toBe('stale');
  });

  it("honours another host's lock until its heartbeat is older than the stale age", async () => {
    const path = join(dir, 'h.lock');
    await writeFile(path, JSON.stringify({ ...newOwner('remote'), hostname: 'some-other-host', pid: 1 }));
    await expect(acquireLock(path, { purpose: 'x', timeoutMs: 150, staleAfterMs: 60_000 })).rejects.toMatchObject({ code: 'E_LOCKED' });
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    const lock = await acquireLock(path, { purpose: 'x', timeoutMs: 1000, staleAfterMs: 60_000 });
    await lock.release();
  });

  it('with outlastDeadHolder, waits past its timeout until a dead holder on another host goes stale', async () => {
    const path = join(dir, 'short.lock');
    await writeFile(path, JSON.stringify({ ...newOwner('killed gc'), hostname: 'some-other-host', pid: 1 }));
    const options = { purpose: 'x', timeoutMs: 100, staleAfterMs: 1500, heartbeatMs: 200 };
    await expect(acquireLock(path, options)).rejects.toMatchObject({ code: 'E_LOCKED' });
    const lock = await acquireLock(path, { ...options, outlastDeadHolder: true });
    await lock.release();
  });

  it('keeps a held lock fresh with heartbeats, and notices when it was taken away', async () => {
    const path = join(dir, 'b.lock');
    const lock = await acquireLock(path, { purpose: 'beat', heartbeatMs: 50, staleAfterMs: 200 });
    const old = new Date(Date.now() - 100_000);
    await utimes(path, old, old);
    await new Promise((r) => setTimeout(r, 200));
    expect(Date.now() - (await inspectLock(path))!.mtimeMs).toBeLessThan(1000);
    await lock.assertHeld();
    await writeFile(path, JSON.stringify(newOwner('thief')));
    await expect(lock.assertHeld()).rejects.toMatchObject({ code: 'E_LOCKED' });
    await lock.release();
    expect((await inspectLock(path))?.owner?.purpose).toBe('thief');
  });

  it('lets exactly one of many waiters break a stale lock', async () => {
    const path = join(dir, 's.lock');
    const pid = await deadPid();
    await writeFile(path, JSON.stringify({ ...newOwner('dead'), pid, procStart: undefined }));
    const holders = new Set<string>();
    let maxConcurrent = 0;
    let inside = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const lock: Lock = await acquireLock(path, { purpose: 'w', pollMs: 1, maxPollMs: 10, timeoutMs: 10_000 });
        inside++;
        maxConcurrent = Math.max(maxConcurrent, inside);
        holders.add(lock.owner.token);
        await new Promise((r) => setTimeout(r, 2));
        inside--;
        await lock.release();
      }),
    );
    expect(maxConcurrent).toBe(1);
    expect(holders.size).toBe(12);
  });
});
