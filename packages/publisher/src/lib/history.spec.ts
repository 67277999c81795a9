import { ErrorCodes } from '@ovirt-repo/core';
import { emptyHistory, parseHistory, serializeHistory, type PublishHistory } from './history.js';

describe('publish history file', () => {
  const sample: PublishHistory = {
    version: 1,
    packages: {
      'sha256:bb': { href: 'packages/bb/x.rpm', name: 'x', arch: 'noarch', epoch: '0', version: '1', release: '1', size: 10, firstPublished: '2024-01-01T00:00:00.000Z', lastPublished: '2024-01-02T00:00:00.000Z' },
    },
    generations: [{ publishedAt: '2024-01-02T00:00:00.000Z', revision: '1', repomd: { sha256: 'a'.repeat(64), size: 3 }, metadata: ['repodata/p.xml.gz'], packages: 1, source: '/src' }],
  };

  it('round-trips and serialises with stable key order', () => {
    const text = serializeHistory(sample);
    expect(parseHistory(text, 'h.json')).toEqual(sample);
    const shuffled = JSON.parse(text) as Record<string, unknown>;
    const reordered = { generations: shuffled.generations, packages: shuffled.packages, version: 1 } as PublishHistory;
    expect(serializeHistory(reordered)).toBe(text);
    expect(text.indexOf('"generations"')).toBeLessThan(text.indexOf('"packages"'));
  });

  it('names the file and the first problem when invalid', () => {
    expect(() => parseHistory('{', 'dest/.ovirt-repo/publish-history.json')).toThrow(expect.objectContaining({ code: ErrorCodes.REPODATA_INVALID, message: expect.stringContaining('not JSON') }));
    const bad = { ...sample, generations: [{ ...sample.generations[0], repomd: { sha256: 'nothex', size: 1 } }] };
    expect(() => parseHistory(JSON.stringify(bad), 'h.json')).toThrow(expect.objectContaining({ message: expect.stringContaining('generations.0.repomd.sha256') }));
    expect(() => parseHistory(JSON.stringify({ version: 2 }), 'h.json')).toThrow(/version/);
  });

  it('starts empty', () => {
    expect(emptyHistory()).toEqual({ version: 1, packages: {}, generations: [] });
  });
});
