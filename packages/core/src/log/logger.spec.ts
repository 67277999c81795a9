import { createStreamLogger, silentLogger } from './logger.js';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream };
}

describe('logger', () => {
  it('prints plain periodic progress lines when not on a TTY', () => {
    const { chunks, stream } = fakeStream(false);
    let t = 0;
    const log = createStreamLogger({ stream, intervalMs: 1000, now: () => t });
    const p = log.progress('packages', 4);
    p.tick(); // too soon: no line
    t = 1500;
    p.tick(); // interval passed: one line
    p.done();
    expect(chunks).toEqual(['packages: 2/4 (50%)\n', 'packages: 2/4 done\n']);
  });

  it('redraws a bar on a TTY', () => {
    const { chunks, stream } = fakeStream(true);
    const p = createStreamLogger({ stream }).progress('sync', 2);
    p.tick();
    expect(chunks[0]).toMatch(/^\rsync \[#+\.+\] 1\/2 50%$/);
    p.done('synced 2');
    expect(chunks.at(-1)).toBe('synced 2\n');
  });

  it('hides debug unless verbose and prefixes warnings', () => {
    const { chunks, stream } = fakeStream(false);
    const log = createStreamLogger({ stream });
    log.debug('hidden');
    log.warn('careful');
    expect(chunks).toEqual(['Warning: careful\n']);
    expect(() => silentLogger.progress('x', 1).tick()).not.toThrow();
  });
});
