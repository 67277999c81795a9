import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** This host's name as recorded in locks (same name + dead pid = a lock that can be broken at once). */
export function thisHost(): string {
  return hostname();
}

/**
 * The kernel's start time of a process (clock ticks since boot, from /proc/<pid>/stat field 22), used to
 * tell a live lock holder from an unrelated process that reused its pid. Undefined where /proc is missing.
 */
export function processStartTime(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); field 22 (starttime) is rest[19].
    return rest[19];
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists on this host (EPERM means it exists but is not ours). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process that wrote a lock on this host is still running: its pid is alive and, when both
 * start times are known, it is the same process (not a reused pid).
 */
export function isSameHostOwnerAlive(pid: number, startTime: string | undefined): boolean {
  if (!isPidAlive(pid)) return false;
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}
