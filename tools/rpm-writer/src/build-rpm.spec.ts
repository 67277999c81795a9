import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { makeTempDir } from '@ovirt-repo/test-support';
import { buildRpm, rpmFileName } from './build-rpm.js';
import type { RpmSpec } from './spec.js';
import { writeRpm } from './write-rpm.js';

const spec: RpmSpec = {
  name: 'demo',
  epoch: 1,
  version: '2.0',
  release: '3.el9',
  arch: 'x86_64',
  files: [
    { path: '/usr/bin/demo', mode: 0o755, contents: '#!/bin/sh\necho demo\n' },
    { path: '/etc/demo.conf', type: 'config', contents: 'x=1\n' },
  ],
  dependencies: { requires: [{ name: 'bash' }] },
  changelogs: [{ time: 1_600_000_000, author: 'A <a@example.com> - 1:2.0-3', text: '- x' }],
};

/** Tag -> [type, count, raw data from the entry's offset] for one header starting at `at`. */
function readHeader(rpm: Buffer, at: number): { end: number; bytes: Buffer; tags: Map<number, { type: number; data: Buffer; count: number }> } {
  expect(rpm.subarray(at, at + 8).toString('hex')).toBe('8eade80100000000');
  const il = rpm.readUInt32BE(at + 8);
  const dl = rpm.readUInt32BE(at + 12);
  const dataStart = at + 16 + 16 * il;
  const tags = new Map<number, { type: number; data: Buffer; count: number }>();
  for (let i = 0; i < il; i++) {
    const e = at + 16 + 16 * i;
    tags.set(rpm.readUInt32BE(e), { type: rpm.readUInt32BE(e + 4), count: rpm.readUInt32BE(e + 12), data: rpm.subarray(dataStart + rpm.readInt32BE(e + 8), dataStart + dl) });
  }
  return { end: dataStart + dl, bytes: rpm.subarray(at, dataStart + dl), tags };
}

const str = (data: Buffer): string => data.toString('utf8', 0, data.indexOf(0));

function sections(rpm: Buffer) {
  const sig = readHeader(rpm, 96);
  const mainStart = (sig.end + 7) & ~7;
  expect(rpm.subarray(sig.end, mainStart).every((b) => b === 0)).toBe(true);
  const main = readHeader(rpm, mainStart);
  return { sig, main, payload: rpm.subarray(main.end) };
}

describe('buildRpm', () => {
  it('is deterministic: the same spec gives the same bytes', () => {
    const a = buildRpm(spec);
    const b = buildRpm(structuredClone(spec));
    expect(a.equals(b)).toBe(true);
  });

  it('changes when any input changes', () => {
    const a = buildRpm(spec);
    expect(a.equals(buildRpm({ ...spec, buildtime: 1_700_000_001 }))).toBe(false);
    expect(a.equals(buildRpm({ ...spec, files: [{ path: '/usr/bin/demo', mode: 0o755, contents: 'other' }] }))).toBe(false);
  });

  it('writes a lead naming the package and its type', () => {
    const rpm = buildRpm(spec);
    expect(rpm.subarray(0, 4).toString('hex')).toBe('edabeedb');
    expect([rpm[4], rpm[5], rpm.readUInt16BE(6), rpm.readUInt16BE(78)]).toEqual([3, 0, 0, 5]);
    expect(str(rpm.subarray(10, 76))).toBe('demo-1:2.0-3.el9');
    expect(buildRpm({ ...spec, source: true, files: undefined }).readUInt16BE(6)).toBe(1);
  });

  it('signs sizes and digests that match the header and payload', () => {
    const rpm = buildRpm(spec);
    const { sig, main, payload } = sections(rpm);
    const sha256 = createHash('sha256').update(main.bytes).digest('hex');
    const sha1 = createHash('sha1').update(main.bytes).digest('hex');
    const md5 = createHash('md5').update(main.bytes).update(payload).digest();
    expect(str(sig.tags.get(273)!.data)).toBe(sha256);
    expect(str(sig.tags.get(269)!.data)).toBe(sha1);
    expect(sig.tags.get(1004)!.data.subarray(0, 16).equals(md5)).toBe(true);
    expect(sig.tags.get(1000)!.data.readUInt32BE(0)).toBe(main.bytes.length + payload.length);
    const archive = gunzipSync(payload);
    expect(sig.tags.get(1007)!.data.readUInt32BE(0)).toBe(archive.length);
    expect(str(main.tags.get(5092)!.data)).toBe(createHash('sha256').update(payload).digest('hex'));
    expect(str(main.tags.get(5097)!.data)).toBe(createHash('sha256').update(archive).digest('hex'));
    expect(main.tags.get(5093)!.data.readUInt32BE(0)).toBe(8);
    expect([...main.tags.keys()][0]).toBe(63);
    expect([...sig.tags.keys()][0]).toBe(62);
  });

  it('marks a source package with SOURCEPACKAGE and no SOURCERPM', () => {
    const { main } = sections(buildRpm({ ...spec, source: true, files: [{ path: 'demo.spec', contents: 'Name: demo\n' }] }));
    expect(main.tags.get(1106)!.data.readUInt32BE(0)).toBe(1);
    expect(main.tags.has(1044)).toBe(false);
    const binary = sections(buildRpm(spec)).main;
    expect(binary.tags.has(1106)).toBe(false);
    expect(str(binary.tags.get(1044)!.data)).toBe('demo-2.0-3.el9.src.rpm');
  });

  it('leaves out tags that were not given', () => {
    const { main } = sections(buildRpm({ name: 'bare', version: '1', release: '1', arch: 'noarch' }));
    for (const tag of [1003 /* epoch */, 1011 /* vendor */, 1015 /* packager */, 1020 /* url */, 1080 /* changelog */, 1117 /* basenames */]) {
      expect(main.tags.has(tag)).toBe(false);
    }
  });
});

describe('rpmFileName and writeRpm', () => {
  it('names binary and source packages like rpmbuild', () => {
    expect(rpmFileName(spec)).toBe('demo-2.0-3.el9.x86_64.rpm');
    expect(rpmFileName({ ...spec, arch: 'noarch' })).toBe('demo-2.0-3.el9.noarch.rpm');
    expect(rpmFileName({ ...spec, source: true })).toBe('demo-2.0-3.el9.src.rpm');
  });

  it('writes the built bytes into a new directory and leaves no temp file', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const path = await writeRpm(spec, `${dir}/nested/out`);
      expect(path).toBe(`${dir}/nested/out/demo-2.0-3.el9.x86_64.rpm`);
      expect((await readFile(path)).equals(buildRpm(spec))).toBe(true);
      expect(await readdir(`${dir}/nested/out`)).toEqual(['demo-2.0-3.el9.x86_64.rpm']);
      const custom = await writeRpm(spec, dir, { fileName: 'custom.rpm' });
      expect(custom).toBe(`${dir}/custom.rpm`);
      await expect(writeRpm(spec, dir, { fileName: '../x.rpm' })).rejects.toThrow(/plain file name/);
    } finally {
      await cleanup();
    }
  });
});
