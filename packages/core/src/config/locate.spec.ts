import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateConfig } from './locate.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovirt-repo-locate-'));
  await mkdir(join(dir, 'cwd'));
  await mkdir(join(dir, 'envdir'));
  await mkdir(join(dir, 'empty'));
  await writeFile(join(dir, 'cwd', 'ovirt-repo.yaml'), 'store: cwd\n');
  await writeFile(join(dir, 'env.yaml'), 'store: env\n');
  await writeFile(join(dir, 'flag.yaml'), 'store: flag\n');
  await writeFile(join(dir, 'envdir', 'ovirt-repo.yaml'), 'store: envdir\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('locateConfig', () => {
  const cwd = () => join(dir, 'cwd');

  it('prefers --config over OVIRT_REPO_CONFIG over ./ovirt-repo.yaml', async () => {
    const env = { OVIRT_REPO_CONFIG: join(dir, 'env.yaml') };
    await expect(locateConfig({ file: '../flag.yaml', cwd: cwd(), env })).resolves.toEqual({ file: join(dir, 'flag.yaml'), via: 'flag' });
    await expect(locateConfig({ cwd: cwd(), env })).resolves.toEqual({ file: join(dir, 'env.yaml'), via: 'env' });
    await expect(locateConfig({ cwd: cwd(), env: {} })).resolves.toEqual({ file: join(cwd(), 'ovirt-repo.yaml'), via: 'cwd' });
  });

  it('resolves OVIRT_REPO_CONFIG relative to the working directory, and takes a directory as its ovirt-repo.yaml', async () => {
    await expect(locateConfig({ cwd: cwd(), env: { OVIRT_REPO_CONFIG: '../envdir' } })).resolves.toEqual({ file: join(dir, 'envdir', 'ovirt-repo.yaml'), via: 'env' });
    await expect(locateConfig({ cwd: cwd(), file: dir + '/envdir/' })).resolves.toMatchObject({ file: join(dir, 'envdir', 'ovirt-repo.yaml') });
  });

  it('is undefined (built-in defaults) when nothing is given and ./ovirt-repo.yaml is absent', async () => {
    await expect(locateConfig({ cwd: join(dir, 'empty'), env: {} })).resolves.toBeUndefined();
    await expect(locateConfig({ cwd: join(dir, 'empty'), env: { OVIRT_REPO_CONFIG: '' } })).resolves.toBeUndefined();
  });

  it('fails when a file given by --config or OVIRT_REPO_CONFIG is missing', async () => {
    await expect(locateConfig({ cwd: cwd(), file: 'nope.yaml', env: {} })).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      message: 'configuration file not found: nope.yaml (given by --config)',
      target: join(cwd(), 'nope.yaml'),
    });
    await expect(locateConfig({ cwd: cwd(), env: { OVIRT_REPO_CONFIG: '/no/such.yaml' } })).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      message: 'configuration file not found: /no/such.yaml (given by OVIRT_REPO_CONFIG)',
    });
    await expect(locateConfig({ cwd: cwd(), file: '../empty', env: {} })).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      message: '--config names the directory ../empty, which holds no ovirt-repo.yaml',
    });
  });

  it('uses process.cwd() and process.env by default', async () => {
    const saved = process.cwd();
    const savedEnv = process.env['OVIRT_REPO_CONFIG'];
    delete process.env['OVIRT_REPO_CONFIG'];
    try {
      process.chdir(cwd());
      await expect(locateConfig()).resolves.toEqual({ file: join(cwd(), 'ovirt-repo.yaml'), via: 'cwd' });
    } finally {
      process.chdir(saved);
      if (savedEnv !== undefined) process.env['OVIRT_REPO_CONFIG'] = savedEnv;
    }
  });
});
