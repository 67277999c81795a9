import { startNginx as startServer } from '@ovirt-repo/test-support';

/**
 * A real nginx on loopback, so mirror sync and dnf reposync download over the same HTTP server a CI
 * deployment uses.
 */
export interface Nginx {
  url: string;
  /** Requests served so far (lines of the access log), to count what one command asked for. */
  requests(): Promise<number>;
  stop(): Promise<void>;
}

/** Serve `root` at `/` from a foreground nginx whose config, logs and temp files live in `workDir`. */
export async function startNginx(root: string, workDir: string): Promise<Nginx> {
  const server = await startServer({ '/': root }, workDir);
  return {
    url: server.url,
    requests: async () => (await server.accessLog().catch(() => '')).split('\n').filter(Boolean).length,
    stop: server.stop,
  };
}
