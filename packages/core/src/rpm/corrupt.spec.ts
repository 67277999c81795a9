import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { readRpmHeaders, readRpmPackage, RpmTag } from './index.js';
import { basicMain, buildRpm, int16, int32, str, strs, type SyntheticEntry } from './synthetic-rpm.spec.helper.js';

const FILES: SyntheticEntry[] = [
  strs(RpmTag.DIRNAMES, ['/usr/bin/', '/etc/']),
  int32(RpmTag.DIRINDEXES, 0, 1),
  strs(RpmTag.BASENAMES, ['tool', 'tool.conf']),
  int16(RpmTag.FILEMODES, 0o100755, 0o100644),
  int32(RpmTag.FILEFLAGS, 0, 1),
];
const VALID = buildRpm({ main: basicMain(FILES) });

/** Where the headers of an .rpm are, read straight from the format description (lead 96 bytes, etc.). */
function layout(buf: Buffer) {
  const sigIl = buf.readUInt32BE(104);
  const sigDl = buf.readUInt32BE(108);
  const sigSize = 16 + 16 * sigIl + sigDl;
  const mainStart = 96 + sigSize + ((8 - (sigSize % 8)) % 8);
  const il = buf.readUInt32BE(mainStart + 8);
  const dl = buf.readUInt32BE(mainStart + 12);
  return { mainStart, il, dl, mainEnd: mainStart + 16 + 16 * il + dl };
}

/** File offset of the index entry for `tag` in the main header. */
function entryAt(buf: Buffer, tag: number): number {
  const { mainStart, il } = layout(buf);
  for (let i = 0; i < il; i++) {
    const at = mainStart + 16 + 16 * i;
    if (buf.readUInt32BE(at) === tag) return at;
  }
  throw new Error(`no tag ${tag}`);
}

function patched(edit: (b: Buffer) => void, base = VALID): Buffer {
  const b = Buffer.from(base);
  edit(b);
  return b;
}

/** A valid v3-style package whose last data item is the SOURCERPM string, with that string's NUL cut off. */
function unterminatedString(): Buffer {
  const base = buildRpm({ main: basicMain(), immutableRegion: false });
  const { mainStart, mainEnd } = layout(base);
  const b = Buffer.concat([base.subarray(0, mainEnd - 1), base.subarray(mainEnd)]);
  b.writeUInt32BE(b.readUInt32BE(mainStart + 12) - 1, mainStart + 12);
  return b;
}

const { mainStart, mainEnd, dl } = layout(VALID);

const CASES: [string, () => Buffer, RegExp][] = [
  ['an empty file', () => Buffer.alloc(0), /^truncated RPM: file ends at byte 0 while reading the lead/],
  ['a file cut inside the lead', () => VALID.subarray(0, 50), /^truncated RPM: file ends at byte 50 while reading the lead/],
  ['a file cut inside the signature header', () => VALID.subarray(0, mainStart - 3), /while reading the signature header/],
  ['a file cut inside the main header', () => VALID.subarray(0, mainEnd - 1), /while reading the main header \(needs \d+ bytes\)/],
  ['a wrong lead magic', () => patched((b) => b.writeUInt32BE(0x12345678, 0)), /^not an RPM: bad lead magic 0x12345678/],
  ['a wrong signature header magic', () => patched((b) => (b[96] = 0)), /^bad signature header magic 0x00ade801 at offset 96/],
  ['a wrong main header magic', () => patched((b) => (b[mainStart + 1] = 0)), new RegExp(`^bad main header magic 0x8e00e801 at offset ${mainStart}`)],
  ['too many signature entries', () => patched((b) => b.writeUInt32BE(1000, 104)), /signature header has 1000 entries \(at most 32 allowed\)/],
  ['too many main entries', () => patched((b) => b.writeUInt32BE(0x10000, mainStart + 8)), /main header has 65536 entries \(at most 65535/],
  ['an absurd main data length', () => patched((b) => b.writeUInt32BE(0x10000000, mainStart + 12)), /main header has 268435456 data bytes/],
  ['a header without entries', () => patched((b) => b.writeUInt32BE(0, mainStart + 8)), /main header has no entries/],
  ['an entry offset outside the data', () => patched((b) => b.writeInt32BE(dl + 100, entryAt(b, RpmTag.NAME) + 8)), /tag 1000 \(NAME\).*data offset outside the \d+-byte data store/],
  ['a negative entry offset', () => patched((b) => b.writeInt32BE(-64, entryAt(b, RpmTag.NAME) + 8)), /data offset outside/],
  ['entries sharing data', () => patched((b) => b.writeInt32BE(0, entryAt(b, RpmTag.LICENSE) + 8)), /tag 1014 \(LICENSE\).*data overlaps the previous entry's/],
  ['an absurd entry count', () => patched((b) => b.writeUInt32BE(0xffffffff, entryAt(b, RpmTag.BASENAMES) + 12)), /count outside 1\.\.\d+/],
  ['integer data running past the end', () => patched((b) => b.writeUInt32BE(Math.floor(dl / 4), entryAt(b, RpmTag.DIRINDEXES) + 12)), /data runs past the end/],
  ['an unknown data type', () => patched((b) => b.writeUInt32BE(42, entryAt(b, RpmTag.LICENSE) + 4)), /tag 1014 \(LICENSE\), type 42.*unknown data type/],
  ['a misaligned integer array', () => patched((b) => b.writeInt32BE(b.readInt32BE(entryAt(b, RpmTag.FILEFLAGS) + 8) + 1, entryAt(b, RpmTag.FILEFLAGS) + 8)), /misaligned data offset/],
  ['a string without its NUL', unterminatedString, /not NUL-terminated/],
  ['a NAME stored as a number', () => buildRpm({ main: basicMain([int32(RpmTag.NAME, 5)]) }), /main header tag 1000 \(NAME\) has type INT32, expected a string/],
  ['an EPOCH stored as a string', () => buildRpm({ main: basicMain([str(RpmTag.EPOCH, '1')]) }), /tag 1003 \(EPOCH\) has type STRING, expected an integer/],
  ['no NAME at all', () => buildRpm({ main: basicMain([], [RpmTag.NAME]) }), /main header has no NAME tag/],
  ['more dirindexes than files', () => buildRpm({ main: basicMain([...FILES, int32(RpmTag.DIRINDEXES, 0, 1, 1)]) }), /tag 1116 \(DIRINDEXES\) has 3 entries for 2 files/],
  ['a directory index out of range', () => buildRpm({ main: basicMain([...FILES, int32(RpmTag.DIRINDEXES, 0, 7)]) }), /file 1 \(tool\.conf\) has directory index 7 of 2/],
  ['file modes missing', () => buildRpm({ main: basicMain(FILES, [RpmTag.FILEMODES]) }), /lists 2 files but has no FILEMODES/],
  [
    'dependency arrays of different lengths',
    () => buildRpm({ main: basicMain([strs(RpmTag.REQUIRENAME, ['a', 'b']), int32(RpmTag.REQUIREFLAGS, 0), strs(RpmTag.REQUIREVERSION, ['', ''])]) }),
    /dependency tags 1049 \(REQUIRENAME\)\/1048 \(REQUIREFLAGS\)\/1050 \(REQUIREVERSION\) have 2\/1\/2 entries/,
  ],
  [
    'changelog arrays of different lengths',
    () => buildRpm({ main: basicMain([int32(RpmTag.CHANGELOGTIME, 1, 2), strs(RpmTag.CHANGELOGNAME, ['a']), strs(RpmTag.CHANGELOGTEXT, ['x', 'y'])]) }),
    /changelog tags have 2 times, 1 names and 2 texts/,
  ],
  ['a payload cut short', () => VALID.subarray(0, VALID.length - 1), /^truncated RPM: the signature header gives \d+ bytes of header and payload but the file has \d+/],
];

describe('reading corrupt packages', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    tmp = await makeTempDir('ovirt-repo-rpm-corrupt-');
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('reads the uncorrupted fixture (so every failure below comes from the corruption)', async () => {
    const path = join(tmp.dir, 'valid.rpm');
    writeFileSync(path, VALID);
    const record = await readRpmPackage(path);
    expect(record.files).toEqual([{ path: '/usr/bin/tool', type: 'file' }, { path: '/etc/tool.conf', type: 'file' }]);
    expect(record.name).toBe('synth');
  });

  it.each(CASES)('rejects %s with a clear E_RPM_INVALID naming the file', async (label, make, message) => {
    const path = join(tmp.dir, `${label.replace(/\W+/g, '-')}.rpm`);
    writeFileSync(path, make());
    const failure = readRpmPackage(path);
    await expect(failure).rejects.toMatchObject({ name: 'OvirtRepoError', code: 'E_RPM_INVALID', target: path });
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toThrow(new RegExp(` in ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it('reports a missing file as E_IO naming it', async () => {
    const path = join(tmp.dir, 'does-not-exist.rpm');
    await expect(readRpmHeaders(path)).rejects.toMatchObject({ code: 'E_IO', target: path, message: expect.stringContaining('ENOENT') });
    await expect(readRpmPackage(path)).rejects.toMatchObject({ code: 'E_IO', target: path });
  });

  it('rejects bad options as usage errors', async () => {
    const path = join(tmp.dir, 'valid.rpm');
    await expect(readRpmPackage(path, { checksumType: 'crc32' as never })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(readRpmPackage(path, { checksumType: 'constructor' as never })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(readRpmPackage(path, { changelogLimit: 1.5 })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
