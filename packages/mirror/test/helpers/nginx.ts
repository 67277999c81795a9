import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export interface Nginx {
  url: string;
  stop(): Promise<void>;
  accessLog(): Promise<string>;
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
    if (Date.now() > deadline) throw new Error('nginx did not start listening');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A real nginx serving `root` on 127.0.0.1 (a free port), as a foreground process the test owns: the
 * minimal configuration docs/mirror.md recommends (plain static files, no rewrite rules). With `prefix`
 * (`/repos/`) the store is served below it through `alias`, as the docs show, instead of at the root.
 */
export async function startNginx(root: string, workDir: string, options: { prefix?: string } = {}): Promise<Nginx> {
  await mkdir(join(workDir, 'tmp'), { recursive: true });
  const port = await freePort();
  const errorLog = join(workDir, 'error.log');
  const accessLog = join(workDir, 'access.log');
  const conf = join(workDir, 'nginx.conf');
  await writeFile(
    conf,
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${join(workDir, 'nginx.pid')};
error_log ${errorLog} warn;
events { worker_connections 64; }
http {
  access_log ${accessLog};
  client_body_temp_path ${join(workDir, 'tmp')};
  proxy_temp_path ${join(workDir, 'tmp')};
  fastcgi_temp_path ${join(workDir, 'tmp')};
  uwsgi_temp_path ${join(workDir, 'tmp')};
  scgi_temp_path ${join(workDir, 'tmp')};
  types { application/xml xml; application/x-rpm rpm; application/gzip gz; application/json json; text/plain txt; text/html html; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    ${
      options.prefix
        ? `location ${options.prefix} {
      alias ${root}/;
      autoindex on;
      location ~ ^${options.prefix}locks/ { return 404; }
      location ~ /\\. { return 404; }
      location ~ (latest\\.txt|all_latest\\.[a-z]+|index\\.html)$ { add_header Cache-Control no-cache; }
    }`
        : `root ${root};
    autoindex on;
    location /locks/ { return 404; }
    location ~ /\\. { return 404; }
    location ~ (latest\\.txt|all_latest\\.[a-z]+)$ { add_header Cache-Control no-cache; }`
    }
  }
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
