import { Flags } from '@oclif/core';
import { BaseCommand, ErrorCodes, OvirtRepoError, sharedFlags } from '@ovirt-repo/core';
import { snapshotOrLockArgs } from '../../lib/cli/args.js';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { pinFromLock, type PinFromLockResult } from '../../lib/snapshot/pin-from-lock.js';
import { pinSnapshot, type PinResult } from '../../lib/snapshot/pin-snapshot.js';

export default class SnapshotPin extends BaseCommand<typeof SnapshotPin> {
  static override summary = 'Pin a snapshot, or every snapshot a run lock names, so gc keeps it whatever its age.';

  static override description = `With --from-lock, every snapshot of this store that a lock file (\`ovirt-repo inject --lock-out\`) names is pinned, so the run stays reproducible. An entry is this store's when its URL is <base-url>/yum/<repo>/<id>, or ends in /yum/<repo>/<id> naming a snapshot that exists here; other entries (other servers, upstream URLs) are listed as skipped. A snapshot below this store's base URL that no longer exists is an error, and then nothing is pinned.`;

  static override examples = [
    { description: 'Keep the snapshot a release was tested with', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 20261126T102233.123Z --reason "4.5.3 GA"' },
    { description: 'Keep every snapshot a system-test run used', command: '<%= config.bin %> <%= command.id %> --from-lock run.lock.json --reason "OST run 1234, 4.5.3 GA"' },
  ];

  static override args = snapshotOrLockArgs;

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    'base-url': sharedFlags.baseUrl(),
    'from-lock': Flags.string({ summary: 'Pin every snapshot of this store that this lock file names.', helpValue: 'FILE' }),
    reason: Flags.string({ summary: 'Why it is pinned (shown by snapshot list/show and the status page).' }),
  };

  public async run(): Promise<PinResult | PinFromLockResult> {
    const { store, baseUrl } = await openExistingStore({ store: this.flags.store, baseUrl: this.flags['base-url'], config: this.flags.config });
    const lock = this.flags['from-lock'];
    if (lock !== undefined) {
      if (this.args.repo !== undefined) throw usage('give either REPO ID or --from-lock FILE, not both');
      const r = await pinFromLock(store, lock, { baseUrl, reason: this.flags.reason, logger: this.logger });
      const fresh = r.pinned.filter((p) => p.changed).length;
      this.log(`Pinned ${r.pinned.length} snapshot${r.pinned.length === 1 ? '' : 's'} named by ${r.lock}${r.pinned.length - fresh ? ` (${r.pinned.length - fresh} already pinned)` : ''}`);
      for (const p of r.pinned) this.log(`  ${p.repo}/${p.id}${p.reason ? ` (${p.reason})` : ''}`);
      if (r.skipped.length) this.log(`Skipped ${r.skipped.length} ${r.skipped.length === 1 ? 'entry that is not a snapshot' : 'entries that are not snapshots'} of this store:`);
      for (const s of r.skipped) this.log(`  ${s.repo}: ${s.url}: ${s.reason}`);
      return r;
    }
    if (this.args.repo === undefined || this.args.id === undefined) throw usage('missing REPO and ID (or --from-lock FILE)');
    const r = await pinSnapshot(store, this.args.repo, this.args.id, { reason: this.flags.reason, logger: this.logger });
    this.log(`${r.changed ? 'Pinned' : 'Already pinned:'} ${r.repo}/${r.id}${r.pin?.reason ? ` (${r.pin.reason})` : ''}`);
    return r;
  }
}

function usage(message: string): OvirtRepoError {
  return new OvirtRepoError(ErrorCodes.USAGE, message, {
    hint: 'examples: `ovirt-repo snapshot pin experimental-4.5-el9 latest`, `ovirt-repo snapshot pin --from-lock run.lock.json`',
  });
}
