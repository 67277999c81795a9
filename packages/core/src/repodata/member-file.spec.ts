import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { makeTempDir } from '@ovirt-repo/test-support';
import { MemberFile } from './member-file.js';

let work: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir: work, cleanup } = await makeTempDir('ovirt-repo-member-file-')));
afterAll(() => cleanup());

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('MemberFile', () => {
  it('writes members copied one after another from one file, and any others, in order and in place', async () => {
    const texts = ['<a/>', '<bb/>', '<ccc/>', '<dddd/>', '<eeeee/>'].map((t) => t.repeat(200));
    const members = texts.map((t) => gzipSync(t));
    // An earlier file holding all five members back to back: copies of 0, 1, 2 follow one another in it,
    // 4 comes after a gap (3 is not copied), and a member compressed here sits between 1 and 2.
    const earlier = Buffer.concat(members);
    const at = (i: number) => members.slice(0, i).reduce((n, m) => n + m.length, 0);
    const view = (i: number) => earlier.subarray(at(i), at(i) + members[i]!.length);
    const own = gzipSync('<own/>');
    const path = join(work, 'file.xml.gz');
    const file = await MemberFile.create(path, 'sha256', false);
    const spans = [
      await file.appendCopy(view(0), Buffer.byteLength(texts[0]!), 'member 0'),
      await file.appendCopy(view(1), Buffer.byteLength(texts[1]!), 'member 1'),
      await file.append(own, Buffer.from('<own/>')),
      await file.appendCopy(view(2), Buffer.byteLength(texts[2]!), 'member 2'),
      await file.appendCopy(view(4), Buffer.byteLength(texts[4]!), 'member 4'),
    ];
    const result = await file.end();
    const expected = Buffer.concat([members[0]!, members[1]!, own, members[2]!, members[4]!]);
    const written = await readFile(path);
    expect(written.equals(expected)).toBe(true);
    expect(result.checksum).toEqual({ type: 'sha256', value: sha256(expected), size: expected.length });
    expect(result.openChecksum?.value).toBe(sha256(gunzipSync(expected)));
    let offset = 0;
    for (const [i, m] of [members[0]!, members[1]!, own, members[2]!, members[4]!].entries()) {
      expect(spans[i]!.slice(0, 2)).toEqual([offset, m.length]);
      offset += m.length;
    }
  });
});
