import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { parseRepoConfig, readRepoSection, substituteVars } from './repo-config.js';
import { parseMetalink, parseMirrorlist } from './mirror-list.js';

describe('yum .repo / reposync configs', () => {
  it('parses sections, continuation lines, comments and both separators', () => {
    const s = parseRepoConfig('# top\n[main]\nreposdir=/dev/null\n\n[a]\nbaseurl=http://x/1/\n  http://x/2/\nexclude: foo*\n; c\n', 'f.repo');
    expect(s.get('main')).toEqual({ reposdir: '/dev/null' });
    expect(s.get('a')).toEqual({ baseurl: 'http://x/1/\nhttp://x/2/', exclude: 'foo*' });
    expect(() => parseRepoConfig('key=value\n', 'f.repo')).toThrow(/f\.repo:1/);
  });

  it("reads a section's network options as dnf does: proxy with its credentials, PEM paths from the file's directory, sslverify", async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const f = join(dir, 'net.repo');
      await writeFile(
        f,
        '[a]\nbaseurl=http://m/\nproxy=proxy.example.org:3128\nproxy_username=ci user\nproxy_password=p@ss\nsslcacert=pki/ca.pem\nsslclientcert=/etc/c.pem\nsslverify=False\n' +
          '[b]\nbaseurl=http://m/\nproxy=_none_\nproxy_username=ci\n[c]\nbaseurl=http://m/\nproxy=\n[d]\nbaseurl=http://m/\nsslverify=maybe\n',
      );
      expect((await readRepoSection(f, 'a', {})).network).toEqual({
        proxy: 'http://ci%20user:p%40ss@proxy.example.org:3128/',
        caCert: join(dir, 'pki', 'ca.pem'),
        clientCert: '/etc/c.pem',
        verify: false,
      });
      expect((await readRepoSection(f, 'b', {})).network).toEqual({ proxy: '_none_' });
      expect((await readRepoSection(f, 'c', {})).network).toEqual({});
      await expect(readRepoSection(f, 'd', {})).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', message: `[d] in ${f}: sslverify must be 1 or 0 (yes/no, true/false, on/off)` });
    } finally {
      await cleanup();
    }
  });

  it('substitutes yum variables', () => {
    expect(substituteVars('http://m/$releasever/${basearch}/$unknown', { releasever: '9', basearch: 'x86_64' })).toBe('http://m/9/x86_64/$unknown');
  });

  it('reads a section with its source and filters, and names unset variables', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const f = join(dir, 'mirrors-reposync.conf');
      await writeFile(f, '[el9]\nbaseurl=http://m/$basearch/\nincludepkgs=vdsm*, ovirt-*\nexcludepkgs=*-debuginfo\nexclude=*-devel\n[ml]\nmirrorlist=http://m/list?arch=$basearch\n[bad]\nbaseurl=http://m/$releasever/\n[none]\nname=x\n');
      const s = await readRepoSection(f, 'el9', { basearch: 'x86_64' });
      expect(s).toMatchObject({ baseurl: ['http://m/x86_64/'], include: ['vdsm*', 'ovirt-*'], exclude: ['*-devel', '*-debuginfo'] });
      expect((await readRepoSection(f, 'ml', { basearch: 'aarch64' })).mirrorlist).toBe('http://m/list?arch=aarch64');
      await expect(readRepoSection(f, 'bad', {})).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', message: expect.stringContaining('$releasever') });
      await expect(readRepoSection(f, 'none', {})).rejects.toMatchObject({ code: 'E_CONFIG_INVALID' });
      await expect(readRepoSection(f, 'missing', {})).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', hint: expect.stringContaining('el9') });
    } finally {
      await cleanup();
    }
  });
});

describe('mirror lists', () => {
  it('reads mirrorlists', () => {
    expect(parseMirrorlist('# c\nhttp://a/x/\n\nftp://b/\nhttps://c/y/\n')).toEqual(['http://a/x/', 'https://c/y/']);
  });

  it('reads metalinks: current hashes, alternates and mirrors by preference', () => {
    const ml = parseMetalink(
      `<metalink><files><file name="repomd.xml">
        <mm0:alternates><mm0:alternate><verification><hash type="sha256">${'1'.repeat(64)}</hash></verification></mm0:alternate></mm0:alternates>
        <verification><hash type="sha256">${'A'.repeat(64)}</hash><hash type="sha512">${'b'.repeat(128)}</hash></verification>
        <resources>
          <url protocol="rsync" preference="100">rsync://m1/repodata/repomd.xml</url>
          <url protocol="https" preference="90">https://m2/9/repodata/repomd.xml</url>
          <url protocol="http" preference="99">http://m3/9/repodata/repomd.xml?a=1&amp;b=2</url>
        </resources></file></files></metalink>`,
      'metalink',
    );
    expect(ml.hashes).toEqual({ sha256: 'a'.repeat(64), sha512: 'b'.repeat(128) });
    expect(ml.alternates).toEqual([{ sha256: '1'.repeat(64) }]);
    expect(ml.baseUrls).toEqual(['http://m3/9/', 'https://m2/9/']);
    expect(() => parseMetalink('<metalink/>', 'm')).toThrow(/repomd\.xml/);
  });
});
