import { Flags } from '@oclif/core';
import { BaseCommand, formatEvr, sharedFlags } from '@ovirt-repo/core';
import { snapshotArgs } from '../../lib/cli/args.js';
import { openExistingStore } from '../../lib/cli/store-context.js';
import { showSnapshot, type ShowSnapshotResult } from '../../lib/snapshot/show-snapshot.js';

export default class SnapshotShow extends BaseCommand<typeof SnapshotShow> {
  static override summary = 'Show one snapshot: sources, options, extra metadata and (with --packages) its packages.';

  static override examples = [
    { description: 'The latest snapshot', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 latest' },
    { description: 'A given snapshot with its package list', command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 20261126T102233.123Z --packages' },
  ];

  static override args = snapshotArgs;

  static override flags = {
    store: sharedFlags.store(),
    config: sharedFlags.config(),
    'base-url': sharedFlags.baseUrl(),
    packages: Flags.boolean({ summary: 'List the packages.', default: false }),
  };

  public async run(): Promise<ShowSnapshotResult> {
    const { store, knownBaseUrl } = await openExistingStore({ store: this.flags.store, baseUrl: this.flags['base-url'], config: this.flags.config });
    const r = await showSnapshot(store, this.args.repo, this.args.id, { baseUrl: knownBaseUrl });
    const rec = r.record;
    const lines = [
      `Snapshot ${r.repo}/${r.id}${r.latest ? ' (latest)' : ''}${r.pin ? ` (pinned${r.pin.reason ? `: ${r.pin.reason}` : ''})` : ''}`,
      `URL:       ${r.url ?? '(unknown: pass --base-url)'}`,
      `Created:   ${rec.createdAt}${rec.parent ? ` from ${rec.parent}` : ''}`,
      ...(rec.promotedFrom ? [`Promoted:  from ${rec.promotedFrom.repo}/${rec.promotedFrom.id} (its content, repodata and signature)`] : []),
      `Mode:      ${rec.mode}${Object.keys(rec.options).length ? ` ${JSON.stringify(rec.options)}` : ''}`,
      `Packages:  ${rec.stats.packages} (${rec.stats.bytes} bytes)${rec.modular ? ', modular' : ''}`,
      `Signed:    ${r.signature ? `by key ${r.signature.fingerprint} (repodata/repomd.xml.asc; public key: ${r.signature.publicKey})` : 'no'}`,
      `Metadata:  ${['primary', 'filelists', 'other', ...rec.extraMetadata.map((e) => e.type)].join(', ')}`,
      ...rec.sources.map((s) => `Source:    ${s.url}${s.baseUrl !== s.url ? ` via ${s.baseUrl}` : ''} (repomd sha256 ${s.repomdSha256.slice(0, 12)})`),
    ];
    if (this.flags.packages) for (const p of rec.packages) lines.push(`  ${p.name}-${formatEvr(p)}.${p.arch}  ${p.href}`);
    this.log(lines.join('\n'));
    return r;
  }
}
