import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { discoverPlugins } from './discover-plugins.js';

describe('discoverPlugins', () => {
  it('finds installed @ovirt-repo/plugin-* packages up the node_modules chain, and nothing else', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const pkg = async (where: string, name: string) => {
        await mkdir(join(where, 'node_modules', name), { recursive: true });
        await writeFile(join(where, 'node_modules', name, 'package.json'), JSON.stringify({ name }));
      };
      const cli = join(dir, 'node_modules', '@ovirt-repo', 'cli');
      await mkdir(cli, { recursive: true });
      await pkg(dir, '@ovirt-repo/plugin-publisher');
      await pkg(dir, '@ovirt-repo/core');
      await pkg(dir, '@other/plugin-x');
      await pkg(cli, '@ovirt-repo/plugin-nested');
      await mkdir(join(dir, 'node_modules', '@ovirt-repo', 'plugin-empty')); // no package.json: not a package
      expect(discoverPlugins(cli)).toEqual(['@ovirt-repo/plugin-nested', '@ovirt-repo/plugin-publisher']);
    } finally {
      await cleanup();
    }
  });
});
