import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, waitForPort } from './nginx.js';

export interface TinyproxyServer {
  /** `http://127.0.0.1:PORT` (no credentials, no trailing slash). */
  url: string;
  host: string;
  /** tinyproxy's log: a `Request (file descriptor N): CONNECT host:port HTTP/1.1` line per tunnel. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export interface TinyproxyOptions {
  /** Require these credentials (tinyproxy's BasicAuth; letters, digits, `-` and `.` only). */
  basicAuth?: { user: string; password: string };
  /** Clients allowed (tinyproxy's Allow); others get 403. Default 127.0.0.1. */
  allow?: string;
}

/**
 * A real tinyproxy (Debian's package) on 127.0.0.1, the kind of forward proxy sites put between CI and the
 * internet: run in the foreground with its own config and log in `workDir`, owned by the test. It tunnels
 * CONNECT to any port, for http and https targets alike.
 */
export async function startTinyproxy(workDir: string, options: TinyproxyOptions = {}): Promise<TinyproxyServer> {
  await mkdir(workDir, { recursive: true });
  const port = await freePort();
  const logFile = join(workDir, 'tinyproxy.log');
  const conf = join(workDir, 'tinyproxy.conf');
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  await writeFile(
    conf,
    [
      ...(uid === undefined ? [] : [`User ${uid}`, `Group ${gid ?? uid}`]),
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 30',
      `LogFile "${logFile}"`,
      'LogLevel Connect',
      'MaxClients 32',
      `Allow ${options.allow ?? '127.0.0.1'}`,
      ...(options.basicAuth ? [`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`] : []),
      '',
    ].join('\n'),
  );
  // What it says before its log is open (a config it cannot parse) goes to stderr.log.
  const stderrFile = join(workDir, 'stderr.log');
  const stderr = openSync(stderrFile, 'w');
  const child = spawn('tinyproxy', ['-d', '-c', conf], { stdio: ['ignore', 'ignore', stderr] });
  closeSync(stderr);
  await waitForPort(port, child, stderrFile, 'tinyproxy');
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export const PROXY_VARS = ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'] as const;

/** Runs `work` with the proxy variables of the environment set to `env` (and the others unset). */
export async function withProxyEnv<T>(env: Partial<Record<(typeof PROXY_VARS)[number], string>>, work: () => Promise<T>): Promise<T> {
  const saved = PROXY_VARS.map((k) => [k, process.env[k]] as const);
  for (const k of PROXY_VARS) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
