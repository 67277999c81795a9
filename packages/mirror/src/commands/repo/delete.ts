import { Args, Flags } from '@oclif/core';
import { BaseCommand, plural, sharedFlags } from '@ovirt-repo/core';
import { durationFlag } from '../../lib/cli/flags.js';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { deleteRepo, type DeleteRepoResult } from '../../lib/repo/delete-repo.js';

export default class RepoDelete extends BaseCommand<typeof RepoDelete> {
  static override summary = 'Delete a repo: its snapshots, pins and history; its packages stay in the pool for gc.';

  static override description = `Refuses a repo with pinned snapshots unless --force. Waits for a sync of the repo that is running (and a sync started meanwhile waits for the delete). The repo leaves the index (yum/all_latest.*), the status pages and every listing at once; a delete that is killed is finished by running it again. The pool is shared by every repo, so packages are not removed here: \`ovirt-repo gc\` removes those no remaining snapshot uses.`;

  static override examples = [
    { description: 'Remove an experimental flow that is over', command: '<%= config.bin %> <%= command.id %> experimental-pr-1234 --store /var/www/html/repos' },
    { description: 'Remove it with its pinned snapshots, then free the disk space', command: '<%= config.bin %> <%= command.id %> experimental-pr-1234 --force && <%= config.bin %> gc' },
  ];

  static override args = { repo: Args.string({ description: 'Repo name.', required: true }) };

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    'base-url': sharedFlags.baseUrl(),
    force: Flags.boolean({ summary: 'Delete even when snapshots are pinned (the pins go with the repo).', default: false }),
    'lock-timeout': durationFlag({ summary: 'How long to wait for a sync of the repo that is running (default 10m).' }),
  };

  public async run(): Promise<DeleteRepoResult> {
    const ctx = await openExistingStore({ store: this.flags.store, baseUrl: this.flags['base-url'], config: this.flags.config });
    const r = await deleteRepo(ctx.store, this.args.repo, { force: this.flags.force, baseUrl: ctx.baseUrl, lockTimeoutMs: this.flags['lock-timeout'], logger: this.logger });
    const what = r.resumed ? 'finished the interrupted delete' : `${plural(r.snapshots ?? 0, 'snapshot')}${r.pins.length ? `, ${plural(r.pins.length, 'pin')}` : ''}`;
    this.log(`Deleted repo ${r.repo} (${what}); its packages stay in the pool until \`ovirt-repo gc\` removes those no snapshot uses`);
    return r;
  }
}
