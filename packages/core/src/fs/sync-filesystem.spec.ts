import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { SYNCFS_COMMAND_ENV, syncFileSystem } from './sync-filesystem.js';

describe('syncFileSystem', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('syncfs-')));
  afterEach(() => cleanup());

  /** A stand-in for `sync` that prints `stderr` and exits with `code`, recording its arguments. */
  async function fakeSync(name: string, code: number, stderr: string): Promise<{ env: NodeJS.ProcessEnv; args: string }> {
    const script = join(dir, name);
    const args = join(dir, `${name}.args`);
    await writeFile(script, `#!/bin/sh\necho "$@" > '${args}'\necho '${stderr}' >&2\nexit ${code}\n`);
    await chmod(script, 0o755);
    return { env: { [SYNCFS_COMMAND_ENV]: script }, args };
  }

  it('flushes the filesystem of a directory with coreutils sync --file-system', async () => {
    await writeFile(join(dir, 'data'), 'bytes');
    await expect(syncFileSystem(dir, {})).resolves.toBe(true);
  });

  it('passes the path to the command as sync --file-system PATH', async () => {
    const fake = await fakeSync('ok-sync', 0, '');
    await expect(syncFileSystem(dir, fake.env)).resolves.toBe(true);
    expect((await readFile(fake.args, 'utf8')).trim()).toBe(`--file-system ${dir}`);
  });

  it('says false (fsync file by file) when the command is missing or does not know --file-system', async () => {
    await expect(syncFileSystem(dir, { [SYNCFS_COMMAND_ENV]: join(dir, 'no-such-sync') })).resolves.toBe(false);
    const busybox = await fakeSync('old-sync', 1, "sync: unrecognized option '--file-system'");
    await expect(syncFileSystem(dir, busybox.env)).resolves.toBe(false);
  });

  it('fails with E_IO when the flush itself fails: written data may not be on disk', async () => {
    const broken = await fakeSync('eio-sync', 1, `sync: error syncing '${dir}': Input/output error`);
    const err = await syncFileSystem(dir, broken.env).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_IO' });
    expect(String((err as Error).message)).toContain(dir);
  });
});
