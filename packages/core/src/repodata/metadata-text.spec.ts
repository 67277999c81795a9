import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { readMetadataText } from './metadata-text.js';
import { primaryHeader } from './package-xml.js';
import { makePackage } from './sample-package.spec.helper.js';
import { writeRepodata } from './writer.js';

describe('readMetadataText', () => {
  it('gives the decompressed text of a file that matches its record, and refuses one that does not', async () => {
    const { dir } = await makeTempDir('metadata-text-');
    const summary = await writeRepodata({ outDir: dir, packages: [makePackage(1)], revision: '1', fsync: false, env: {} });
    const record = summary.records.find((r) => r.type === 'primary')!;
    const path = join(dir, record.location.href.replace(/^repodata\//, ''));
    expect(await readMetadataText(path, record)).toMatch(new RegExp(`^${primaryHeader(1).replace(/[?.]/g, '\\$&')}`));
    await appendFile(path, 'x');
    await expect(readMetadataText(path, record, 'https://mirror/primary.xml.gz')).rejects.toMatchObject({
      code: 'E_SIZE_MISMATCH',
      message: expect.stringMatching(/^https:\/\/mirror\/primary\.xml\.gz has \d+ bytes, expected \d+/),
    });
  });
});
