import { Flags } from '@oclif/core';
import { BaseCommand, sharedFlags } from '@ovirt-repo/core';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { writeIndex, type WriteIndexResult } from '../../lib/index/write-index.js';
import { YUM_DIR } from '../../lib/store/layout.js';

export default class IndexWrite extends BaseCommand<typeof IndexWrite> {
  static override summary = "Rewrite the store's index: yum/all_latest.{json,yaml,py,html}.";

  static override description = `Maps every repo to the URL of its latest snapshot, <base-url>/yum/<repo>/<id>, under the key latest_ci_repos (the format oVirt's mirror_client reads). Each file is replaced atomically. Syncs do this themselves; run it after changing the base URL or to repair an index a killed writer left stale.`;

  static override examples = [
    { description: 'Index for the web server that serves the store', command: '<%= config.bin %> <%= command.id %> --store /var/www/html/repos --base-url http://mirrors.example.org/repos' },
  ];

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    'base-url': sharedFlags.baseUrl(),
    variable: Flags.string({ summary: 'Name of the mapping in the files.', default: 'latest_ci_repos' }),
  };

  public async run(): Promise<WriteIndexResult> {
    const { store, baseUrl } = await openExistingStore({ store: this.flags.store, baseUrl: this.flags['base-url'], config: this.flags.config });
    const r = await writeIndex(store, { baseUrl, variable: this.flags.variable, logger: this.logger });
    this.log(`Index of ${Object.keys(r.repos).length} repos written (${r.changed.length} files changed) under ${store.locationOf(YUM_DIR)}`);
    return r;
  }
}
