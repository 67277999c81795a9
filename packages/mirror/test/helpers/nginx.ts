import { startNginx as startServer } from '@ovirt-repo/test-support';

export interface Nginx {
  url: string;
  stop(): Promise<void>;
  accessLog(): Promise<string>;
}

/**
 * A real nginx serving the store `root` on 127.0.0.1 with the rules docs/mirror.md recommends: plain static
 * files, no rewrite rules, writers' locks and temp files hidden, pointers and pages not cached. With
 * `prefix` (`/repos/`) the store is served below it, as the docs show, instead of at the root.
 */
export async function startNginx(root: string, workDir: string, options: { prefix?: string } = {}): Promise<Nginx> {
  const prefix = options.prefix ?? '/';
  const extra = [
    `      location ~ ^${prefix}locks/ { return 404; }`,
    '      location ~ /\\. { return 404; }',
    '      location ~ (latest\\.txt|all_latest\\.[a-z]+|index\\.html)$ { add_header Cache-Control no-cache; }',
  ].join('\n');
  return startServer({ [prefix]: { dir: root, extra } }, workDir);
}
