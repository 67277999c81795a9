import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeWithTools, makeTempDir } from '@ovirt-repo/test-support';
import { injectFiles } from '../src/lib/inject.js';
import { dnfView, pythonView } from './helpers/config-readers.js';

const CONFIG = '[main]\ngpgcheck = 1\n\n[r-el8]\nname = R\nmetalink = https://mirrors.example.org/metalink?repo=r-8\ngpgcheck = 1\nsslverify = 1\n';

/**
 * Items 6 and 22 of issue 15, against the real readers of these files: Python's configparser (reposync
 * tools, mirror_client) and dnf. What inject refuses really changes what they read; what it accepts they
 * read back exactly as the map said.
 */
describeWithTools(['python3', 'dnf'], "inject writes what Python's configparser and dnf read as meant", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const root = () => join(dir, 'root');
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    await mkdir(root());
  });
  afterAll(() => cleanup());

  const payloads = [
    'http://s/r\ngpgcheck=0',
    'http://s/r\rgpgcheck=0',
    'http://s/r\n[evil]\nbaseurl=http://evil/',
    'http://s/r\n  http://evil/',
    'http://s/r http://evil/',
    'http://s/r,http://evil/',
  ];

  it.each(payloads)('%j, written as is, is read as something else; inject refuses it and changes nothing', async (url) => {
    // What writing the value unchecked would give, as the readers see it.
    const naive = join(dir, 'naive.repo');
    await writeFile(naive, CONFIG.replace(/metalink = .*\n/, `baseurl = ${url}\n`));
    const meant = { name: 'R', baseurl: url, gpgcheck: '1', sslverify: '1' };
    const python = await pythonView(naive);
    const dnf = await dnfView(naive, root());
    const pythonReadsIt = 'sections' in python && JSON.stringify(python.sections) === JSON.stringify({ main: { gpgcheck: '1' }, 'r-el8': meant });
    const dnfReadsIt = 'sections' in dnf && dnf.sections['r-el8']?.baseurl === url && Object.keys(dnf.sections).join() === 'r-el8';
    expect([pythonReadsIt, dnfReadsIt]).not.toEqual([true, true]);

    const config = join(dir, 'c.repo');
    await writeFile(config, CONFIG);
    await writeFile(join(dir, 'map.json'), JSON.stringify({ 'r-el8': url }));
    await expect(injectFiles({ files: [config], mirrors: join(dir, 'map.json') })).rejects.toMatchObject({ code: 'E_CONFIG_INVALID' });
    expect(await readFile(config, 'utf8')).toBe(CONFIG);
  });

  it('odd but valid URLs are read back exactly by both', async () => {
    const urls = {
      'r-el8': 'http://s/yum/r-el8/2024-05-01T10:00:00Z/?a=1&b=%20c;d#e',
      inserted: 'file:///srv/store/yum/r-el8/1',
    };
    const config = join(dir, 'valid.repo');
    await writeFile(config, CONFIG);
    await writeFile(join(dir, 'valid.json'), JSON.stringify({ 'r-el8': urls['r-el8'], 'before:r-el8': [['inserted', urls.inserted]] }));
    await injectFiles({ files: [config], mirrors: join(dir, 'valid.json') });
    const python = await pythonView(config);
    const dnf = await dnfView(config, root());
    expect(python).toEqual({
      sections: {
        main: { gpgcheck: '1' },
        inserted: { baseurl: urls.inserted, proxy: 'None' },
        'r-el8': { name: 'R', gpgcheck: '1', sslverify: '1', baseurl: urls['r-el8'], proxy: '_none_' },
      },
    });
    expect('sections' in dnf && Object.keys(dnf.sections).sort()).toEqual(['inserted', 'r-el8']);
    expect('sections' in dnf && [dnf.sections.inserted!.baseurl, dnf.sections['r-el8']!.baseurl]).toEqual([urls.inserted, urls['r-el8']]);
  });

  it('a config with CR line endings: Python reads its sections, dnf refuses it, inject refuses it naming the line', async () => {
    const config = join(dir, 'cr.repo');
    const text = CONFIG.replace(/\n/g, '\r');
    await writeFile(config, text);
    expect(await pythonView(config)).toMatchObject({ sections: { 'r-el8': { gpgcheck: '1' } } });
    expect(await dnfView(config, root())).toEqual({ error: expect.stringContaining('Text after section') });
    await writeFile(join(dir, 'cr.json'), JSON.stringify({ 'r-el8': 'http://s/r' }));
    await expect(injectFiles({ files: [config], mirrors: join(dir, 'cr.json') })).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: `${config}:1: a carriage return (CR) without a line feed: Python's configparser ends the line there, dnf does not`,
    });
    expect(await readFile(config, 'utf8')).toBe(text);
  });
});
