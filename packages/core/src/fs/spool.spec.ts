import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { makeTempDir } from '@ovirt-repo/test-support';
import { removeSpoolLeftovers, spoolStream } from './spool.js';

describe('spoolStream', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('spool-')));
  afterEach(() => cleanup());

  it('keeps a small stream in memory and a large one in a temp file, with its size and digests, until disposed', async () => {
    const data = Buffer.alloc(300, 'a');
    const small = await spoolStream(Readable.from([data.subarray(0, 100), data.subarray(100, 150)]), { maxBytes: 1000, memoryBytes: 200, where: 'x', dir });
    const large = await spoolStream(Readable.from([data.subarray(0, 150), data.subarray(150)]), { maxBytes: 1000, memoryBytes: 100, where: 'x', dir });
    expect([small.bytes?.length, large.bytes]).toEqual([150, undefined]);
    expect(await readdir(dir)).toHaveLength(1);
    expect(Buffer.concat(await large.open().toArray())).toEqual(data);
    expect(Buffer.concat(await small.open().toArray())).toEqual(data.subarray(0, 150));
    expect([large.size, large.sha256, large.md5]).toEqual([300, createHash('sha256').update(data).digest('hex'), createHash('md5').update(data).digest('hex')]);
    await large.dispose();
    await large.dispose();
    await small.dispose();
    expect(await readdir(dir)).toEqual([]);
  });

  it('throws a failing stream\'s error as it is, and more than maxBytes as E_STORE naming where, leaving nothing', async () => {
    const boom = new Error('the source broke');
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(200);
        throw boom;
      })(),
    );
    await expect(spoolStream(failing, { maxBytes: 1000, memoryBytes: 100, where: 'x', dir })).rejects.toBe(boom);
    await expect(spoolStream(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { maxBytes: 1000, memoryBytes: 100, where: 'create s3://b/k', dir })).rejects.toMatchObject({
      code: 'E_STORE',
      message: 'create s3://b/k: more than the 1000 bytes one object may hold',
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('removeSpoolLeftovers removes only old spool directories of processes that are gone', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    const dead = child.pid;
    for (const name of [`ovirt-repo-spool-${dead}-old`, `ovirt-repo-spool-${dead}-new`, `ovirt-repo-spool-${process.pid}-live`, 'something-else']) await mkdir(join(dir, name));
    const old = new Date(Date.now() - 7_200_000);
    for (const name of [`ovirt-repo-spool-${dead}-old`, `ovirt-repo-spool-${process.pid}-live`, 'something-else']) await utimes(join(dir, name), old, old);
    expect(await removeSpoolLeftovers(3_600_000, dir)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([`ovirt-repo-spool-${dead}-new`, `ovirt-repo-spool-${process.pid}-live`, 'something-else'].sort());
    // An age of 0 (a caller sure of its own store) still spares a live process's spool.
    expect(await removeSpoolLeftovers(0, dir)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([`ovirt-repo-spool-${process.pid}-live`, 'something-else']);
  });
});
