import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { hashBuffer } from '../checksum/index.js';
import { decompressBuffer } from '../compress/index.js';
import type { PackageRecord } from './model.js';
import { readRepo, readRepomd, writeRepodata, type WriteRepodataOptions } from './index.js';
import { makePackage } from './sample-package.spec.helper.js';
import { failure } from '../errors/failure.spec.helper.js';


async function* slowly(packages: PackageRecord[]): AsyncGenerator<PackageRecord> {
  for (const p of packages) {
    await new Promise((r) => setImmediate(r));
    yield p;
  }
}

async function filesOf(dir: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = await readFile(join(dir, f));
  return out;
}

let work: string;
let cleanup: () => Promise<void>;
let n = 0;
beforeAll(async () => ({ dir: work, cleanup } = await makeTempDir('ovirt-repo-writer-')));
afterAll(() => cleanup());

/** A fresh repo directory; metadata goes to its repodata/. */
async function write(options: Partial<WriteRepodataOptions> & Pick<WriteRepodataOptions, 'packages'>) {
  const repoDir = join(work, `repo-${++n}`);
  const summary = await writeRepodata({ repoDir, outDir: join(repoDir, 'repodata'), env: {}, ...options });
  return { repoDir, summary };
}

const PACKAGES = Array.from({ length: 40 }, (_, i) => makePackage(i));
const SYSTEM_DECODERS = { gz: 'gzip', xz: 'xz', zstd: 'zstd' } as const;

describe('writeRepodata', () => {
  // The system's own decoders (gzip, xz, zstd) must agree with what the sizes and checksums say.
  describeWithTools(['gzip', 'xz', 'zstd'], 'against the system decoders', () => {
    it.each(['gz', 'xz', 'zstd'] as const)('writes %s metadata whose names, sizes and checksums are true', async (compression) => {
      const { repoDir, summary } = await write({ packages: PACKAGES, compression });
      const repomd = await readRepomd(summary.repomdPath);
      expect(repomd.records).toEqual(summary.records);
      expect(summary.packages).toBe(40);
      const suffix = { gz: '.gz', xz: '.xz', zstd: '.zst' }[compression];
      for (const r of repomd.records) {
        expect(r.location.href).toBe(`repodata/${r.checksum.value}-${r.type}.xml${suffix}`);
        const bytes = await readFile(join(repoDir, r.location.href));
        expect(r.size).toBe(bytes.length);
        expect(hashBuffer(bytes, 'sha256').value).toBe(r.checksum.value);
        const open = await decompressBuffer(compression, bytes);
        expect(r.openSize).toBe(open.length);
        expect(hashBuffer(open, 'sha256').value).toBe(r.openChecksum!.value);
        const decoded = execFileSync(SYSTEM_DECODERS[compression], ['-dc', join(repoDir, r.location.href)], { maxBuffer: 64 << 20 });
        expect(decoded.equals(open)).toBe(true);
        expect(open.toString('utf8')).toContain('packages="40"');
      }
      const repomdBytes = await readFile(summary.repomdPath);
      expect(summary.repomdChecksum).toEqual({ type: 'sha256', value: hashBuffer(repomdBytes, 'sha256').value, size: repomdBytes.length });
      expect((await readdir(join(repoDir, 'repodata'))).length).toBe(4);
    });
  });

  it('round-trips packages through the reader unchanged', async () => {
    const { repoDir } = await write({ packages: PACKAGES, checksumType: 'sha512', compression: 'xz' });
    const back: PackageRecord[] = [];
    for await (const p of (await readRepo(repoDir)).packages()) back.push(p);
    expect(back).toEqual(PACKAGES);
  });

  it('is reproducible: same input and SOURCE_DATE_EPOCH give identical bytes', async () => {
    for (const compression of ['gz', 'xz', 'zstd'] as const) {
      const env = { SOURCE_DATE_EPOCH: '1700000000' };
      const a = await write({ packages: PACKAGES, compression, env });
      const b = await write({ packages: slowly(PACKAGES), compression, env });
      expect(await filesOf(join(b.repoDir, 'repodata'))).toEqual(await filesOf(join(a.repoDir, 'repodata')));
      expect(a.summary.revision).toBe('1700000000');
      expect(a.summary.records.every((r) => r.timestamp === 1700000000)).toBe(true);
      expect((await stat(a.summary.repomdPath)).mtimeMs).toBe(1700000000 * 1000);
    }
  });

  it('defaults revision and timestamp to now, and takes explicit ones', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { summary } = await write({ packages: [] });
    expect(Number(summary.revision)).toBeGreaterThanOrEqual(before);
    expect(summary.timestamp).toBeGreaterThanOrEqual(before);
    const explicit = await write({ packages: [], revision: 'release-42', timestamp: 5, env: { SOURCE_DATE_EPOCH: '9' } });
    expect(explicit.summary).toMatchObject({ revision: 'release-42', timestamp: 5 });
    // A Unix-time revision alone also fixes the timestamp, like createrepo_c --set-timestamp-to-revision.
    const numeric = await write({ packages: [], revision: '1600000000' });
    expect(numeric.summary).toMatchObject({ revision: '1600000000', timestamp: 1600000000 });
    expect((await stat(numeric.summary.repomdPath)).mtimeMs).toBe(1600000000 * 1000);
    const named = await write({ packages: [], revision: 'r1' });
    expect(named.summary.timestamp).toBeGreaterThanOrEqual(before);
    await expect(write({ packages: [], env: { SOURCE_DATE_EPOCH: 'yesterday' } })).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('writes an empty repository dnf can read', async () => {
    const { repoDir } = await write({ packages: [] });
    const repo = await readRepo(repoDir);
    const primary = await decompressBuffer('gz', await readFile(join(repoDir, repo.primary.location.href)));
    expect(primary.toString()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="0">\n</metadata>',
    );
  });

  it('spools to learn the count of an iterable, and checks a given count', async () => {
    const direct = await write({ packages: PACKAGES, revision: '1', timestamp: 1 });
    const spooled = await write({ packages: slowly(PACKAGES), revision: '1', timestamp: 1 });
    const counted = await write({ packages: slowly(PACKAGES), packageCount: 40, revision: '1', timestamp: 1 });
    const expected = await filesOf(join(direct.repoDir, 'repodata'));
    expect(await filesOf(join(spooled.repoDir, 'repodata'))).toEqual(expected);
    expect(await filesOf(join(counted.repoDir, 'repodata'))).toEqual(expected);
    const repoDir = join(work, 'wrong-count');
    const e = await failure(writeRepodata({ repoDir, outDir: join(repoDir, 'repodata'), packages: slowly(PACKAGES), packageCount: 39 }));
    expect(e.message).toBe('packageCount is 39 but 40 packages were given');
    expect(await readdir(join(repoDir, 'repodata'))).toEqual([]);
  });

  it('refuses control characters XML cannot carry, naming package and field, or skips them on request', async () => {
    const bad = makePackage(7, { description: 'bell\u0007' });
    const e = await failure(write({ packages: [PACKAGES[0]!, bad] }));
    expect(e.code).toBe('E_REPODATA_INVALID');
    expect(e.message).toBe(
      'cannot write package pkg-7-1:1.7-1.el9.x86_64 (Packages/p/pkg-7 ü&x.rpm): description contains a control character XML cannot carry (ASCII below 32 other than tab, LF and CR)',
    );
    const badFile = makePackage(8, { files: [{ path: '/usr/bin/a\u0001b', type: 'file' }] });
    expect((await failure(write({ packages: [badFile] }))).message).toContain('files[0] ("/usr/bin/a\\u0001b")');
    const skipped: string[] = [];
    const { summary, repoDir } = await write({ packages: [PACKAGES[0]!, bad, PACKAGES[1]!], onInvalidPackage: (err, p) => skipped.push(`${p.name}: ${err.code}`) });
    expect(skipped).toEqual(['pkg-7: E_REPODATA_INVALID']);
    expect(summary.packages).toBe(2);
    const primary = await decompressBuffer('gz', await readFile(join(repoDir, summary.records[0]!.location.href)));
    expect(primary.toString()).toContain('packages="2"');
  });

  it('rejects numbers that are not non-negative integers', async () => {
    const e = await failure(write({ packages: [makePackage(1, { time: { file: -1, build: 0 } })] }));
    expect(e.message).toContain('time.file is -1, not a non-negative integer');
  });

  describe('extra records', () => {
    async function sourceRepo() {
      const repoDir = join(work, `extras-src-${++n}`);
      await mkdir(join(repoDir, 'repodata'), { recursive: true });
      const content = Buffer.from('<updates/>\n');
      const sum = hashBuffer(content, 'sha256').value;
      const href = `repodata/${sum}-updateinfo.xml`;
      await writeFile(join(repoDir, href), content);
      const record = {
        type: 'updateinfo',
        location: { href },
        checksum: { type: 'sha256' as const, value: sum },
        openChecksum: { type: 'sha256' as const, value: sum },
        timestamp: 1600000000,
        size: content.length,
        openSize: content.length,
      };
      return { repoDir, record, content };
    }

    it('copies and verifies them, and lists them in createrepo_c order', async () => {
      const src = await sourceRepo();
      const outDir = join(work, `extras-out-${++n}`);
      const summary = await writeRepodata({ repoDir: src.repoDir, outDir, packages: PACKAGES, extraRecords: [src.record], env: {} });
      expect(summary.records.map((r) => r.type)).toEqual(['primary', 'filelists', 'other', 'updateinfo']);
      expect(summary.records[3]).toEqual(src.record);
      expect(await readFile(join(outDir, src.record.location.href.slice('repodata/'.length)))).toEqual(src.content);
    });

    it('refuses a copy whose content does not match its record', async () => {
      const src = await sourceRepo();
      await writeFile(join(src.repoDir, src.record.location.href), '<updates>changed</updates>\n');
      const outDir = join(work, `extras-bad-${++n}`);
      const e = await failure(writeRepodata({ repoDir: src.repoDir, outDir, packages: PACKAGES, extraRecords: [src.record] }));
      expect(e.code).toBe('E_SIZE_MISMATCH');
      expect(await readdir(outDir)).toEqual([]);
    });

    it('refuses core types, unsafe hrefs and missing files', async () => {
      const src = await sourceRepo();
      const go = (record: typeof src.record) => failure(writeRepodata({ repoDir: src.repoDir, outDir: join(work, `x-${++n}`), packages: [], extraRecords: [record] }));
      expect((await go({ ...src.record, type: 'primary' })).code).toBe('E_USAGE');
      expect((await go({ ...src.record, location: { href: 'repodata/../../etc/passwd' } })).code).toBe('E_UNSAFE_PATH');
      const missing = await go({ ...src.record, location: { href: 'repodata/nope.xml' } });
      expect(missing.code).toBe('E_IO');
      expect(missing.message).toContain('cannot carry over the "updateinfo" metadata');
    });
  });

  it('streams tens of thousands of packages', async () => {
    const count = 20000;
    async function* many(): AsyncGenerator<PackageRecord> {
      for (let i = 0; i < count; i++) yield makePackage(i);
    }
    const { summary, repoDir } = await write({ packages: many(), packageCount: count });
    expect(summary.packages).toBe(count);
    let seen = 0;
    for await (const p of (await readRepo(repoDir)).packages()) {
      if (seen === 12345) expect(p).toEqual(makePackage(12345));
      seen++;
    }
    expect(seen).toBe(count);
  });
});
