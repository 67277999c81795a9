import { BaseCommand, plural, sharedFlags } from '@ovirt-repo/core';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { listRepoSummaries, type ListReposResult } from '../../lib/repo/list-repos.js';
import { table } from '../snapshot/list.js';

export default class RepoList extends BaseCommand<typeof RepoList> {
  static override summary = 'List the repos of the store: latest snapshot, number of snapshots, pins.';

  static override description = 'A repo that a delete or rename was working on when it was interrupted is not listed as a repo: it is shown at the end with the command that finishes the work.';

  static override examples = [
    { description: 'Every repo of a store', command: '<%= config.bin %> <%= command.id %> --store /var/www/html/repos' },
    { description: 'As JSON, with the URL of each latest snapshot', command: '<%= config.bin %> <%= command.id %> --json --base-url http://mirrors.example.org/repos' },
  ];

  static override flags = { store: sharedFlags.store(), config: sharedFlags.config(), 'base-url': sharedFlags.baseUrl() };

  public async run(): Promise<ListReposResult> {
    const { store, knownBaseUrl } = await openExistingStore({ store: this.flags.store, baseUrl: this.flags['base-url'], config: this.flags.config });
    const r = await listRepoSummaries(store, { baseUrl: knownBaseUrl });
    const rows = r.repos.map((x) => [x.repo, x.latest ?? '(none)', String(x.snapshots), x.pins.map((p) => `${p.id}${p.reason ? ` (${p.reason})` : ''}`).join(', ')]);
    if (rows.length > 0) this.log(table([['REPO', 'LATEST', 'SNAPSHOTS', 'PINNED'], ...rows]));
    else this.log(`store ${store.location} has no repos`);
    if (r.pending.length > 0) this.log(`${plural(r.pending.length, 'interrupted operation')}:`);
    for (const p of r.pending) this.log(`  ${p.repo}: ${p.state}; finish it with: ${p.finish}`);
    return r;
  }
}
