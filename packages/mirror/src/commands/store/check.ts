import { Args } from '@oclif/core';
import { BaseCommand, ErrorCodes, loadConfig, OvirtRepoError, sharedFlags } from '@ovirt-repo/core';
import { runProbe, type ProbeResult } from '../../lib/store-check/probe.js';
import { openProbeTarget } from '../../lib/store-check/targets.js';

export default class StoreCheck extends BaseCommand<typeof StoreCheck> {
  static override summary = 'Check that a store backend can be trusted by writers on many hosts.';

  static override description = `Runs a conformance probe against the backend: a create-only write made twice (the second must be refused), 16 concurrent creates of one key (exactly one must win), a compare-and-swap from a stale version (for S3: with the ETag quoted and unquoted in If-Match; both must be refused) and from the current one (must succeed in some form), a listing right after a write and a delete, and a streamed upload of known length. Every answer is checked by reading back what is there, so a backend that answers success while ignoring a condition is caught.

LOCATION is s3://BUCKET/PREFIX (credentials, region and endpoint from the standard AWS environment: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_S3; the s3: keys of ovirt-repo.yaml override them) or a store directory. The probe writes only below a new PREFIX/.store-check-…/ (a directory store-check-… for a directory) and removes it when done. Exits non-zero naming the failed checks when the backend cannot be trusted.`;

  static override examples = [
    { description: 'Probe a bucket on Ceph RGW before using it as a store', command: 'AWS_ENDPOINT_URL_S3=http://rgw.example.com:7480 AWS_PROFILE=ci <%= config.bin %> <%= command.id %> s3://ci-repos/store' },
    { description: 'The same, as JSON for a script', command: '<%= config.bin %> <%= command.id %> s3://ci-repos/store --json' },
    { description: 'Probe a directory store (a local disk or an NFS mount)', command: '<%= config.bin %> <%= command.id %> /var/www/html/repos' },
    { description: 'Probe a bucket with the endpoint and profile of the s3: keys in ovirt-repo.yaml', command: '<%= config.bin %> <%= command.id %> s3://ci-repos/store --config ci/ovirt-repo.yaml' },
  ];

  static override flags = {
    config: sharedFlags.config(),
  };

  static override args = {
    location: Args.string({ description: 's3://BUCKET/PREFIX, or a store directory.', required: true }),
  };

  public async run(): Promise<ProbeResult> {
    const { config } = await loadConfig({ file: this.flags.config });
    const target = await openProbeTarget(this.args.location, this.logger, config.s3);
    let result: ProbeResult;
    try {
      result = await runProbe(target, this.logger);
    } finally {
      await target.close();
    }
    const width = Math.max(...result.checks.map((c) => c.id.length));
    for (const c of result.checks) this.log(`${c.status === 'pass' ? 'pass' : 'FAIL'}  ${c.id.padEnd(width)}  ${c.reason} (${c.ms} ms)`);
    const failed = result.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    if (failed.length > 0) {
      throw new OvirtRepoError(ErrorCodes.STORE, `${this.args.location} cannot be trusted by writers on many hosts: failed ${failed.join(', ')}`, {
        target: this.args.location,
        hint: 'do not use it as a store for writers on several hosts; see "ovirt-repo store check" in docs/mirror.md for what each check needs of the server',
        data: { ...result, failed },
      });
    }
    this.log(`OK: ${this.args.location} passed all ${result.checks.length} checks`);
    return result;
  }
}
