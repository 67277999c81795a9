import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderPackage, writeRepodata, type PackageRecord, type ReadClient, type Repomd, type RepomdRecord } from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import { parseLocation } from '../../source/location.js';
import type { SourceRepomd } from '../../source/sources.js';
import type { SyncContext } from '../context.js';
import type { Incoming } from '../read-incoming.js';
import { readCandidates } from '../read-incoming/read-candidates.js';
import type { Candidate } from '../shared/candidates.js';
import { sampleRecord } from '../shared/sample-record.spec.helper.js';
import { readSourceEntries } from './source-entries.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function tempDir(prefix: string): Promise<string> {
  const { dir, cleanup } = await makeTempDir(prefix);
  cleanups.push(cleanup);
  return dir;
}

/**
 * A local source whose primary lists `primary`, and whose filelists and other list `joined` (by default
 * the same packages, in the same order), as a generator other than createrepo_c might write them.
 */
async function source(primary: PackageRecord[], joined: PackageRecord[] = primary) {
  const dir = await tempDir('source-entries-');
  const write = (packages: PackageRecord[], sub: string) => writeRepodata({ outDir: join(dir, sub), packages, revision: '1', fsync: false, env: {} });
  const main = await write(primary, 'repodata');
  const other = joined === primary ? main : await write(joined, 'other-order');
  const record = (s: typeof main, type: string) => s.records.find((r) => r.type === type) as RepomdRecord;
  for (const type of ['filelists', 'other']) if (other !== main) await copyFile(join(dir, 'other-order', record(other, type).location.href.slice('repodata/'.length)), join(dir, record(other, type).location.href));
  const repomd: Repomd = { revision: '1', records: [record(main, 'primary'), record(other, 'filelists'), record(other, 'other')] } as Repomd;
  const location = parseLocation(dir);
  const primaryFile = { path: join(dir, record(main, 'primary').location.href), record: record(main, 'primary'), display: 'primary.xml.gz' };
  const incoming = { fetched: [{ source: { index: 0, location } as SourceRepomd, repomd }], primaries: [primaryFile] } as unknown as Incoming;
  const candidates = await readCandidates(primaryFile, location, 0);
  const ctx = { client: {} as ReadClient, options: {} } as unknown as SyncContext;
  const read = async (wanted: Candidate[]) => readSourceEntries(ctx, incoming, wanted, { dir: await tempDir('work-') });
  return { candidates, read };
}

/** What the snapshot lists for `p`: its entries with the href moved into the pool. */
const inPool = (p: PackageRecord, c: Candidate) => renderPackage({ ...p, location: { href: c.poolHref } }).rendered;

describe('readSourceEntries (pass 2)', () => {
  const [a, b, c] = [sampleRecord('alpha'), sampleRecord('beta', { files: [{ path: '/usr/bin/beta', type: 'file' }] }), sampleRecord('gamma')];

  it('joins the wanted packages of primary, filelists and other, hrefs in the pool, and only those', async () => {
    const { candidates, read } = await source([a, b, c]);
    const entries = await read([candidates[2]!, candidates[0]!]);
    try {
      expect(entries.entryOf(candidates[0]!)).toEqual({ key: candidates[0]!.poolHref, rendered: inPool(a, candidates[0]!) });
      expect(entries.entryOf(candidates[2]!).rendered).toEqual(inPool(c, candidates[2]!));
      expect(entries.entryOf(candidates[0]!).rendered.primary).toContain(`<location href="${candidates[0]!.poolHref}"/>`);
      expect(() => entries.entryOf(candidates[1]!)).toThrow(/no entries read/);
    } finally {
      entries.close();
    }
  });

  it('finds entries that filelists and other list in another order', async () => {
    const { candidates, read } = await source([a, b, c], [c, b, a]);
    const entries = await read(candidates);
    try {
      for (const [i, p] of [a, b, c].entries()) expect(entries.entryOf(candidates[i]!).rendered).toEqual(inPool(p, candidates[i]!));
    } finally {
      entries.close();
    }
  });

  it('fails naming the file that lacks a wanted package, or the package that vanished', async () => {
    const lacking = await source([a, b], [a]);
    await expect(lacking.read(lacking.candidates)).rejects.toMatchObject({ code: 'E_REPODATA_INVALID', message: expect.stringMatching(/filelists\.xml\.gz has no entry for beta-1\.0-1\.noarch/) });
    const { candidates, read } = await source([a]);
    const ghost = { ...candidates[0]!, digest: b.checksum.value };
    await expect(read([ghost])).rejects.toMatchObject({ code: 'E_REPODATA_INVALID', message: 'primary.xml.gz changed while it was synced (1 selected packages vanished)' });
  });
});
