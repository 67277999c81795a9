import { Args } from '@oclif/core';
import { BaseCommand, humanBytes, sharedFlags } from '@ovirt-repo/core';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { listSnapshots, type ListSnapshotsResult } from '../../lib/snapshot/list-snapshots.js';

export default class SnapshotList extends BaseCommand<typeof SnapshotList> {
  static override summary = "List a repo's snapshots: id, time, packages, size, pinned, latest.";

  static override examples = [
    { description: 'Snapshots of the experimental repo', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 --store /var/www/html/repos' },
    { description: 'As JSON, with the URL of each snapshot (an s3:// store has no URL of its own: without --base-url the url fields are left out)', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 --json --base-url http://mirrors.example.org/repos' },
  ];

  static override args = { repo: Args.string({ description: 'Repo name.', required: true }) };

  static override flags = { store: sharedFlags.store(), config: sharedFlags.config(), 'base-url': sharedFlags.baseUrl() };

  public async run(): Promise<ListSnapshotsResult> {
    const { store, knownBaseUrl } = await openExistingStore({ store: this.flags.store, baseUrl: this.flags['base-url'], config: this.flags.config });
    const result = await listSnapshots(store, this.args.repo, { baseUrl: knownBaseUrl });
    const rows = result.snapshots.map((s) => [
      s.id,
      s.time,
      s.packages === null ? '?' : String(s.packages),
      s.size === null ? '?' : humanBytes(s.size),
      [s.latest ? 'latest' : '', s.pinned ? `pinned${s.pinReason ? ` (${s.pinReason})` : ''}` : ''].filter(Boolean).join(', '),
    ]);
    this.log(table([['ID', 'TIME', 'PACKAGES', 'SIZE', ''], ...rows]));
    if (rows.length === 0) this.log(`${result.repo} has no snapshots`);
    return result;
  }
}

export function table(rows: string[][]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
}
