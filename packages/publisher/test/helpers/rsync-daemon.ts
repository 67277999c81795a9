import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

export interface RsyncDaemon {
  port: number;
  /** rsync://127.0.0.1:PORT */
  url: string;
  /** Local directory of each module by name. */
  modules: Record<string, string>;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** A free TCP port on loopback (bound and released; the daemon takes it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`rsync daemon exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`rsync daemon did not listen on ${port} within ${timeoutMs} ms`);
}

/**
 * Start a real rsync daemon on 127.0.0.1 with a generated rsyncd.conf: module `repo` (writable), `ro`
 * (read only). Runs as the current user (uid/gid set explicitly, so a root test run does not switch to
 * nobody). Stop it with stop().
 */
export async function startRsyncDaemon(dir: string): Promise<RsyncDaemon> {
  const modules: Record<string, string> = { repo: join(dir, 'repo'), ro: join(dir, 'ro') };
  await mkdir(modules.repo!, { recursive: true });
  await mkdir(modules.ro!, { recursive: true });
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const conf = [
    `pid file = ${join(dir, 'rsyncd.pid')}`,
    `log file = ${join(dir, 'rsyncd.log')}`,
    'use chroot = no',
    `uid = ${uid}`,
    `gid = ${gid}`,
    '[repo]',
    `  path = ${modules.repo}`,
    '  read only = false',
    '[ro]',
    `  path = ${modules.ro}`,
    '  read only = true',
  ].join('\n');
  const confFile = join(dir, 'rsyncd.conf');
  await writeFile(confFile, `${conf}\n`);
  await chmod(confFile, 0o600);
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn('rsync', ['--daemon', '--no-detach', `--config=${confFile}`, `--port=${port}`, '--address=127.0.0.1'], { stdio: 'ignore' });
    try {
      await waitForPort(port, child);
    } catch (e) {
      child.kill('SIGKILL');
      if (attempt < 3) continue;
      throw e;
    }
    return {
      port,
      url: `rsync://127.0.0.1:${port}`,
      modules,
      log: () => readFile(join(dir, 'rsyncd.log'), 'utf8').catch(() => ''),
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }
}

/**
 * A stand-in for ssh that runs the remote command on this machine, the way sshd would: it accepts ssh's
 * option syntax (-p PORT, -l USER, -o OPT...), records its arguments to `log`, drops the host name and hands
 * the remaining words to `sh -c` joined by spaces (ssh's own behaviour). rsync is pointed at it with -e,
 * so the rsync target's whole ssh code path runs — only the network hop is missing.
 */
export async function writeFakeSsh(dir: string): Promise<{ rsh: string; log: string }> {
  const rsh = join(dir, 'fake-ssh');
  const log = join(dir, 'fake-ssh.log');
  await writeFile(
    rsh,
    `#!/bin/sh
echo "$*" >> '${log}'
while [ $# -gt 0 ]; do
  case "$1" in
    -[bcDEeFIiJLlmOopQRSWw]) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
shift
exec sh -c "$*"
`,
    { mode: 0o755 },
  );
  return { rsh, log };
}
