import { Flags } from '@oclif/core';
import { BaseCommand, sharedFlags } from '@ovirt-repo/core';
import { snapshotArgs } from '../../lib/cli/args.js';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { verifySnapshot, type VerifySnapshotResult } from '../../lib/snapshot/verify-snapshot.js';

export default class SnapshotVerify extends BaseCommand<typeof SnapshotVerify> {
  static override summary = 'Verify a snapshot: metadata checksums, every package present with the right size and checksum.';

  static override description = `Checks repomd.xml and every metadata file it lists, every package of primary.xml through the snapshot's pool link (size and checksum; --quick: size only), and that snapshot.json agrees with the metadata. Exits non-zero listing every problem.`;

  static override examples = [
    { description: 'Verify the latest snapshot', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9' },
    { description: 'Quick check (sizes only) of a given snapshot', command: '<%= config.bin %> <%= command.id %> el9 20261126T102233.123Z --quick' },
  ];

  static override args = snapshotArgs;

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    quick: Flags.boolean({ summary: 'Check package sizes only, not checksums.', default: false }),
    workers: sharedFlags.workers(),
  };

  public async run(): Promise<VerifySnapshotResult> {
    const { store } = await openExistingStore({ store: this.flags.store, config: this.flags.config });
    const r = await verifySnapshot(store, this.args.repo, this.args.id, { quick: this.flags.quick, workers: this.flags.workers, logger: this.logger });
    this.log(`OK: ${r.repo}/${r.id}: ${r.metadataFiles} metadata files and ${r.packages} packages (${r.bytes} bytes) verified${r.checksummed ? '' : ' (sizes only)'}`);
    return r;
  }
}
