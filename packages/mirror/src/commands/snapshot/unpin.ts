import { Flags } from '@oclif/core';
import { BaseCommand, ErrorCodes, OvirtRepoError, sharedFlags } from '@ovirt-repo/core';
import { snapshotOrLockArgs } from '../../lib/cli/args.js';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { unpinFromLock, type UnpinFromLockResult } from '../../lib/snapshot/pin-from-lock.js';
import { unpinSnapshot, type PinResult } from '../../lib/snapshot/pin-snapshot.js';

export default class SnapshotUnpin extends BaseCommand<typeof SnapshotUnpin> {
  static override summary = 'Unpin a snapshot, or every snapshot a run lock names; gc may then remove them by the usual retention rules.';

  static override description = `--from-lock matches lock entries to this store as \`snapshot pin --from-lock\` does; snapshots that are already gone are listed as skipped.`;

  static override examples = [
    { description: 'Release a pinned snapshot', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 20261126T102233.123Z' },
    { description: 'Release every snapshot a run used', command: '<%= config.bin %> <%= command.id %> --from-lock run.lock.json' },
  ];

  static override args = snapshotOrLockArgs;

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    'base-url': sharedFlags.baseUrl(),
    'from-lock': Flags.string({ summary: 'Unpin every snapshot of this store that this lock file names.', helpValue: 'FILE' }),
  };

  public async run(): Promise<PinResult | UnpinFromLockResult> {
    const { store, baseUrl } = await openExistingStore({ store: this.flags.store, baseUrl: this.flags['base-url'], config: this.flags.config });
    const lock = this.flags['from-lock'];
    if (lock !== undefined) {
      if (this.args.repo !== undefined) throw usage('give either REPO ID or --from-lock FILE, not both');
      const r = await unpinFromLock(store, lock, { baseUrl, logger: this.logger });
      const released = r.unpinned.filter((p) => p.changed).length;
      this.log(`Unpinned ${released} snapshot${released === 1 ? '' : 's'} named by ${r.lock}${r.unpinned.length - released ? ` (${r.unpinned.length - released} were not pinned)` : ''}`);
      for (const p of r.unpinned) this.log(`  ${p.repo}/${p.id}${p.changed ? '' : ' (was not pinned)'}`);
      if (r.skipped.length) this.log(`Skipped ${r.skipped.length} entr${r.skipped.length === 1 ? 'y' : 'ies'}:`);
      for (const s of r.skipped) this.log(`  ${s.repo}: ${s.url}: ${s.reason}`);
      return r;
    }
    if (this.args.repo === undefined || this.args.id === undefined) throw usage('missing REPO and ID (or --from-lock FILE)');
    const r = await unpinSnapshot(store, this.args.repo, this.args.id, { logger: this.logger });
    this.log(r.changed ? `Unpinned ${r.repo}/${r.id}` : `${r.repo}/${r.id} was not pinned`);
    return r;
  }
}

function usage(message: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.USAGE, message, {
    hint: 'examples: `ovirt-repo snapshot unpin experimental-4.5-el9 20261126T102233.123Z`, `ovirt-repo snapshot unpin --from-lock run.lock.json`',
  });
}
