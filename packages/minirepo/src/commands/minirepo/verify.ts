import { Args } from '@oclif/core';
import { BaseCommand } from '@ovirt-repo/core';
import { verifyMiniRepo, type VerifyMiniRepoResult } from '../../lib/verify-mini-repo.js';

export default class MinirepoVerify extends BaseCommand<typeof MinirepoVerify> {
  static override summary = 'Check a mini repo\'s metadata against its files.';

  static override description = `Verifies repomd.xml and every metadata file it names (checksums, sizes), then every package the
metadata lists (present, size, checksum), and reports RPM files that the metadata does not list.
Exits non-zero with the list of problems when anything is wrong.`;

  static override examples = [
    { description: 'Verify a build\'s mini repo', command: '<%= config.bin %> <%= command.id %> exported-artifacts' },
    { description: 'Machine-readable report', command: '<%= config.bin %> <%= command.id %> exported-artifacts --json' },
  ];

  static override args = {
    dir: Args.directory({ description: 'Directory holding repodata/ and the RPMs.', default: 'exported-artifacts' }),
  };

  public async run(): Promise<VerifyMiniRepoResult> {
    const result = await verifyMiniRepo({ dir: this.args.dir, logger: this.logger });
    this.log(`OK: ${result.directory}: ${result.packages} packages and ${result.metadataFiles} metadata files verified`);
    return result;
  }
}
