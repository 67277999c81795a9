import { Args, Flags } from '@oclif/core';
import { BaseCommand, sharedFlags } from '@ovirt-repo/core';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { pinSnapshot, type PinResult } from '../../lib/snapshot/pin-snapshot.js';

export default class SnapshotPin extends BaseCommand<typeof SnapshotPin> {
  static override summary = 'Pin a snapshot so gc keeps it, whatever its age.';

  static override examples = [
    { description: 'Keep the snapshot a release was tested with', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 20261126T102233.123Z --reason "4.5.3 GA"' },
  ];

  static override args = {
    repo: Args.string({ description: 'Repo name.', required: true }),
    id: Args.string({ description: 'Snapshot id, or "latest".', required: true }),
  };

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    reason: Flags.string({ summary: 'Why it is pinned (shown by snapshot list/show).' }),
  };

  public async run(): Promise<PinResult> {
    const { layout } = await openExistingStore({ store: this.flags.store, config: this.flags.config });
    const r = await pinSnapshot(layout, this.args.repo, this.args.id, { reason: this.flags.reason, logger: this.logger });
    this.log(`${r.changed ? 'Pinned' : 'Already pinned:'} ${r.repo}/${r.id}${r.pin?.reason ? ` (${r.pin.reason})` : ''}`);
    return r;
  }
}
