import { Flags } from '@oclif/core';
import { BaseCommand, sharedFlags } from '@ovirt-repo/core';
import { openExistingStore } from '../lib/cli/store-context.js';
import { startStoreServer } from '../lib/serve/static-server.js';

export interface ServeResult {
  url: string;
  requests: number;
}

export default class Serve extends BaseCommand<typeof Serve> {
  static override summary = 'Serve the store read-only over HTTP (for trying it out; production uses any web server).';

  static override description = `A small static server: GET/HEAD, byte ranges, ETag/Last-Modified, content types for repo files and
directory listings; a directory with an index.html (the store's status pages) shows that instead, as nginx
does. Nothing outside the store is served (the snapshots' pool link works; other symlinks leading out,
".." and encoded tricks do not); writers' temp files and locks/ are hidden. Packages and snapshot files are
sent with long caching, pointers and status pages with no-cache. An s3:// store is served the same way: a
snapshot's pool/ paths are the store's pool. Stops on Ctrl-C.`;

  static override examples = [
    { description: 'Serve on localhost:8080; the status page is http://127.0.0.1:8080/', command: '<%= config.bin %> <%= command.id %> --store ./store' },
    { description: 'Serve to the network', command: '<%= config.bin %> <%= command.id %> --store /srv/repos --host 0.0.0.0 --port 8000' },
    { description: 'Serve a store in an S3 bucket (keys from the AWS environment)', command: '<%= config.bin %> <%= command.id %> --store s3://ci-repos/store' },
  ];

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    host: Flags.string({ summary: 'Address to listen on.', default: '127.0.0.1' }),
    port: Flags.integer({ summary: 'Port (0 picks a free one).', default: 8080, min: 0, max: 65535 }),
    'no-listing': Flags.boolean({ summary: 'Do not list directories.', default: false }),
  };

  public async run(): Promise<ServeResult> {
    const { store } = await openExistingStore({ store: this.flags.store, config: this.flags.config });
    const server = await startStoreServer({ root: store, host: this.flags.host, port: this.flags.port, listing: !this.flags['no-listing'], logger: this.logger });
    this.logToStderr(`Serving ${store.location} at ${server.url}/ (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await server.close();
    return { url: server.url, requests: server.requests };
  }
}
