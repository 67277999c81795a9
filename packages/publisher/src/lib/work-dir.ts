import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

const PATTERN = /^ovirt-repo-(publish|rsync|s3)-(.+)-(\d+)-[^-]{6}$/;
/** This host's name as it appears in scratch directory names (a /tmp shared by containers is common). */
const HOST = hostname().replace(/[^A-Za-z0-9.]/g, '_');

/**
 * A private scratch directory in the system temp dir, named after this process
 * (`ovirt-repo-<kind>-<host>-<pid>-XXXXXX`),
 * so a later run can recognise the ones a killed publish left behind (see sweepStaleWorkDirs).
 */
export function makeWorkDir(kind: 'publish' | 'rsync' | 's3'): Promise<string> {
  return mkdtemp(join(tmpdir(), `ovirt-repo-${kind}-${HOST}-${process.pid}-`));
}

/**
 * Remove scratch directories of publish runs whose process is gone (a SIGKILLed publish cannot clean up
 * after itself). Directories of live processes are left alone; errors are ignored (best effort).
 */
export async function sweepStaleWorkDirs(): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    const m = PATTERN.exec(name);
    const pid = Number(m?.[3]);
    // Only this host's: a pid says nothing about processes of another machine or container.
    if (!m || m[2] !== HOST || !pid || pid === process.pid || isAlive(pid)) continue;
    await rm(join(tmpdir(), name), { recursive: true, force: true }).then(() => removed.push(name), () => undefined);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
