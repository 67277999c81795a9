import { Args, Flags } from '@oclif/core';
import { BaseCommand, ErrorCodes, networkFlagValues, OvirtRepoError, tlsFlags } from '@ovirt-repo/core';
import { verifyLock, type VerifyLockResult } from '../../lib/lock/verify.js';

export default class LockVerify extends BaseCommand<typeof LockVerify> {
  static override summary = 'Check that every URL a lock recorded still serves the same repomd.xml.';

  static override description = `The reproducibility check for a system test run: for each repo in the lock (written by "ovirt-repo inject --lock-out"), fetches <url>/repodata/repomd.xml and compares its sha256 with the recorded one.

Each entry is reported as unchanged, changed, missing (404 or deleted), unreachable, unrecorded (no digest in the lock) or skipped (URL with dnf variables). Exits 1 when any entry is changed, missing or unreachable; with --json the entries are then in error.data.entries.`;

  static override examples = [
    { description: 'Can this run still be reproduced?', command: '<%= config.bin %> <%= command.id %> run.lock.json' },
    { description: 'Machine-readable statuses', command: '<%= config.bin %> <%= command.id %> run.lock.json --json' },
  ];

  static override args = {
    file: Args.string({ description: 'Lock file written by inject --lock-out.', required: true }),
  };

  static override flags = {
    'allow-proxy': Flags.boolean({ summary: "Read through http_proxy/https_proxy (default: the lock's own setting)." }),
    ...tlsFlags,
  };

  public async run(): Promise<VerifyLockResult> {
    const result = await verifyLock(this.args.file, { allowProxy: this.flags['allow-proxy'], tls: networkFlagValues(this.flags), logger: this.logger });
    for (const e of result.entries) {
      const where = e.before ? ` (inserted before ${e.before})` : '';
      this.log(`${e.status.padEnd(11)} ${e.repo}${where} ${e.url}${e.error && e.status !== 'unchanged' ? `: ${e.error}` : ''}`);
    }
    const failed = result.entries.filter((e) => ['changed', 'missing', 'unreachable'].includes(e.status));
    if (!result.ok) {
      throw new OvirtRepoError(
        ErrorCodes.VERIFY_FAILED,
        `${failed.length} of ${result.entries.length} locked repos no longer serve what ${result.lock} recorded: ${failed.map((e) => `${e.repo} ${e.status}`).join(', ')}`,
        {
          target: result.lock,
          hint: 'a changed or missing snapshot cannot reproduce the run; pin snapshots that runs depend on (ovirt-repo snapshot pin --from-lock)',
          data: { ...result },
        },
      );
    }
    this.log(`OK: ${result.counts.unchanged} of ${result.entries.length} locked repos unchanged (${result.lock})`);
    return result;
  }
}
