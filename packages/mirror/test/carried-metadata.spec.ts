// Extra metadata (comps, updateinfo, modules, ...) a snapshot carries from its sources is stored under names
// the snapshot can serve and the filesystem can hold, whatever the source calls it (issue 15 items 18, 24).
import { execFile } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { startStoreServer, syncRepo, type StoreServer } from '../src/index.js';
import { COMPS, makeRepo, pkg } from './helpers/fixtures.js';
import { startHttpSource, type HttpSource } from './helpers/http-source.js';
import { expectLatestVerifies } from './helpers/store-checks.js';

const run = promisify(execFile);

/** Renames the file of a repo's `type` record to `name` and points repomd.xml at it. */
async function renameRecordFile(repoDir: string, type: string, name: string): Promise<void> {
  const repomdPath = join(repoDir, 'repodata', 'repomd.xml');
  const repomd = await readFile(repomdPath, 'utf8');
  const block = new RegExp(`<data type="${type}">[\\s\\S]*?<location href="(repodata/[^"]+)"`).exec(repomd);
  if (!block?.[1]) throw new Error(`${repomdPath} has no ${type} record`);
  await rename(join(repoDir, block[1]), join(repoDir, 'repodata', name));
  await writeFile(repomdPath, repomd.replace(`href="${block[1]}"`, `href="repodata/${name}"`));
}

/** The href of each record of a snapshot's repomd.xml, by type. */
async function snapshotHrefs(store: string, repo: string, id: string): Promise<Map<string, string>> {
  const repomd = await readFile(join(store, 'yum', repo, id, 'repodata', 'repomd.xml'), 'utf8');
  return new Map([...repomd.matchAll(/<data type="([^"]+)">[\s\S]*?<location href="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
}

describeWithTools(['createrepo_c', 'dnf'], 'carried metadata files get names the snapshot can serve and hold', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: string;
  let server: StoreServer | undefined;
  let http: HttpSource | undefined;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    store = join(dir, 'store');
    await writeFile(join(dir, 'dnf.conf'), '[main]\n');
  });
  afterEach(async () => {
    await server?.close();
    await http?.close();
    server = undefined;
    http = undefined;
    await cleanup();
  });

  const dnf = (baseurl: string, ...args: string[]) =>
    run('dnf', [
      '-y',
      '--config', join(dir, 'dnf.conf'),
      '--setopt=reposdir=/dev/null',
      '--disableplugin=local',
      `--setopt=cachedir=${join(dir, 'dnf-cache')}`,
      '--releasever', '9',
      '--nogpgcheck',
      `--repofrompath=snap,${baseurl}`,
      '--repo', 'snap',
      ...args,
    ], { maxBuffer: 16 << 20 });

  it('a source listing its comps under a dot-name (repodata/.comps.xml) gives a snapshot that serve serves whole and dnf reads', async () => {
    const src = await makeRepo(join(dir, 'src'), [pkg('alpha')], { comps: COMPS });
    await renameRecordFile(src, 'group', '.comps.xml');
    const r = await syncRepo({ store, repo: 'dot', from: [src] });
    await expectLatestVerifies(store, 'dot');
    const hrefs = await snapshotHrefs(store, 'dot', r.snapshot!);
    expect(hrefs.get('group')).toMatch(/^repodata\/[0-9a-f]{64}-group\.xml$/);

    server = await startStoreServer({ root: store });
    for (const href of hrefs.values()) {
      const res = await fetch(`${server.url}/yum/dot/${r.snapshot}/${href}`);
      expect({ href, status: res.status }).toEqual({ href, status: 200 });
    }
    const { stdout } = await dnf(`${server.url}/yum/dot/${r.snapshot}/`, 'group', 'list', '--hidden');
    expect(stdout).toContain('Test group');
  });

  it.each([['a local source'], ['an HTTP source']])('a 250-character carried-metadata name from %s is stored under a shorter one', async (kind) => {
    const root = join(dir, 'web');
    const src = await makeRepo(join(root, 'src'), [pkg('alpha')], { comps: COMPS });
    const long = `${'c'.repeat(240)}-comps.xml`;
    expect(long).toHaveLength(250);
    await renameRecordFile(src, 'group', long);
    let from = src;
    if (kind === 'an HTTP source') {
      http = await startHttpSource(root);
      from = `${http.url}/src/`;
    }
    const r = await syncRepo({ store, repo: 'long', from: [from] });
    await expectLatestVerifies(store, 'long');
    const hrefs = await snapshotHrefs(store, 'long', r.snapshot!);
    expect(hrefs.get('group')).toMatch(/^repodata\/[0-9a-f]{64}-group\.xml$/);
    for (const href of hrefs.values()) expect(href.length).toBeLessThanOrEqual(200);
    const { stdout } = await dnf(`file://${store}/yum/long/${r.snapshot}/`, 'group', 'list', '--hidden');
    expect(stdout).toContain('Test group');
  });
});
