import { Flags } from '@oclif/core';
import { BaseCommand, ErrorCodes, OvirtRepoError, checkSyncTarget, targetRegistry, type ConformanceReport, type TargetSchemeInfo } from '@ovirt-repo/core';
import { registerBuiltinTargets } from '../../lib/targets/builtin.js';

export interface TargetsResult {
  targets: Array<TargetSchemeInfo & { limitations?: string[] }>;
  check?: ConformanceReport;
}

export default class PublishTargets extends BaseCommand<typeof PublishTargets> {
  static override summary = 'List the destination schemes publish can write to, or check a destination.';

  static override description =
    'Lists every registered sync-target scheme with the plugin that provides it. With --check DEST, opens DEST and exercises every target operation (put, stat, list, read, rename, remove and the optional capabilities) inside a scratch directory .ovirt-repo-check-* that is removed afterwards: a quick way to prove that a new destination, its credentials or a target plugin work before the first publish.';

  static override examples = [
    { description: 'Which destinations can this installation publish to?', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Check that the rsync module is writable before wiring the publish job', command: '<%= config.bin %> <%= command.id %> --check rsync://repo.example.org/ovirt/latest.tested' },
    { description: 'Check a bucket prefix and the S3 keys of this job (from the AWS environment)', command: '<%= config.bin %> <%= command.id %> --check s3://ci-repos/ovirt/latest.tested' },
  ];

  static override flags = {
    check: Flags.string({ summary: 'Exercise every target operation on DEST (in a scratch directory).', helpValue: 'DEST' }),
    'target-option': Flags.string({ summary: 'Setting for the target, KEY=VALUE (repeatable).', helpValue: 'KEY=VALUE', multiple: true }),
  };

  public async run(): Promise<TargetsResult> {
    registerBuiltinTargets();
    const targets = targetRegistry().schemes();
    if (!this.flags.check) {
      for (const t of targets) this.log(`${t.scheme.padEnd(10)} ${t.description}\n${' '.repeat(11)}e.g. ${t.examples.join(', ')}   [${t.provider}]`);
      return { targets };
    }
    const settings = Object.fromEntries((this.flags['target-option'] ?? []).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
    const target = await targetRegistry().open(this.flags.check, { logger: this.logger, settings });
    try {
      const check = await checkSyncTarget(target);
      for (const c of check.checks) this.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.problem ? `: ${c.problem}` : ''}`);
      for (const l of target.limitations) this.log(`note ${l}`);
      if (!check.ok) {
        throw new OvirtRepoError(ErrorCodes.TARGET, `${target.location} failed ${check.checks.filter((c) => !c.ok).length} of ${check.checks.length} target checks`, {
          target: target.location,
          hint: 'See the FAIL lines above (or the "checks" in --json output).',
          data: { check },
        });
      }
      this.log(`${target.location}: all ${check.checks.length} checks passed (capabilities: ${check.capabilities.join(', ') || 'none'})`);
      return { targets, check };
    } finally {
      await target.close?.();
    }
  }
}
