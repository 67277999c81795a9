import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { mirrorMapToObject } from '../mirror-map/types.js';
import { lockEntriesFor, mirrorMapFromLock } from './apply.js';
import { buildLock } from './build.js';
import { repomdUri } from './repomd.js';
import { verifyLock } from './verify.js';
import { type RunLock, formatRunLock, readRunLock, parseRunLock } from '@ovirt-repo/core';

async function writeRunLock(path: string, lock: RunLock): Promise<string> {
  await writeFile(path, await formatRunLock(lock));
  return path;
}

const SHA = 'a'.repeat(64);

function sampleLock(): RunLock {
  return {
    version: 1,
    createdAt: '2024-05-01T12:00:00.000Z',
    createdBy: 'ovirt-repo/0.1.0',
    map: { uri: 'http://store/yum/all_latest.json', varname: 'latest_ci_repos', sources: ['http://store/yum/all_latest.json'] },
    options: { allowProxy: false, noneValue: null },
    entries: [
      { repo: 'experimental-el8', url: 'http://store/yum/experimental-el8/S2', before: 'ovirt-master-el8', repomd: { sha256: SHA, size: 10 } },
      { repo: 'experimental-el8-extra', url: 'http://store/yum/extra-el8/S3', before: 'ovirt-master-el8', repomd: null, repomdError: 'HTTP 404' },
      { repo: 'ovirt-master-el8', url: 'http://store/yum/ovirt-master-el8/S1', repomd: { sha256: SHA, size: 10 } },
    ],
    files: [{ path: '/w/reposync-config.repo', injected: ['ovirt-master-el8'], inserted: ['experimental-el8', 'experimental-el8-extra'], skipped: [] }],
  };
}

describe('lock files', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());

  it('round-trips through formatRunLock and readRunLock as pretty JSON', async () => {
    const path = await writeRunLock(join(dir, 'run.lock.json'), sampleLock());
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "version": 1,\n');
    expect(await readRunLock(path)).toEqual(sampleLock());
  });

  it('gives back exactly the recorded injections and insertions, in order', () => {
    expect(mirrorMapToObject(mirrorMapFromLock(sampleLock()))).toEqual({
      'ovirt-master-el8': 'http://store/yum/ovirt-master-el8/S1',
      'before:ovirt-master-el8': [
        ['experimental-el8', 'http://store/yum/experimental-el8/S2'],
        ['experimental-el8-extra', 'http://store/yum/extra-el8/S3'],
      ],
    });
    expect(lockEntriesFor(sampleLock(), 'experimental-el8').map((e) => e.url)).toEqual(['http://store/yum/experimental-el8/S2']);
  });

  it('names the line and key of a malformed entry', async () => {
    const text = JSON.stringify({ ...sampleLock(), entries: [{ repo: 'r', url: '', repomd: null }] }, null, 2);
    const line = text.split('\n').findIndex((l) => l.includes('"url": ""')) + 1;
    await expect(parseRunLock(text, 'run.lock.json')).rejects.toThrow(
      expect.objectContaining({
        code: 'E_CONFIG_INVALID',
        message: expect.stringMatching(new RegExp(`^run\\.lock\\.json:${line}: not a valid lock file: entries\\[0\\]\\.url: `)),
        data: { file: 'run.lock.json', line, key: 'entries[0].url' },
      }),
    );
    await expect(parseRunLock('{"version": 1}', 'x.json')).rejects.toThrow(/x\.json:1: not a valid lock file: createdAt/);
    await expect(parseRunLock('[]', 'x.json')).rejects.toThrow(/not a valid lock file: the document/);
  });

  it('refuses a lock of another format version', async () => {
    await expect(parseRunLock(JSON.stringify({ ...sampleLock(), version: 2 }), 'new.json')).rejects.toThrow(
      expect.objectContaining({ code: 'E_CONFIG_INVALID', message: 'new.json: lock format version 2 is not supported (this ovirt-repo reads version 1)' }),
    );
  });

  it('reports a missing lock file as an I/O error naming it', async () => {
    await expect(readRunLock(join(dir, 'none.json'))).rejects.toMatchObject({ code: 'E_IO', target: join(dir, 'none.json') });
  });

  it('builds entries once per repo, records digests from local snapshots and skips URLs with dnf variables', async () => {
    const snap = join(dir, 'store', 'yum', 'r-el8', 'S1');
    await mkdir(join(snap, 'repodata'), { recursive: true });
    await writeFile(join(snap, 'repodata', 'repomd.xml'), 'repomd');
    const file = (path: string) => ({
      path,
      injected: [
        { section: 'r-el8', url: snap, line: 5 },
        { section: 'v-el8', url: 'http://h/$basearch/', line: 9 },
      ],
      inserted: [],
      skipped: [],
    });
    const lock = await buildLock({
      files: [file('/a.repo'), file('/b.repo')],
      map: { uri: 'm.json', varname: 'latest_ci_repos', sources: ['m.json'] },
      options: { allowProxy: false, noneValue: '_none_' },
      createdAt: new Date(0),
      createdBy: 'ovirt-repo/test',
    });
    expect(lock.entries).toEqual([
      { repo: 'r-el8', url: snap, repomd: { sha256: createHash('sha256').update('repomd').digest('hex'), size: 6 } },
      { repo: 'v-el8', url: 'http://h/$basearch/', repomd: null, repomdError: expect.stringContaining('dnf variables') },
    ]);
    const path = await writeRunLock(join(dir, 'local.lock.json'), lock);
    const verified = await verifyLock(path);
    expect(verified.entries.map((e) => [e.repo, e.status])).toEqual([
      ['r-el8', 'unchanged'],
      ['v-el8', 'skipped'],
    ]);
    expect(verified.ok).toBe(true);
  });

  it('reports an entry without a recorded digest as unrecorded, which does not fail the check', async () => {
    const snap = join(dir, 'late', 'S1');
    const lock = sampleLock();
    lock.entries = [{ repo: 'late-el8', url: snap, repomd: null, repomdError: 'was down' }];
    const path = await writeRunLock(join(dir, 'late.lock.json'), lock);
    expect((await verifyLock(path)).entries[0]).toMatchObject({ status: 'missing' });
    await mkdir(join(snap, 'repodata'), { recursive: true });
    await writeFile(join(snap, 'repodata', 'repomd.xml'), 'now here');
    const result = await verifyLock(path);
    expect(result.entries[0]).toMatchObject({ status: 'unrecorded', expected: null, actual: { size: 8 }, error: 'was down' });
    expect(result.ok).toBe(true);
  });

  it('finds repomd.xml below URLs and paths, with or without a trailing slash', () => {
    expect(repomdUri('http://s/yum/r/S1')).toBe('http://s/yum/r/S1/repodata/repomd.xml');
    expect(repomdUri('http://s/yum/r/S1/')).toBe('http://s/yum/r/S1/repodata/repomd.xml');
    expect(repomdUri('file:///srv/r/')).toBe('file:///srv/r/repodata/repomd.xml');
    expect(repomdUri('/srv/r')).toBe('/srv/r/repodata/repomd.xml');
  });
});
