import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@ovirt-repo/test-support';
import { openStore } from '../src/index.js';
import { ensurePluginBuilt, pluginRoot, repoRoot } from './helpers/built.js';

const run = promisify(execFile);

/** The folders that use the store only through core's Store interface (store/local/ is the one backend). */
const THROUGH_THE_INTERFACE = ['gc', 'index', 'lock', 'serve', 'snapshot', 'status', 'store'];
const NODE_FS = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](?:node:)?fs(?:\/promises)?['"]/;

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (e.name.endsWith('.ts') && !e.name.includes('.spec.')) out.push(path);
  }
  return out;
}

describe('the store is used through its interface', () => {
  it('no code of gc, index, locks, serve, snapshots, status pages or the store layer imports node:fs, except the local backend', async () => {
    const lib = join(pluginRoot, 'src', 'lib');
    const offenders: string[] = [];
    let checked = 0;
    for (const folder of THROUGH_THE_INTERFACE) {
      for (const file of await sourceFiles(join(lib, folder))) {
        const rel = relative(lib, file);
        if (rel.startsWith(join('store', 'local'))) continue;
        checked++;
        if (NODE_FS.test(await readFile(file, 'utf8'))) offenders.push(rel);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });

  it('only backends.ts reaches the S3 store, by a dynamic import, so the directory-store path never loads it', async () => {
    const lib = join(pluginRoot, 'src', 'lib');
    const importsOfS3: string[] = [];
    for (const file of await sourceFiles(lib)) {
      const rel = relative(lib, file);
      if (rel.startsWith(join('store', 's3'))) continue;
      for (const m of (await readFile(file, 'utf8')).matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]*\/s3\/[^'"]*)['"]/g)) importsOfS3.push(`${rel}: ${m[0]}`);
    }
    expect(importsOfS3).toEqual([`${join('store', 'backends.ts')}: import('./s3/open.js'`]);
  });

  it('the check itself sees an import of node:fs in any spelling', () => {
    for (const line of ["import { readFile } from 'node:fs/promises';", 'import type { Dirent } from "fs";', "const fs = await import('node:fs');", "require('fs/promises')"]) expect([line, NODE_FS.test(line)]).toEqual([line, true]);
    expect(NODE_FS.test("import { join } from 'node:path';")).toBe(false);
  });
});

describe('a --store of an unknown scheme', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  it('is refused with E_UNKNOWN_SCHEME naming the known ones, and nothing is made', async () => {
    await expect(openStore('gs://bucket/ci', { create: true })).rejects.toMatchObject({
      code: 'E_UNKNOWN_SCHEME',
      message: expect.stringContaining('"gs:"'),
      hint: expect.stringContaining('file: (a directory on this machine'),
      data: { scheme: 'gs', known: ['file', 's3'] },
    });
  });

  it('is refused by the binary, without making a directory named after the URL', async () => {
    ensurePluginBuilt();
    const bin = join(repoRoot, 'packages', 'cli', 'bin', 'run.js');
    const r = await run(process.execPath, [bin, 'mirror', 'sync', 'el9', '--from', dir, '--store', 'gs://bucket/ci', '--json'], { cwd: dir }).catch((e: { code: number; stdout: string }) => e);
    expect(r).toMatchObject({ code: 1 });
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'E_UNKNOWN_SCHEME', hint: expect.stringContaining('known store schemes: file:') } });
    expect(await readdir(dir)).toEqual([]);
  });
});
