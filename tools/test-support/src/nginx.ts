import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export interface NginxServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  accessLog(): Promise<string>;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** Resolves once `child` (a server the test started) listens on 127.0.0.1:`port`; fails, with its log, when it exits first. */
export async function waitForPort(port: number, child: ChildProcess, errorLog: string, name = 'nginx'): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${await readFile(errorLog, 'utf8').catch(() => '')}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`${name} did not listen on port ${port} within 15 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A served directory, with extra nginx directives inside its `location` block (nested rules, headers). */
export interface NginxLocation {
  dir: string;
  extra?: string;
}

/**
 * A real nginx on 127.0.0.1 serving each `locations` prefix (`/store/`) from a directory, as plain static
 * files with no rewrite rules (the setup docs/operations.md recommends), run in the foreground and owned by
 * the test. `workDir` holds its config, logs and temp dirs.
 */
export function startNginx(locations: Record<string, string | NginxLocation>, workDir: string): Promise<NginxServer> {
  const blocks = Object.entries(locations)
    .map(([prefix, where]) => {
      const { dir, extra = '' } = typeof where === 'string' ? { dir: where } : where;
      return `    location ${prefix} {\n      alias ${dir.replace(/\/?$/, '/')};\n      autoindex on;\n${extra}\n    }`;
    })
    .join('\n');
  return startNginxSite((port) => `  server {\n    listen 127.0.0.1:${port};\n${blocks}\n  }\n`, workDir);
}

/**
 * A real nginx on 127.0.0.1 running `site`, directives of the `http` context (server blocks, a
 * proxy_cache_path...) made for the free port it is given to listen on, as a page of the docs shows them.
 * Run in the foreground and owned by the test; `workDir` holds its config, logs and temp dirs. Each access
 * log line is nginx's `combined` format followed by `cache=$upstream_cache_status` (`HIT`, `MISS`, or `-`
 * where no cache is involved).
 */
export async function startNginxSite(site: (port: number) => string, workDir: string): Promise<NginxServer> {
  await mkdir(join(workDir, 'tmp'), { recursive: true });
  const port = await freePort();
  const errorLog = join(workDir, 'error.log');
  const accessLog = join(workDir, 'access.log');
  const conf = join(workDir, 'nginx.conf');
  const tmp = join(workDir, 'tmp');
  await writeFile(
    conf,
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${join(workDir, 'nginx.pid')};
error_log ${errorLog} warn;
events { worker_connections 64; }
http {
  log_format test '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" cache=$upstream_cache_status';
  access_log ${accessLog} test;
  client_body_temp_path ${tmp};
  proxy_temp_path ${tmp};
  fastcgi_temp_path ${tmp};
  uwsgi_temp_path ${tmp};
  scgi_temp_path ${tmp};
  types { application/xml xml; application/x-rpm rpm; application/gzip gz; application/json json; text/plain txt; text/html html; }
  default_type application/octet-stream;
${site(port)}
}
`,
  );
  const child = spawn('nginx', ['-c', conf, '-p', workDir, '-e', errorLog], { stdio: 'ignore' });
  await waitForPort(port, child, errorLog);
  return {
    url: `http://127.0.0.1:${port}`,
    accessLog: () => readFile(accessLog, 'utf8'),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
