import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { resolvePublishRequest } from './publish-config.js';

describe('resolvePublishRequest', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let config: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    config = join(dir, 'ovirt-repo.yaml');
    await writeFile(
      config,
      [
        'store: store',
        'repos:',
        '  experimental-master-el9:',
        '    mode: additive',
        'publish:',
        '  tested-master-el9:',
        '    from: experimental-master-el9',
        '    to: public/tested',
        '    keepDays: 7',
        '    keepVersions: 3',
        '',
      ].join('\n'),
    );
  });
  afterEach(() => cleanup());

  const latest = async (id: string) => {
    await mkdir(join(dir, 'store', 'yum', 'experimental-master-el9', id), { recursive: true });
    await writeFile(join(dir, 'store', 'yum', 'experimental-master-el9', 'latest.txt'), `${id}\n`);
  };

  it('publishes the latest snapshot of the named destination\'s repo, with its settings', async () => {
    await latest('20261126T101010.000Z');
    expect(await resolvePublishRequest({ name: 'tested-master-el9' }, { file: config })).toEqual({
      from: join(dir, 'store', 'yum', 'experimental-master-el9', '20261126T101010.000Z'),
      fromLock: undefined,
      repo: undefined,
      // relative to the config file, as every path in it
      to: join(dir, 'public', 'tested'),
      keepDays: 7,
      keepVersions: 3,
      keepMetadataDays: 2,
      allowOlder: false,
    });
  });

  it('refuses to read the latest snapshot of a store that is no directory here (s3://), saying what to give instead', async () => {
    await writeFile(config, (await readFile(config, 'utf8')).replace('store: store', 'store: s3://ci-repos/store'));
    await expect(resolvePublishRequest({ name: 'tested-master-el9' }, { file: config })).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining('s3://ci-repos/store'),
      hint: expect.stringContaining('--from'),
    });
  });

  it('takes allowOlder from the named destination, and the flag (either way) over it', async () => {
    await writeFile(config, (await readFile(config, 'utf8')).replace('    keepVersions: 3\n', '    keepVersions: 3\n    allowOlder: true\n'));
    const base = { name: 'tested-master-el9', fromLock: 'run.lock.json' };
    expect(await resolvePublishRequest(base, { file: config })).toMatchObject({ allowOlder: true });
    expect(await resolvePublishRequest({ ...base, allowOlder: false }, { file: config })).toMatchObject({ allowOlder: false });
    expect(await resolvePublishRequest({ from: '/snap', to: '/dest', allowOlder: true })).toMatchObject({ allowOlder: true });
  });

  it('lets flags override the named destination, and takes the lock\'s repo id from `from`', async () => {
    const r = await resolvePublishRequest({ name: 'tested-master-el9', fromLock: 'run.lock.json', to: '/srv/x', keepDays: 1 }, { file: config });
    expect(r).toMatchObject({ fromLock: 'run.lock.json', repo: 'experimental-master-el9', to: '/srv/x', keepDays: 1, keepVersions: 3 });
    expect(r.from).toBeUndefined();
  });

  it('needs no config file when everything is on the command line', async () => {
    expect(await resolvePublishRequest({ from: '/snap', to: '/dest' })).toMatchObject({ from: '/snap', to: '/dest', keepDays: 14, keepMetadataDays: 2, allowOlder: false });
  });

  it('names the known destinations when the name is unknown', async () => {
    await expect(resolvePublishRequest({ name: 'tested-4.5' }, { file: config })).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
      hint: 'known destinations: tested-master-el9',
    });
  });

  it('explains what is missing', async () => {
    await expect(resolvePublishRequest({ from: '/snap' })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/no destination/) });
    await expect(resolvePublishRequest({ to: '/dest' })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/nothing to publish/) });
    await expect(resolvePublishRequest({ fromLock: 'l.json', to: '/dest' })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/needs --repo/) });
    await expect(resolvePublishRequest({ name: 'tested-master-el9' }, { file: config })).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      message: expect.stringContaining('has no snapshot'),
    });
  });

  it('keeps an s3:// destination as it is (a URL, not a path relative to the file)', async () => {
    const s3Config = join(dir, 's3.yaml');
    await writeFile(s3Config, 'repos:\n  r: { mode: additive }\npublish:\n  tested-s3: { from: r, to: "s3://ci-repos/ovirt/tested" }\n');
    expect(await resolvePublishRequest({ name: 'tested-s3', from: '/snap' }, { file: s3Config })).toMatchObject({ from: '/snap', to: 's3://ci-repos/ovirt/tested' });
  });
});
