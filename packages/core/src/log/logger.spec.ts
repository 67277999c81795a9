import { terminalScreen } from '@ovirt-repo/test-support';
import { createStreamLogger, silentLogger } from './logger.js';

function fakeStream(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream };
}

const MiB = 1024 * 1024;

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
    const p = createStreamLogger({ stream, env: {} }).progress('sync', 2); // outside CI, whatever runs the test
    p.tick();
    expect(chunks[0]).toMatch(/^\rsync \[#+\.+\] 1\/2 50%$/);
    p.done('synced 2');
    expect(chunks.at(-1)).toBe('synced 2\n');
  });

  describe('on a terminal', () => {
    /** A terminal logger on a fake clock, outside CI; `t` moves the clock. */
    function terminal(columns = 200) {
      const { chunks, stream } = fakeStream(true, columns);
      const clock = { t: 0 };
      const log = createStreamLogger({ stream, env: {}, now: () => clock.t });
      return { chunks, log, clock };
    }

    it('redraws at most every 100 ms however often the phase ticks', () => {
      const { chunks, log, clock } = terminal();
      const p = log.progress('Downloading packages', 3000, 3000 * 1024);
      for (let i = 0; i < 3000; i++) {
        clock.t = i; // one package a millisecond: 3 seconds
        p.tick(1, 1024);
      }
      // The first tick draws at once, then one redraw per 100 ms: 30 of them, not 3000.
      expect(chunks).toHaveLength(30);
      expect(chunks.every((c) => c.startsWith('\r') && !c.includes('\n'))).toBe(true);
    });

    it('shows items done/total, bytes in human units, rate and ETA', () => {
      const { chunks, log, clock } = terminal();
      const p = log.progress('Downloading packages', 3000, 40 * MiB);
      clock.t = 4000;
      p.tick(1000, 10 * MiB); // a quarter of the bytes in 4 s: 2.5 MiB/s, 12 s to go
      expect(chunks.at(-1)).toBe('\rDownloading packages [#####...............] 1000/3000 25%  10.0 MiB/40.0 MiB  2.5 MiB/s  ETA 12s');
      clock.t = 8000;
      p.tick(0, 10 * MiB);
      expect(chunks.at(-1)).toMatch(/ 1000\/3000 50% {2}20\.0 MiB\/40\.0 MiB {2}2\.5 MiB\/s {2}ETA 8s *$/); // spaces over the longer line before
    });

    it('counts items per second and minutes of ETA for a phase without bytes', () => {
      const { chunks, log, clock } = terminal();
      const p = log.progress('Reading packages', 10_000);
      clock.t = 60_000;
      p.tick(1000); // 1000 a minute: 9 minutes to go
      expect(chunks.at(-1)).toBe('\rReading packages [##..................] 1000/10000 10%  17/s  ETA 9m00s');
    });

    it('counts without a bar when the total is not known', () => {
      const { chunks, log, clock } = terminal();
      const p = log.progress('Verifying packages', 0);
      clock.t = 2000;
      p.tick(50);
      expect(chunks.at(-1)).toBe('\rVerifying packages 50  25/s');
    });

    it('takes back the bytes of a download that starts over', () => {
      const { chunks, log, clock } = terminal();
      const p = log.progress('Downloading packages', 1, 2 * MiB);
      p.tick(0, MiB);
      clock.t = 200;
      p.tick(0, -MiB);
      expect(chunks.at(-1)).toMatch(/ 0\/1 0% {2}0 B\/2\.0 MiB\s*$/);
    });

    it('erases the bar at the end and for a message, so only whole lines stay', () => {
      const { chunks, log, clock } = terminal();
      const p = log.progress('Copying packages', 4);
      p.tick();
      log.warn('a mirror is slow');
      clock.t = 1000;
      p.tick();
      p.done('Copied 4 packages');
      // What a terminal shows once every \r and erase-line is applied.
      expect(terminalScreen(chunks.join(''))).toEqual(['Warning: a mirror is slow', 'Copied 4 packages', '']);
      // Erased where it was drawn: never a line that starts in the middle of a bar.
      expect(chunks.join('')).toContain('\r\x1b[KCopied 4 packages\n');
    });

    it('keeps within the terminal width, so a redraw never wraps', () => {
      const { chunks, log } = terminal(40);
      log.progress('Downloading packages to check their signatures', 10, MiB).tick(1, 1024);
      expect(chunks.at(-1)?.length).toBe(1 + 39);
    });

    it('prints plain lines in CI even on a terminal (runners that allocate a pty keep every redraw)', () => {
      const { chunks, stream } = fakeStream(true);
      const clock = { t: 0 };
      const p = createStreamLogger({ stream, env: { CI: 'true' }, now: () => clock.t }).progress('Downloading packages', 10, 10 * MiB);
      clock.t = 10_000;
      p.tick(4, 4 * MiB);
      expect(chunks).toEqual(['Downloading packages: 4/10 (40%), 4.0 MiB of 10.0 MiB\n']);
    });
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
