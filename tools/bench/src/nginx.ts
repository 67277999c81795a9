import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

/**
 * A real nginx on loopback, so mirror sync and dnf reposync download over the same HTTP server a CI
 * deployment uses (the approach of packages/mirror/test/helpers/nginx.ts, copied: tools do not import
 * test helpers).
 */
export interface Nginx {
  url: string;
  /** Requests served so far (lines of the access log), to count what one command asked for. */
  requests(): Promise<number>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, errorLog: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${await readFile(errorLog, 'utf8').catch(() => '')}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx did not start listening on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The minimal static configuration docs/mirror.md recommends; foreground (daemon off) so we own it. */
function config(root: string, workDir: string, port: number): string {
  const tmp = join(workDir, 'tmp');
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${join(workDir, 'nginx.pid')};
error_log ${join(workDir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log ${join(workDir, 'access.log')};
  client_body_temp_path ${tmp};
  proxy_temp_path ${tmp};
  fastcgi_temp_path ${tmp};
  uwsgi_temp_path ${tmp};
  scgi_temp_path ${tmp};
  sendfile on;
  types { application/xml xml; application/x-rpm rpm; application/gzip gz; text/plain txt; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location ~ /\\. { return 404; }
  }
}
`;
}

/** Starts nginx serving `root`; the caller must stop() it (in a finally), and it dies with this process. */
export async function startNginx(root: string, workDir: string): Promise<Nginx> {
  await mkdir(join(workDir, 'tmp'), { recursive: true });
  const port = await freePort();
  const errorLog = join(workDir, 'error.log');
  const accessLog = join(workDir, 'access.log');
  const conf = join(workDir, 'nginx.conf');
  await writeFile(conf, config(root, workDir, port));
  await writeFile(accessLog, '');
  const child = spawn('nginx', ['-c', conf, '-p', workDir, '-e', errorLog], { stdio: 'ignore' });
  // If main dies without reaching stop() (an uncaught error, process.exit), do not leave nginx behind.
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  try {
    await waitForPort(port, child, errorLog);
  } catch (e) {
    child.kill('SIGTERM');
    process.removeListener('exit', onExit);
    throw e;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    requests: async () => (await readFile(accessLog, 'utf8')).split('\n').filter(Boolean).length,
    stop: async () => {
      process.removeListener('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
