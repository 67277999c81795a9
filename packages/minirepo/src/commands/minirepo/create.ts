import { Args, Flags } from '@oclif/core';
import { BaseCommand, sharedFlags } from '@ovirt-repo/core';
import { createMiniRepo, type CreateMiniRepoResult } from '../../lib/create-mini-repo.js';

export default class MinirepoCreate extends BaseCommand<typeof MinirepoCreate> {
  static override summary = "Turn a build's RPMs into a mini YUM repo (createrepo-compatible metadata).";

  static override description = `Finds every *.rpm below DIR (binary and source packages, recursively) and writes DIR/repodata. The new metadata is built aside and swapped in only when complete: a failed run leaves the previous repodata untouched. With SOURCE_DATE_EPOCH (or --revision) the same RPMs give byte-identical metadata.`;

  static override examples = [
    { description: 'Index the build output of a CI job', command: '<%= config.bin %> <%= command.id %> exported-artifacts' },
    { description: 'Re-index after adding a package, reusing unchanged entries', command: '<%= config.bin %> <%= command.id %> exported-artifacts --update' },
    { description: 'Reproducible metadata, zstd compressed', command: 'SOURCE_DATE_EPOCH=1700000000 <%= config.bin %> <%= command.id %> out --compress zstd' },
  ];

  static override args = {
    dir: Args.directory({ description: 'Directory holding the RPMs.', default: 'exported-artifacts' }),
  };

  static override flags = {
    update: Flags.boolean({ summary: 'Reuse entries of unchanged files from the existing metadata (like createrepo_c --update).', default: false }),
    'changelog-limit': Flags.integer({ summary: 'Changelog entries kept per package (as createrepo_c).', default: 10, min: 0 }),
    compress: sharedFlags.compress(),
    checksum: sharedFlags.checksum(),
    workers: sharedFlags.workers(),
    revision: sharedFlags.revision(),
  };

  public async run(): Promise<CreateMiniRepoResult> {
    const result = await createMiniRepo({
      dir: this.args.dir,
      update: this.flags.update,
      changelogLimit: this.flags['changelog-limit'],
      compression: this.flags.compress,
      checksumType: this.flags.checksum,
      workers: this.flags.workers,
      revision: this.flags.revision,
      logger: this.logger,
    });
    this.log(`Wrote ${result.directory}/repodata: ${result.packages} packages, ${result.bytes} bytes (${result.durationMs} ms)`);
    return result;
  }
}
