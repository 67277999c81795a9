import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTempDir } from '@ovirt-repo/test-support';
import { hashBuffer } from '../checksum/index.js';
import { readMetadataDocument, readRecordEntries } from './metadata-entries.js';
import { listPackageEntries } from './package-entries.js';
import { makePackage } from './sample-package.spec.helper.js';
import { writeRepodata } from './writer.js';

describe('readRecordEntries', () => {
  async function repo() {
    const { dir } = await makeTempDir('metadata-entries-');
    const summary = await writeRepodata({ outDir: join(dir, 'repodata'), packages: [makePackage(1), makePackage(2)], revision: '1', fsync: false, env: {} });
    const repomd = { records: summary.records };
    const record = summary.records.find((r) => r.type === 'primary')!;
    return { dir, repomd, record, path: join(dir, record.location.href) };
  }

  it('gives the entries of a file that matches its record, as listPackageEntries splits its text', async () => {
    const { dir, repomd } = await repo();
    const entries = await readRecordEntries(dir, repomd, 'primary');
    expect(entries).toHaveLength(2);
    expect(entries?.[0]).toMatch(/^<package type="rpm">\n[\s\S]*<\/package>\n$/);
    expect(await readRecordEntries(dir, { records: repomd.records.filter((r) => r.type !== 'other') }, 'other')).toBeUndefined();
  });

  it('refuses a file with more bytes than its record declares, as soon as they arrive', async () => {
    const { dir, repomd, record, path } = await repo();
    await appendFile(path, 'x');
    await expect(readRecordEntries(dir, repomd, 'primary')).rejects.toMatchObject({
      code: 'E_SIZE_MISMATCH',
      message: `${path} is larger than the ${record.size} bytes repomd.xml declares for it (stopped after ${record.size! + 1} bytes)`,
      data: { expected: record.size, actual: record.size! + 1 },
    });
  });

  it('reports a file that is not what its record says as that, before what else is wrong with it', async () => {
    const { dir, repomd, path } = await repo();
    await writeFile(path, 'damaged');
    await expect(readRecordEntries(dir, repomd, 'primary')).rejects.toMatchObject({ code: 'E_SIZE_MISMATCH', message: expect.stringMatching(/ has 7 bytes, expected \d+$/) });
  });

  it('gives undefined for a verified file in another layout', async () => {
    const { dir, repomd, record, path } = await repo();
    const other = gzipSync('<?xml version="1.0"?>\n<metadata packages="0"/>');
    await writeFile(path, other);
    const { createHash } = await import('node:crypto');
    const edited = { records: repomd.records.map((r) => (r === record ? { ...r, size: other.length, openSize: undefined, checksum: { type: 'sha256' as const, value: createHash('sha256').update(other).digest('hex') } } : r)) };
    expect(listPackageEntries('primary', '<?xml version="1.0"?>\n<metadata packages="0"/>')).toBeUndefined();
    expect(await readRecordEntries(dir, edited, 'primary')).toBeUndefined();
  });
});

describe('readMetadataDocument', () => {
  async function gzFile(text: string) {
    const { dir } = await makeTempDir('metadata-document-');
    const bytes = gzipSync(text);
    const path = join(dir, 'modules.yaml.gz');
    await writeFile(path, bytes);
    const record = { type: 'modules', location: { href: 'repodata/modules.yaml.gz' }, checksum: hashBuffer(bytes, 'sha256'), size: bytes.length, openSize: Buffer.byteLength(text) };
    return { path, record };
  }

  it('gives the whole text of a file that matches its record', async () => {
    const text = '---\ndocument: modulemd\nversion: 2\ndata: {name: é}\n...\n'.repeat(1000);
    const { path, record } = await gzFile(text);
    expect(await readMetadataDocument(path, record, 'modules', 1 << 20)).toBe(text);
  });

  it('stops at the open-size repomd.xml declares, and at the bound whatever it declares', async () => {
    const { path, record } = await gzFile('x'.repeat(8 << 20));
    await expect(readMetadataDocument(path, { ...record, openSize: 100 }, 'modules', 64 << 20)).rejects.toMatchObject({ code: 'E_SIZE_MISMATCH' });
    const { openSize: _declared, ...undeclared } = record;
    await expect(readMetadataDocument(path, undeclared, 'modules', 1 << 20)).rejects.toMatchObject({ code: 'E_SIZE_MISMATCH' });
  });
});
