import { Args, Flags } from '@oclif/core';
import { BaseCommand, ErrorCodes, OvirtRepoError, readPublicKeys } from '@ovirt-repo/core';
import { verifyMiniRepo, type VerifyMiniRepoResult } from '../../lib/verify-mini-repo.js';

export default class MinirepoVerify extends BaseCommand<typeof MinirepoVerify> {
  static override summary = 'Check a mini repo\'s metadata against its files.';

  static override description = `Verifies repomd.xml and every metadata file it names (checksums, sizes), then every package the metadata lists (present, size, checksum), and reports RPM files that the metadata does not list. Exits non-zero with the list of problems when anything is wrong.
--gpgcheck also checks every package's OpenPGP signature against the --gpg-key keys only (rpmkeys, as dnf's gpgcheck=1; see docs/trust.md).`;

  static override examples = [
    { description: 'Verify a build\'s mini repo', command: '<%= config.bin %> <%= command.id %> exported-artifacts' },
    { description: 'Machine-readable report', command: '<%= config.bin %> <%= command.id %> exported-artifacts --json' },
    { description: 'Also check that every package is signed with the release key', command: '<%= config.bin %> <%= command.id %> exported-artifacts --gpgcheck --gpg-key RPM-GPG-KEY-ovirt-4.5' },
  ];

  static override args = {
    dir: Args.directory({ description: 'Directory holding repodata/ and the RPMs.', default: 'exported-artifacts' }),
  };

  static override flags = {
    gpgcheck: Flags.boolean({ summary: "Check every package's OpenPGP signature against --gpg-key; unsigned packages fail (yum's gpgcheck=1).", default: false }),
    'gpg-key': Flags.string({ summary: 'A public key (FILE or http(s) URL, armoured or binary) that may sign the packages; repeatable.', multiple: true, helpValue: 'FILE|URL' }),
  };

  public async run(): Promise<VerifyMiniRepoResult> {
    const keyRefs = this.flags['gpg-key'] ?? [];
    if (this.flags.gpgcheck !== keyRefs.length > 0) {
      throw new OvirtRepoError(ErrorCodes.USAGE, this.flags.gpgcheck ? '--gpgcheck needs the public keys to check against, and none was given' : '--gpg-key is used only with --gpgcheck', {
        hint: 'minirepo verify DIR --gpgcheck --gpg-key FILE|URL (repeatable)',
      });
    }
    const gpgcheck = this.flags.gpgcheck ? { keys: await readPublicKeys(keyRefs, { env: process.env }), env: process.env } : undefined;
    const result = await verifyMiniRepo({ dir: this.args.dir, logger: this.logger, ...(gpgcheck ? { gpgcheck } : {}) });
    this.log(`OK: ${result.directory}: ${result.packages} packages and ${result.metadataFiles} metadata files verified`);
    return result;
  }
}
