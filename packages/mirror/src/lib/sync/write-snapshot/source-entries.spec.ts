import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { hashBuffer, renderPackage, writeRepodata, type PackageRecord, type ReadClient, type Repomd, type RepomdRecord } from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import { parseLocation } from '../../source/location.js';
import type { SourceRepomd } from '../../source/sources.js';
import type { SyncContext } from '../context.js';
import type { Incoming } from '../read-incoming.js';
import { PrimaryRecords, readCandidates } from '../read-incoming/read-candidates.js';
import type { Candidate } from '../shared/candidates.js';
import { sampleRecord } from '../shared/sample-record.spec.helper.js';
import { spoolIn, type WorkArea } from '../shared/work-area.js';
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
 * the same packages, in the same order), as a generator other than createrepo_c might write them; read
 * by pass 1, which keeps every package's primary record.
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
  const areas: WorkArea[] = [];
  const area = async () => {
    areas.push({ dir: await tempDir('work-'), spools: [] });
    return areas.at(-1)!;
  };
  cleanups.push(async () => areas.forEach((w) => w.spools.forEach((spool) => spool.close())));
  const pass1 = await area();
  const records = new PrimaryRecords(await spoolIn(pass1, 'records'), () => true);
  const candidates = await readCandidates(primaryFile, location, 0, records);
  const incoming = { fetched: [{ source: { index: 0, location } as SourceRepomd, repomd }], candidates, records } as unknown as Incoming;
  const ctx = { client: {} as ReadClient, options: {} } as unknown as SyncContext;
  const read = async (wanted: Candidate[]) => readSourceEntries(ctx, incoming, wanted, await area());
  return { dir, repomd, primaryFile, candidates, read };
}

/** What the snapshot lists for `p`: its entries with the href moved into the pool. */
const inPool = (p: PackageRecord, c: Candidate) => renderPackage({ ...p, location: { href: c.poolHref } }).rendered;

describe('readSourceEntries (pass 2)', () => {
  const [a, b, c] = [sampleRecord('alpha'), sampleRecord('beta', { files: [{ path: '/usr/bin/beta', type: 'file' }] }), sampleRecord('gamma')];

  it('joins the wanted packages of primary, filelists and other, hrefs in the pool, and only those', async () => {
    const { candidates, read } = await source([a, b, c]);
    const entries = await read([candidates[2]!, candidates[0]!]);
    expect(entries.entryOf(candidates[0]!)).toEqual({ key: candidates[0]!.poolHref, rendered: inPool(a, candidates[0]!) });
    expect(entries.entryOf(candidates[2]!).rendered).toEqual(inPool(c, candidates[2]!));
    expect(entries.entryOf(candidates[0]!).rendered.primary).toContain(`<location href="${candidates[0]!.poolHref}"/>`);
    expect(() => entries.entryOf(candidates[1]!)).toThrow(/no entries read/);
  });

  it('reads primary.xml only in pass 1, and makes nothing of the other packages of filelists and other', async () => {
    const { dir, repomd, primaryFile, candidates, read } = await source([a, b, c]);
    await rm(primaryFile.path);
    // beta's changelog date is no number: reading other.xml fails as soon as anything is made of beta.
    const other = repomd.records[2]!;
    const bytes = gzipSync(gunzipSync(await readFile(join(dir, other.location.href))).toString().replace('date="3">- beta', 'date="later">- beta'));
    await writeFile(join(dir, other.location.href), bytes);
    repomd.records[2] = { ...other, checksum: { type: 'sha256', value: hashBuffer(bytes, 'sha256').value }, size: bytes.length, openSize: gunzipSync(bytes).length };
    const entries = await read([candidates[0]!, candidates[2]!]);
    expect(entries.entryOf(candidates[2]!).rendered).toEqual(inPool(c, candidates[2]!));
    await expect(read([candidates[1]!])).rejects.toMatchObject({ code: 'E_REPODATA_INVALID', message: expect.stringContaining('invalid changelog date "later"') });
  });

  it('finds entries that filelists and other list in another order', async () => {
    const { candidates, read } = await source([a, b, c], [c, b, a]);
    const entries = await read(candidates);
    for (const [i, p] of [a, b, c].entries()) expect(entries.entryOf(candidates[i]!).rendered).toEqual(inPool(p, candidates[i]!));
  });

  it('fails naming the file that lacks a wanted package', async () => {
    const lacking = await source([a, b], [a]);
    await expect(lacking.read(lacking.candidates)).rejects.toMatchObject({ code: 'E_REPODATA_INVALID', message: expect.stringMatching(/filelists\.xml\.gz has no entry for beta-1\.0-1\.noarch/) });
  });
});
