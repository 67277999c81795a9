import { Args } from '@oclif/core';
import { BaseCommand, plural, sharedFlags } from '@ovirt-repo/core';
import { durationFlag } from '../../lib/cli/flags.js';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { renameRepo, type RenameRepoResult } from '../../lib/repo/rename-repo.js';

export default class RepoRename extends BaseCommand<typeof RepoRename> {
  static override summary = 'Rename a repo: its snapshots keep their ids, content, signatures and pins.';

  static override description = `Refuses when NEW exists or is not a valid repo name. Takes the locks of both repos (a sync of either waits, or makes the rename wait). The repo is copied under its new name out of sight, then the old name goes: a rename that is killed is finished by running it again, and until then the repo stays whole under one of its names. Snapshot URLs change with the name: lock files and configs that name the old URLs no longer reach them.`;

  static override examples = [
    { description: 'Give a flow its final name', command: '<%= config.bin %> <%= command.id %> experimental-pr-1234-el9 experimental-4.5-el9 --store /var/www/html/repos' },
  ];

  static override args = {
    old: Args.string({ description: 'The repo to rename.', required: true }),
    new: Args.string({ description: 'Its new name (must not exist).', required: true }),
  };

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    'base-url': sharedFlags.baseUrl(),
    'lock-timeout': durationFlag({ summary: 'How long to wait for a sync of either repo that is running (default 10m).' }),
  };

  public async run(): Promise<RenameRepoResult> {
    const ctx = await openExistingStore({ store: this.flags.store, baseUrl: this.flags['base-url'], config: this.flags.config });
    const r = await renameRepo(ctx.store, this.args.old, this.args.new, { baseUrl: ctx.baseUrl, lockTimeoutMs: this.flags['lock-timeout'], logger: this.logger });
    this.log(`Renamed repo ${r.from} to ${r.to} (${plural(r.snapshots, 'snapshot')})${r.resumed ? ', finishing an interrupted rename' : ''}`);
    return r;
  }
}
