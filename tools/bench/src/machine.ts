import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { execa } from 'execa';

/** The first non-empty line of a tool's version output (some print it on stderr, like nginx -v). */
export function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
}

async function toolVersion(file: string, args: string[]): Promise<string> {
  const r = await execa(file, args, { reject: false, stdin: 'ignore' });
  if (r.failed && r.exitCode === undefined) return 'not found';
  return firstLine(r.stdout) || firstLine(r.stderr) || `exit ${r.exitCode}`;
}

async function osName(): Promise<string> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return `${m?.[1] ?? 'unknown OS'}, kernel ${release()}`;
}

/** "1.23 0.98 0.75": the 1, 5 and 15 minute load averages; other work on the machine shows up here. */
export function formatLoad(load: number[] = loadavg()): string {
  return load.map((l) => l.toFixed(2)).join(' ');
}

/** What a reader needs to judge the figures: hardware, OS, Node and the peers' versions. */
export async function machineLines(): Promise<string[]> {
  const [os, createrepo, dnf, nginx, rsync, rclone] = await Promise.all([
    osName(),
    toolVersion('createrepo_c', ['--version']),
    toolVersion('dnf', ['--version']),
    toolVersion('nginx', ['-v']),
    toolVersion('rsync', ['--version']),
    toolVersion('rclone', ['version']),
  ]);
  return [
    `CPU:    ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `OS:     ${os}`,
    `Node:   ${process.version}`,
    `Tools:  createrepo_c ${createrepo.replace(/^Version:\s*/, '')}; dnf ${dnf}; ${nginx}; ${rsync}; ${rclone === 'not found' ? 'rclone not found' : rclone}`,
  ];
}
