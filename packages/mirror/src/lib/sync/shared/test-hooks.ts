import { writeFileSync } from 'node:fs';

/**
 * Crash-test hook: with OVIRT_REPO_TEST_PAUSE_AT=<point> a sync stops at that point, writes
 * OVIRT_REPO_TEST_PAUSE_FILE (if set) and waits forever, so a test can SIGKILL it exactly there.
 * Inert unless both the variable is set and names this point.
 */
export async function pauseForTest(point: string): Promise<void> {
  const at = process.env.OVIRT_REPO_TEST_PAUSE_AT;
  if (!at || !at.split(',').includes(point)) return;
  const file = process.env.OVIRT_REPO_TEST_PAUSE_FILE;
  if (file) writeFileSync(file, `${process.pid} ${point}\n`);
  await new Promise<void>(() => setInterval(() => undefined, 1 << 30));
}
