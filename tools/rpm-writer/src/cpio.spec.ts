import { spawnSync } from 'node:child_process';
import { readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { writeCpio, type CpioEntry } from './cpio.js';

const entries: CpioEntry[] = [
  { name: './etc', ino: 1, mode: 0o40755, mtime: 1_700_000_000, data: Buffer.alloc(0) },
  { name: './etc/a.conf', ino: 2, mode: 0o100644, mtime: 1_700_000_000, data: Buffer.from('a=1\n') },
  { name: './etc/link', ino: 3, mode: 0o120777, mtime: 1_700_000_000, data: Buffer.from('a.conf') },
  { name: './etc/odd', ino: 4, mode: 0o100600, mtime: 1_600_000_000, data: Buffer.from('12345') },
];

function readHeaders(archive: Buffer): { name: string; fields: number[] }[] {
  const out: { name: string; fields: number[] }[] = [];
  let at = 0;
  for (;;) {
    expect(archive.toString('ascii', at, at + 6)).toBe('070701');
    const fields = Array.from({ length: 13 }, (_, i) => parseInt(archive.toString('ascii', at + 6 + 8 * i, at + 14 + 8 * i), 16));
    const nameSize = fields[11];
    const name = archive.toString('utf8', at + 110, at + 110 + nameSize - 1);
    at += 110 + nameSize;
    at += (4 - (at % 4)) % 4;
    at += fields[6];
    at += (4 - (at % 4)) % 4;
    out.push({ name, fields });
    if (name === 'TRAILER!!!') break;
  }
  expect(at).toBe(archive.length);
  return out;
}

describe('writeCpio', () => {
  it('writes newc headers with 4-byte padding and a trailer', () => {
    const archive = writeCpio(entries);
    expect(archive.length % 4).toBe(0);
    const headers = readHeaders(archive);
    expect(headers.map((h) => h.name)).toEqual(['./etc', './etc/a.conf', './etc/link', './etc/odd', 'TRAILER!!!']);
    const [ino, mode, uid, gid, nlink, mtime, size] = headers[3].fields;
    expect({ ino, mode, uid, gid, nlink, mtime, size }).toEqual({ ino: 4, mode: 0o100600, uid: 0, gid: 0, nlink: 1, mtime: 1_600_000_000, size: 5 });
    expect(headers[4].fields[4]).toBe(1);
  });

  it('writes only a trailer for an empty archive', () => {
    const archive = writeCpio([]);
    expect(readHeaders(archive).map((h) => h.name)).toEqual(['TRAILER!!!']);
    expect(archive.length).toBe(124);
  });
});

describeWithTools(['cpio'], 'writeCpio with GNU cpio', () => {
  it('is listed and extracted by cpio', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const file = join(dir, 'a.cpio');
      await writeFile(file, writeCpio(entries));
      const list = spawnSync('cpio', ['-t', '--quiet', '-F', file], { encoding: 'utf8' });
      expect(list.status).toBe(0);
      expect(list.stdout.trim().split('\n')).toEqual(['./etc', './etc/a.conf', './etc/link', './etc/odd']);
      const out = join(dir, 'out');
      const extract = spawnSync('sh', ['-c', `mkdir -p "$1" && cd "$1" && cpio -idm --quiet < "$2"`, 'sh', out, file], { encoding: 'utf8' });
      expect(extract.status).toBe(0);
      expect(await readFile(join(out, 'etc/a.conf'), 'utf8')).toBe('a=1\n');
      expect(await readlink(join(out, 'etc/link'))).toBe('a.conf');
      const odd = await stat(join(out, 'etc/odd'));
      expect(odd.mode & 0o7777).toBe(0o600);
      expect(odd.mtimeMs / 1000).toBe(1_600_000_000);
    } finally {
      await cleanup();
    }
  });
});
