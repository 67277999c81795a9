import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  decompressBuffer,
  filelistsPackageXml,
  isRenderedPackage,
  otherPackageXml,
  primaryPackageXml,
  splitPackageEntries,
  writeRepodata,
  type PackageRecord,
} from '@ovirt-repo/core';
import { makeTempDir } from '@ovirt-repo/test-support';
import { poolHref } from '../store/layout.js';
import type { Candidate } from './candidates.js';
import { joinSelectedPackages, type Joined, type JoinedItem, type OriginMetadata } from './join-packages.js';
import { wholeFileMetadata, type PreviousEntries, type PreviousMetadata } from './previous-entries.js';
import { sampleRecord } from './sample-record.spec.helper.js';
import { readCandidates } from './read-candidates.js';
import { parseLocation } from '../source/location.js';


function candidate(p: PackageRecord, origin: number): Candidate {
  const fileName = p.location.href.split('/').at(-1)!;
  return {
    name: p.name,
    epoch: p.epoch,
    version: p.version,
    release: p.release,
    arch: p.arch,
    origin,
    checksumType: 'sha256',
    digest: p.checksum.value,
    size: p.size.package,
    url: pathToFileURL(`/src/${p.location.href}`),
    fileName,
    poolHref: poolHref(p.checksum.value, fileName),
  };
}

/** Entries as a previous snapshot would hold them: rendered with the pool href. */
function previousOf(packages: PackageRecord[]): PreviousMetadata {
  const inPool = packages.map((p) => ({ ...p, location: { href: candidate(p, 0).poolHref } }));
  const entries: PreviousEntries = {
    primary: new Map(inPool.map((p) => [p.location.href, primaryPackageXml(p)])),
    filelists: new Map(inPool.map((p) => [p.checksum.value, filelistsPackageXml(p)])),
    other: new Map(inPool.map((p) => [p.checksum.value, otherPackageXml(p)])),
  };
  return wholeFileMetadata(entries);
}

async function collect(it: AsyncIterable<JoinedItem>): Promise<Joined[]> {
  const out: Joined[] = [];
  for await (const p of it) out.push(...(Array.isArray(p) ? p : [p]));
  return out;
}

/** A source origin whose metadata files really exist (written by the core writer). */
async function sourceOrigin(packages: PackageRecord[]): Promise<OriginMetadata> {
  const { dir } = await makeTempDir('join-');
  const summary = await writeRepodata({ outDir: join(dir, 'repodata'), packages, revision: '1', fsync: false, env: {} });
  const file = (type: string) => {
    const r = summary.records.find((x) => x.type === type)!;
    return { path: join(dir, r.location.href), record: r, display: r.location.href };
  };
  return { origin: 0, primary: file('primary'), filelists: file('filelists'), other: file('other') };
}

describe('joinSelectedPackages with the previous snapshot entries', () => {
  const a = sampleRecord('alpha');
  const b = sampleRecord('beta');

  it('reads nothing of an origin whose packages the previous snapshot all lists', async () => {
    const missing = { path: '/nonexistent/primary.xml.gz', record: { type: 'primary', location: { href: 'x' }, checksum: { type: 'sha256', value: '0' } }, display: 'x' };
    const input = { origin: 0, primary: missing, filelists: { ...missing, path: '/nonexistent/f' }, other: { ...missing, path: '/nonexistent/o' } } as OriginMetadata;
    const out = await collect(joinSelectedPackages([input], [candidate(a, 0), candidate(b, 0)], previousOf([a, b])));
    expect(out).toEqual([previousOf([a, b]).entriesOf(candidate(a, 0)), previousOf([a, b]).entriesOf(candidate(b, 0))]);
    expect(out.every((p) => isRenderedPackage(p))).toBe(true);
  });

  it('takes the others from the origin metadata, in its order, with pool hrefs', async () => {
    const input = await sourceOrigin([a, b]);
    const out = await collect(joinSelectedPackages([input], [candidate(b, 0), candidate(a, 0)], previousOf([b])));
    expect(out).toHaveLength(2);
    const [first, second] = out;
    expect(isRenderedPackage(first!)).toBe(false);
    expect(first).toMatchObject({ name: 'alpha', location: { href: candidate(a, 0).poolHref }, files: a.files, changelogs: a.changelogs });
    expect(second).toEqual(previousOf([b]).entriesOf(candidate(b, 0)));
  });

  it('does not reuse an entry of another file with the same checksum (another name)', async () => {
    const renamed = { ...candidate(a, 0), fileName: 'alpha-renamed.rpm', poolHref: poolHref(a.checksum.value, 'alpha-renamed.rpm') };
    expect(previousOf([a]).entriesOf(renamed)).toBeUndefined();
    expect(previousOf([a]).entriesOf(candidate(a, 0))).toMatchObject({ key: candidate(a, 0).poolHref });
  });

  it('writes the same metadata with or without reuse, streamed or entry by entry', async () => {
    const input = await sourceOrigin([a, b]);
    const { entries } = await readCandidates(input.primary, parseLocation('/src'), 0, { byLayout: true });
    expect(entries?.size).toBe(2);
    const write = async (origin: OriginMetadata, previous?: PreviousMetadata) => {
      const { dir } = await makeTempDir('join-out-');
      const packages = joinSelectedPackages([origin], [candidate(a, 0), candidate(b, 0)], previous);
      const summary = await writeRepodata({ outDir: dir, packages, packageCount: 2, revision: '1', fsync: false, env: {} });
      const names = await readdir(dir);
      return Promise.all(summary.records.map(async (r) => (await decompressBuffer('gz', await readFile(join(dir, names.find((n) => r.location.href.endsWith(n))!)))).toString()));
    };
    const plain = await write(input);
    expect(await write(input, previousOf([a]))).toEqual(plain);
    expect(await write({ ...input, primaryEntries: entries! }, previousOf([a]))).toEqual(plain);
    expect(await write({ ...input, primaryEntries: entries! })).toEqual(plain);
    expect(splitPackageEntries('primary', plain[0]!)?.size).toBe(2);
  });

  it('parses the needed entries from pass 1 instead of streaming primary again', async () => {
    const input = await sourceOrigin([a, b]);
    const { entries } = await readCandidates(input.primary, parseLocation('/src'), 0, { byLayout: true });
    // An entry that differs from the file shows which one was used.
    const marked = new Map(entries);
    marked.set(b.checksum.value, marked.get(b.checksum.value)!.replace('<summary>beta summary</summary>', '<summary>from pass 1</summary>'));
    const out = await collect(joinSelectedPackages([{ ...input, primaryEntries: marked }], [candidate(a, 0), candidate(b, 0)], previousOf([a])));
    expect(out[1]).toMatchObject({ name: 'beta', summary: 'from pass 1', files: b.files, changelogs: b.changelogs, location: { href: candidate(b, 0).poolHref } });
  });
});
