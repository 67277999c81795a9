import { existsSync, writeFileSync } from 'node:fs';

/**
 * Crash-test hook: with OVIRT_REPO_TEST_PAUSE_AT=<point> a sync stops at that point, writes
 * OVIRT_REPO_TEST_PAUSE_FILE (if set) and waits, so a test can SIGKILL it exactly there: for ever, or
 * until OVIRT_REPO_TEST_RESUME_FILE exists when that is set (a writer paused past its lock's staleness that
 * then goes on). Inert unless the variable is set and names this point.
 */
export async function pauseForTest(point: string): Promise<void> {
  const at = process.env.OVIRT_REPO_TEST_PAUSE_AT;
  if (!at || !at.split(',').includes(point)) return;
  const file = process.env.OVIRT_REPO_TEST_PAUSE_FILE;
  if (file) writeFileSync(file, `${process.pid} ${point}\n`);
  const resume = process.env.OVIRT_REPO_TEST_RESUME_FILE;
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      if (resume && existsSync(resume)) {
        clearInterval(timer);
        done();
      }
    }, 50);
  });
}
