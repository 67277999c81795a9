import { Args } from '@oclif/core';
import { BaseCommand, sharedFlags } from '@ovirt-repo/core';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { diffSnapshots, type DiffEntry, type DiffResult } from '../../lib/snapshot/diff-snapshots.js';

export default class SnapshotDiff extends BaseCommand<typeof SnapshotDiff> {
  static override summary = 'Compare two snapshots of a repo: added, removed, upgraded, downgraded and rebuilt packages.';

  static override examples = [
    { description: 'What the latest sync changed', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 20261126T102233.123Z latest' },
    { description: 'As JSON', command: '<%= config.bin %> <%= command.id %> el9 20261120T000000.000Z 20261126T102233.123Z --json' },
  ];

  static override args = {
    repo: Args.string({ description: 'Repo name.', required: true }),
    a: Args.string({ description: 'Older snapshot id (or "latest").', required: true }),
    b: Args.string({ description: 'Newer snapshot id (or "latest").', default: 'latest' }),
  };

  static override flags = { store: sharedFlags.store(), config: sharedFlags.config() };

  public async run(): Promise<DiffResult> {
    const { store } = await openExistingStore({ store: this.flags.store, config: this.flags.config });
    const r = await diffSnapshots(store, this.args.repo, this.args.a, this.args.b);
    const fmt = (e: DiffEntry) => `${e.name}.${e.arch} ${e.from ?? ''}${e.from && e.to ? ' -> ' : ''}${e.to ?? ''}`;
    const lines = [`${r.repo}: ${r.from} -> ${r.to}`];
    for (const [list, sign] of [
      [r.added, '+'],
      [r.removed, '-'],
      [r.upgraded, '^'],
      [r.downgraded, 'v'],
      [r.rebuilt, '*'],
    ] as const) {
      for (const e of list) lines.push(`${sign} ${fmt(e)}`);
    }
    lines.push(`${r.added.length} added, ${r.removed.length} removed, ${r.upgraded.length} upgraded, ${r.downgraded.length} downgraded, ${r.rebuilt.length} rebuilt, ${r.unchanged} unchanged`);
    this.log(lines.join('\n'));
    return r;
  }
}
