import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, checkSyncTarget, openTarget, targetRegistry } from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import init from '../src/hooks/init.js';

describe('example: target plugin', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('registers its scheme from the oclif init hook', async () => {
    targetRegistry().unregister('example');
    await expect(openTarget(`example://${dir}`)).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_SCHEME });
    await init();
    await init();
    expect(targetRegistry().schemes().find((s) => s.scheme === 'example')?.provider).toBe('@ovirt-repo/plugin-example-target');
    const target = await openTarget(`example://${dir}`);
    await target.put('hello/world.txt', 'hi');
    expect(await readFile(join(dir, 'hello', 'world.txt'), 'utf8')).toBe('hi');
  });

  it('passes the SyncTarget conformance checks', async () => {
    await init();
    const report = await checkSyncTarget(await openTarget(`example://${dir}`));
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.capabilities).toEqual([]);
  });

  it('refuses locations it cannot use', async () => {
    await init();
    await expect(openTarget('example://somehost/x')).rejects.toMatchObject({ code: ErrorCodes.USAGE, hint: expect.stringContaining('example:///') });
  });
});
