import { Flags } from '@oclif/core';
import { BaseCommand, plural, sharedFlags } from '@ovirt-repo/core';
import { snapshotArgs } from '../../lib/cli/args.js';
import { durationFlag } from '../../lib/cli/flags.js';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { promoteSnapshot, type PromoteResult } from '../../lib/snapshot/promote-snapshot.js';

export default class SnapshotPromote extends BaseCommand<typeof SnapshotPromote> {
  static override summary = "Make a snapshot's content the new latest snapshot of another repo (made if missing); no package is copied.";

  static override description = `The promoted snapshot gets a new id in the target repo and is committed as a sync commits (under that repo's lock, moving its latest), with snapshot.json recording where it came from ("promotedFrom", shown by snapshot show). Its repodata is the source's, byte for byte, so a signed snapshot stays signed: repomd.xml.asc and RPM-GPG-KEY are carried along and still verify. The packages stay where they are in the shared pool.`;

  static override examples = [
    { description: 'Promote the snapshot a system test passed with to the tested repo', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 20261126T102233.123Z --to tested-4.5-el9' },
    { description: 'Roll a repo back: make an older snapshot its latest again', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 20261125T220301.004Z --to experimental-4.5-el9 --json' },
  ];

  static override args = snapshotArgs;

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    'base-url': sharedFlags.baseUrl(),
    to: Flags.string({ summary: 'The repo whose new latest snapshot it becomes (created when it does not exist).', required: true, helpValue: 'REPO' }),
    'lock-timeout': durationFlag({ summary: 'How long to wait for a sync of the target repo that is running (default 10m).' }),
  };

  public async run(): Promise<PromoteResult> {
    const ctx = await openExistingStore({ store: this.flags.store, baseUrl: this.flags['base-url'], config: this.flags.config });
    const r = await promoteSnapshot(ctx.store, this.args.repo, this.args.id, this.flags.to, { baseUrl: ctx.baseUrl, lockTimeoutMs: this.flags['lock-timeout'], logger: this.logger });
    this.log(`Promoted ${r.from.repo}/${r.from.id} to ${r.repo}/${r.snapshot} (${plural(r.packages, 'package')}${r.signed ? ', signed' : ''}; no package copied), now the latest of ${r.repo}: ${r.url}`);
    return r;
  }
}
