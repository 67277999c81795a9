import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { makeTempDir } from '@ovirt-repo/test-support';
import { poolFile } from './layout.js';
import { poolEntryState, stagePoolFile, writePoolFile } from './pool.js';
import { openStore } from './store.js';

const bytes = Buffer.from('an rpm, as far as the pool knows\n');
const expected = { checksumType: 'sha256', digest: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };

describe('pool files', () => {
  it('a staged file appears under its name only when committed, and a discarded one leaves nothing', async () => {
    const { dir } = await makeTempDir('pool-');
    const layout = await openStore(dir, { create: true });
    const final = poolFile(layout, expected.digest, 'a.rpm');

    const staged = await stagePoolFile(layout, 'a.rpm', expected, Readable.from([bytes]), 'a.rpm');
    expect(staged.size).toBe(bytes.length);
    expect(await poolEntryState(layout, expected.digest, 'a.rpm', bytes.length)).toBe('missing');
    await staged.commit();
    expect(await poolEntryState(layout, expected.digest, 'a.rpm', bytes.length)).toBe('present');
    expect(await readFile(final)).toEqual(bytes);
    expect(await readdir(dirname(final))).toEqual(['a.rpm']);

    const discarded = await stagePoolFile(layout, 'b.rpm', expected, Readable.from([bytes]), 'b.rpm');
    await discarded.discard();
    await discarded.commit();
    expect(await readdir(dirname(final))).toEqual(['a.rpm']);
  });

  it('a commit after a whole-filesystem flush only links the file into place', async () => {
    const { dir } = await makeTempDir('pool-');
    const layout = await openStore(dir, { create: true });
    const staged = await stagePoolFile(layout, 'a.rpm', expected, Readable.from([bytes]), 'a.rpm');
    expect(staged.finalPath).toBe(poolFile(layout, expected.digest, 'a.rpm'));
    await staged.commit({ synced: true });
    expect(await readFile(staged.finalPath)).toEqual(bytes);
    expect(await readdir(dirname(staged.finalPath))).toEqual(['a.rpm']);
  });

  it('refuses bytes that are not what the metadata promises, leaving nothing behind', async () => {
    const { dir } = await makeTempDir('pool-');
    const layout = await openStore(dir, { create: true });
    const other = Buffer.from('something else of the same length!');
    await expect(stagePoolFile(layout, 'a.rpm', { ...expected, size: other.length }, Readable.from([other]), 'a.rpm')).rejects.toMatchObject({ code: 'E_CHECKSUM_MISMATCH' });
    await expect(writePoolFile(layout, 'a.rpm', expected, Readable.from([bytes, bytes]), 'a.rpm')).rejects.toMatchObject({ code: 'E_SIZE_MISMATCH' });
    expect(await readdir(dirname(poolFile(layout, expected.digest, 'a.rpm')))).toEqual([]);
  });
});
