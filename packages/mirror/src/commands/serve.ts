import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { Flags } from '@oclif/core';
import { BaseCommand, ErrorCodes, OvirtRepoError, sharedFlags } from '@ovirt-repo/core';
import { openExistingStore } from '../lib/cli/store-context.js';
import { startStoreServer } from '../lib/serve/static-server.js';

export interface ServeResult {
  url: string;
  requests: number;
}

export default class Serve extends BaseCommand<typeof Serve> {
  static override summary = 'Serve the store read-only over HTTP (for trying it out; production uses any web server).';

  static override description = `A small static server: GET/HEAD, byte ranges, ETag/Last-Modified, content types for repo files and directory listings; a directory with an index.html (the store's status pages) shows that instead, as nginx does. Nothing outside the store is served (the snapshots' pool link works; other symlinks leading out, ".." and encoded tricks do not); writers' temp files and locks/ are hidden. Packages and snapshot files are sent with long caching, pointers and status pages with no-cache. An s3:// store is served the same way: a snapshot's pool/ paths are the store's pool. Stops on Ctrl-C.`;

  static override examples = [
    { description: 'Serve on localhost:8080; the status page is http://127.0.0.1:8080/', command: '<%= config.bin %> <%= command.id %> --store ./store' },
    { description: 'Serve to the network', command: '<%= config.bin %> <%= command.id %> --store /srv/repos --host 0.0.0.0 --port 8000' },
    { description: 'Log every request in nginx\'s combined format to a file (- for stderr)', command: '<%= config.bin %> <%= command.id %> --store ./store --access-log /var/log/ovirt-repo/access.log' },
    { description: 'Serve a store in an S3 bucket (keys from the AWS environment)', command: '<%= config.bin %> <%= command.id %> --store s3://ci-repos/store' },
  ];

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    host: Flags.string({ summary: 'Address to listen on.', default: '127.0.0.1' }),
    port: Flags.integer({ summary: 'Port (0 picks a free one).', default: 8080, min: 0, max: 65535 }),
    'no-listing': Flags.boolean({ summary: 'Do not list directories.', default: false }),
    'access-log': Flags.string({ summary: "Log each request in nginx's combined format to FILE (appended), or to stderr with -.", helpValue: 'FILE|-' }),
  };

  public async run(): Promise<ServeResult> {
    const { store } = await openExistingStore({ store: this.flags.store, config: this.flags.config });
    const logFile = this.flags['access-log'];
    const file = logFile === undefined || logFile === '-' ? undefined : openAccessLog(logFile);
    const accessLog = logFile === undefined ? undefined : (file ?? { write: (line: string) => process.stderr.write(line) });
    const server = await startStoreServer({ root: store, host: this.flags.host, port: this.flags.port, listing: !this.flags['no-listing'], logger: this.logger, ...(accessLog ? { accessLog } : {}) });
    this.logToStderr(`Serving ${store.location} at ${server.url}/ (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await server.close();
    if (file) await new Promise((resolve) => file.end(resolve));
    return { url: server.url, requests: server.requests };
  }
}

/** The access log, opened (created when missing) before the server starts, so a bad path fails at once. */
function openAccessLog(path: string): WriteStream {
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OvirtRepoError(ErrorCodes.IO, `cannot open the access log ${path} for appending: ${code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`, {
      target: path,
      hint: 'give a file in an existing directory this user may write, or --access-log - for stderr',
      cause: e,
    });
  }
  return createWriteStream('', { fd });
}
