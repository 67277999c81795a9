import { Args, Flags } from '@oclif/core';
import { BaseCommand, humanBytes, plural, sharedFlags } from '@ovirt-repo/core';
import { durationFlag } from '../lib/cli/flags.js';
import { openExistingStore } from '../lib/cli/store-context.js';
import { retentionFromConfig, runGc, type GcResult } from '../lib/gc/run-gc.js';

export default class Gc extends BaseCommand<typeof Gc> {
  static override summary = 'Remove old snapshots and pool files no snapshot references; safe while syncs run.';

  static override description = `Retention applies to the given repos (default: all). Each repo's retention comes from ovirt-repo.yaml (repos.<repo>.retention, else defaults.retention); --max-age and --keep replace the value they name, for every repo. A snapshot is removed when it is outside the newest keep N and older than maxAge (with only one of the two set, that one decides; with neither, no snapshot is removed). The latest and pinned snapshots are never removed.

Then every pool file that no remaining snapshot of any repo references is removed, together with leftovers of interrupted writers. Running syncs register the packages they are about to reference, so gc never removes those.`;

  static override examples = [
    { description: 'Nightly cleanup: keep two weeks, at least the newest 5 snapshots per repo', command: '<%= config.bin %> <%= command.id %> --max-age 14d --keep 5 --store /var/www/html/repos' },
    { description: 'What would go, without removing anything', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 --keep 10 --dry-run' },
    { description: "Apply each repo's retention from ovirt-repo.yaml", command: '<%= config.bin %> <%= command.id %> --config /etc/ovirt-repo/ovirt-repo.yaml' },
  ];

  static override strict = false;

  static override args = {
    repos: Args.string({ description: 'Repos whose snapshots retention applies to (default: all).', required: false }),
  };

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    'max-age': durationFlag({ summary: 'Remove snapshots older than this (e.g. 14d, 36h).' }),
    keep: Flags.integer({ summary: 'Always keep the newest N snapshots of each repo.', min: 0 }),
    'dry-run': Flags.boolean({ summary: 'Report what would be removed; remove nothing.', default: false }),
    'lock-timeout': durationFlag({ summary: 'How long to wait for another gc (default 10m).' }),
  };

  public async run(): Promise<GcResult> {
    const { store, loaded } = await openExistingStore({ store: this.flags.store, config: this.flags.config });
    const { argv } = await this.parse(Gc);
    const repos = (argv as string[]).filter((a) => typeof a === 'string');
    const overrides = { ...(this.flags['max-age'] !== undefined ? { maxAgeMs: this.flags['max-age'] } : {}), ...(this.flags.keep !== undefined ? { keep: this.flags.keep } : {}) };
    const r = await runGc(store, {
      repos,
      // Each repo's retention from ovirt-repo.yaml, with --max-age/--keep replacing the value they name.
      retention: (repo) => retentionFromConfig(loaded.config, repo, overrides),
      dryRun: this.flags['dry-run'],
      lockTimeoutMs: this.flags['lock-timeout'],
      logger: this.logger,
    });
    const verb = r.dryRun ? 'Would remove' : 'Removed';
    this.log(
      `${verb} ${plural(r.removedSnapshots.length, 'snapshot')} and ${plural(r.removedPoolFiles, 'pool file')} (${humanBytes(r.removedPoolBytes)}); kept ${plural(r.keptSnapshots.length, 'snapshot')} and ${plural(r.keptPoolFiles, 'pool file')}${r.protectedByRunningSyncs ? ` (${r.protectedByRunningSyncs} held by running syncs)` : ''}; ${plural(r.removedLeftovers, 'leftover')} ${r.dryRun ? 'to clean' : 'cleaned'}`,
    );
    return r;
  }
}
