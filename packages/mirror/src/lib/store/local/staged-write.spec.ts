import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { openLocalStore } from './local-store.js';

describe('a staged write of the directory store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('staged-write-')));
  afterEach(() => cleanup());

  it('writes what a file stream gives: the whole file (copied by the kernel), or the part a ranged or started stream has left', async () => {
    const store = await openLocalStore(join(dir, 'store'), { create: true });
    const source = join(dir, 'source.bin');
    const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 251));
    await writeFile(source, bytes);
    const started = createReadStream(source, { highWaterMark: 1000 });
    await new Promise<void>((resolve) => started.once('readable', () => resolve()));
    const first = started.read(10) as Buffer;

    const staged = await store.stage('yum/r/x');
    await staged.write('whole.bin', createReadStream(source));
    await staged.write('part.bin', createReadStream(source, { start: 5, end: 1004 }));
    await staged.write('rest.bin', started);
    await staged.commit();

    // The source changing afterwards changes nothing in the store: a copy, not a link.
    await writeFile(source, 'changed');
    const read = async (name: string) => (await store.read(`yum/r/x/${name}`))?.data;
    expect(await read('whole.bin')).toEqual(bytes);
    expect(await read('part.bin')).toEqual(bytes.subarray(5, 1005));
    expect(Buffer.concat([first, (await read('rest.bin')) as Buffer])).toEqual(bytes);
    expect(await readFile(join(dir, 'store', 'yum', 'r', 'x', 'whole.bin'))).toEqual(bytes);
  });
});
