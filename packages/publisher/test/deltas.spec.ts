import { execFile } from 'node:child_process';
import { access, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { parseRepomd } from '@ovirt-repo/core';
import { writeRpm } from '@ovirt-repo/rpm-writer';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { publish } from '../src/lib/publish.js';
import { checkRepo, dnf, makeRepo, rpmSpec, treeDigest } from './helpers/repos.js';

const run = promisify(execFile);
const env = { ...process.env, SOURCE_DATE_EPOCH: '1893456000' };
const DELTA_TYPES = /^(prestodelta|deltainfo)(_zck|_db)?$/;

/** The metadata record types of the repository at `dir`. */
async function recordTypes(dir: string): Promise<string[]> {
  return parseRepomd(await readFile(join(dir, 'repodata', 'repomd.xml'))).records.map((r) => r.type);
}

/** The .drpm files the delta metadata of the repository at `dir` names, and which of them are missing. */
async function namedDeltas(dir: string): Promise<{ named: string[]; missing: string[] }> {
  const named: string[] = [];
  for (const r of parseRepomd(await readFile(join(dir, 'repodata', 'repomd.xml'))).records.filter((x) => DELTA_TYPES.test(x.type))) {
    const raw = await readFile(join(dir, r.location.href));
    const xml = (r.location.href.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    named.push(...[...xml.matchAll(/<filename>([^<]+)<\/filename>/g)].map((m) => m[1]!));
  }
  const missing: string[] = [];
  for (const f of named) await access(join(dir, f)).catch(() => missing.push(f));
  return { named, missing };
}

describeWithTools(['createrepo_c', 'modifyrepo_c', 'dnf', 'rpm'], 'publish and delta RPMs (prestodelta/deltainfo)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let source: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    // A source made by the real createrepo_c --deltas: hello-2.0 with a delta from hello-1.0.
    const old = join(dir, 'old');
    await mkdir(old, { recursive: true });
    await writeRpm(rpmSpec('hello', '1.0'), old);
    source = join(dir, 'src');
    await mkdir(join(source, 'Packages'), { recursive: true });
    await writeRpm(rpmSpec('hello', '2.0'), join(source, 'Packages'));
    await run('createrepo_c', ['-q', '--deltas', `--oldpackagedirs=${old}`, source]);
  });
  afterAll(() => cleanup());

  it('does not advertise deltas it does not carry: the delta metadata is dropped, dnf reads the result', async () => {
    // The source really has deltas, and its metadata names them.
    const fromSource = await namedDeltas(source);
    expect(await recordTypes(source)).toContain('prestodelta');
    expect(fromSource.named).toEqual([expect.stringMatching(/^drpms\/hello-1\.0-1_2\.0-1\.noarch\.drpm$/)]);
    expect(fromSource.missing).toEqual([]);

    const dest = join(dir, 'dest');
    const r = await publish({ from: source, to: dest, env });
    expect(r).toMatchObject({ changed: true, listed: { total: 1 } });
    // Nothing the destination's metadata names answers 404: no delta records, every named file there.
    expect((await recordTypes(dest)).filter((t) => DELTA_TYPES.test(t))).toEqual([]);
    expect(await namedDeltas(dest)).toEqual({ named: [], missing: [] });
    expect(await checkRepo(dest)).toEqual(['hello-2.0-1.noarch']);
    const client = dnf(join(dir, 'dnf'));
    expect(await client.available(pathToFileURL(dest).href)).toEqual(['hello-2.0-1.noarch']);
    expect(await client.install(pathToFileURL(dest).href, 'hello', 'hello')).toBe('hello-2.0-1.noarch');

    // Dropping them is stable: publishing the same source again writes nothing.
    const before = await treeDigest(dest);
    expect((await publish({ from: source, to: dest, env })).changed).toBe(false);
    expect(await treeDigest(dest)).toEqual(before);
  });

  it('a destination that advertises deltas (written by an older publish) gets a generation without them', async () => {
    const plain = await makeRepo(join(dir, 'plain'), [rpmSpec('hello', '2.0')]);
    const dest = join(dir, 'dest-old');
    await publish({ from: plain, to: dest, env });
    // What an older publish left: the source's prestodelta carried into the destination's repodata.
    const presto = parseRepomd(await readFile(join(source, 'repodata', 'repomd.xml'))).records.find((x) => x.type === 'prestodelta')!;
    await run('modifyrepo_c', ['--mdtype=prestodelta', join(source, presto.location.href), join(dest, 'repodata')]);
    expect((await namedDeltas(dest)).missing).toHaveLength(1);

    const r = await publish({ from: plain, to: dest, env });
    expect(r.changed).toBe(true);
    expect(await namedDeltas(dest)).toEqual({ named: [], missing: [] });
    expect(await checkRepo(dest)).toEqual(['hello-2.0-1.noarch']);
  });
});
