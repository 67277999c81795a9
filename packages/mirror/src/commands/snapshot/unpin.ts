import { Args } from '@oclif/core';
import { BaseCommand, sharedFlags } from '@ovirt-repo/core';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { unpinSnapshot, type PinResult } from '../../lib/snapshot/pin-snapshot.js';

export default class SnapshotUnpin extends BaseCommand<typeof SnapshotUnpin> {
  static override summary = 'Unpin a snapshot; gc may then remove it by the usual retention rules.';

  static override examples = [{ description: 'Release a pinned snapshot', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 20261126T102233.123Z' }];

  static override args = {
    repo: Args.string({ description: 'Repo name.', required: true }),
    id: Args.string({ description: 'Snapshot id, or "latest".', required: true }),
  };

  static override flags = { store: sharedFlags.store(), config: sharedFlags.config() };

  public async run(): Promise<PinResult> {
    const { layout } = await openExistingStore({ store: this.flags.store, config: this.flags.config });
    const r = await unpinSnapshot(layout, this.args.repo, this.args.id, { logger: this.logger });
    this.log(r.changed ? `Unpinned ${r.repo}/${r.id}` : `${r.repo}/${r.id} was not pinned`);
    return r;
  }
}
