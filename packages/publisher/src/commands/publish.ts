import { Args, Flags } from '@oclif/core';
import { BaseCommand, ErrorCodes, humanBytes, mergeNetworkSettings, networkFlags, networkFlagValues, OvirtRepoError, plural, sharedFlags, signFlags } from '@ovirt-repo/core';
import { resolvePublishRequest } from '../lib/publish-config.js';
import { publish, type PublishResult } from '../lib/publish.js';

const days = Flags.custom<number>({
  helpValue: 'DAYS',
  parse: async (input) => {
    const n = Number(input);
    if (!Number.isFinite(n) || n < 0) throw new Error(`expected a number of days (0 or more, fractions allowed), got "${input}"`);
    return n;
  },
});

export default class Publish extends BaseCommand<typeof Publish> {
  static override summary = 'Publish a tested repository with package and metadata history (latest.tested).';

  static override description = [
    "Copies into DEST the packages of SOURCE it lacks (checksum-verified) and writes metadata listing the source's packages plus the history: packages that left the source less than --keep-days ago stay listed and downloadable (at most --keep-versions per name.arch), so dnf installs the newest by default and older builds stay installable explicitly.",
    'Data files are written first and repodata/repomd.xml is replaced last, atomically. Metadata files named by replaced repomd.xml generations stay for --keep-metadata-days, so a client holding the previous repomd.xml can still fetch what it names. Pruning happens only after the new repomd.xml is in place. Killed at any moment, DEST still serves a complete repository; the next run finishes the job. Publishing the same source again changes nothing.',
    'SOURCE is any YUM repository (a path, file:// or http(s):// URL), usually a snapshot; with --from-lock it is the URL an inject lock file recorded for --repo, and its repomd.xml must still be the one the run saw. DEST is a path, file://, rsync://host/module/path, ssh://host/path, host:path or s3://BUCKET/PREFIX (keys and endpoint from the AWS environment); plugins add other schemes (`<%= config.bin %> publish targets` lists them). See docs/publish.md.',
    'DEST must be a new or empty directory, one publish wrote, or a YUM repository (adopted); a directory with other files is refused. A SOURCE older than what DEST publishes (by the snapshot time of its snapshot.json, else by repomd.xml revision) is refused with E_OLDER_SOURCE unless --allow-older: an older run published late would roll DEST back.',
  ].join('\n\n');

  static override examples = [
    {
      description: 'After a successful system-test run, publish exactly the repository it tested',
      command: '<%= config.bin %> <%= command.id %> --from-lock run.lock.json --repo experimental-master-el9 --to rsync://repo.example.org/ovirt/latest.tested/master/el9',
    },
    { description: 'Publish to a destination named in ovirt-repo.yaml (publish.tested-master-el9: from, to, retention)', command: '<%= config.bin %> <%= command.id %> tested-master-el9 --from-lock run.lock.json' },
    { description: 'Publish a snapshot to a local web root', command: '<%= config.bin %> <%= command.id %> --from https://store.example.org/yum/experimental-master-el9/20240301T101500Z-3f2a --to /var/www/html/latest.tested/el9' },
    {
      description: 'Publish a snapshot read through the site proxy from a store served over https with a private CA',
      command: '<%= config.bin %> <%= command.id %> --from https://store.example.org/yum/experimental-master-el9/20240301T101500Z-3f2a --to /var/www/html/latest.tested/el9 --proxy http://proxy.example.org:3128 --ca-cert /etc/pki/ci/ca.pem',
    },
    { description: 'Publish over ssh, keeping at most 3 versions per package for a week', command: '<%= config.bin %> <%= command.id %> --from ./snapshot --to deploy@web:/srv/latest.tested --keep-days 7 --keep-versions 3' },
    {
      description: 'Publish to an S3 bucket (Ceph RGW here: path-style requests to the endpoint, keys from the AWS environment)',
      command: 'AWS_ENDPOINT_URL_S3=http://rgw.example.org:7480 AWS_PROFILE=ci <%= config.bin %> <%= command.id %> --from ./snapshot --to s3://ci-repos/ovirt/latest.tested/el9',
    },
    {
      description: 'Sign the repository for dnf repo_gpgcheck=1 with a gpg key, and publish the public key beside it',
      command: '<%= config.bin %> <%= command.id %> --from ./snapshot --to /var/www/html/latest.tested/el9 --sign-key releng@ovirt.example.org --public-key-path RPM-GPG-KEY-ovirt-tested',
    },
    { description: 'See what would change, as JSON', command: '<%= config.bin %> <%= command.id %> --from ./snapshot --to /srv/latest.tested --dry-run --json' },
    {
      description: 'Roll latest.tested back to the snapshot an older run tested (refused without --allow-older)',
      command: '<%= config.bin %> <%= command.id %> --from-lock old-run.lock.json --repo experimental-master-el9 --to /var/www/html/latest.tested/el9 --allow-older',
    },
  ];

  static override args = {
    name: Args.string({ description: 'Destination named under publish: in ovirt-repo.yaml; flags override its settings.', required: false }),
  };

  static override flags = {
    config: sharedFlags.config(),
    from: Flags.string({ summary: 'Repository to publish: a path, file:// or http(s):// URL.', helpValue: 'SOURCE', exclusive: ['from-lock'] }),
    'from-lock': Flags.string({ summary: 'Publish the repository an inject lock file recorded (with --repo, or the named destination\'s from).', helpValue: 'FILE', exclusive: ['from'] }),
    repo: Flags.string({ summary: 'Repository id in the --from-lock file.', helpValue: 'ID', dependsOn: ['from-lock'] }),
    to: Flags.string({ summary: 'Destination: path, file://, rsync://, ssh://, host:path or s3:// (plugins add more).', helpValue: 'DEST', env: 'OVIRT_REPO_PUBLISH_TO' }),
    'keep-days': days({ summary: 'Keep packages listed this many days after they left the source (default 14).' }),
    'keep-versions': Flags.integer({ summary: 'At most N versions per name.arch (source packages always listed). Default: no bound.', min: 1, helpValue: 'N' }),
    'keep-metadata-days': days({ summary: 'Keep metadata files of replaced repomd.xml generations this many days (default 2).' }),
    'dry-run': Flags.boolean({ summary: 'Report what would change; write nothing.', default: false }),
    'allow-older': Flags.boolean({
      summary: 'Publish SOURCE even if it is older than what DEST publishes (a roll-back); refused otherwise.',
      description: 'Older: by the snapshot time its snapshot.json records, else by its repomd.xml revision. Default: allowOlder of the named destination, else off.',
      allowNo: true,
    }),
    'target-option': Flags.string({
      summary: 'Setting for the destination target, KEY=VALUE (repeatable), e.g. rsh="ssh -i key" or timeout=60 for rsync, parallel=16 for s3.',
      helpValue: 'KEY=VALUE',
      multiple: true,
    }),
    ...signFlags,
    'public-key-path': Flags.string({ summary: 'Publish the public key at this path of DEST, e.g. RPM-GPG-KEY-ovirt-tested.', helpValue: 'PATH' }),
    'lock-wait': Flags.integer({ summary: 'Seconds to wait for another publish to the same destination (targets with locks).', default: 0, min: 0, helpValue: 'SECONDS' }),
    compress: sharedFlags.compress(),
    checksum: sharedFlags.checksum(),
    workers: sharedFlags.workers({ summary: 'Parallel package downloads (default 4).' }),
    revision: sharedFlags.revision(),
    ...networkFlags,
  };

  public async run(): Promise<PublishResult> {
    const request = await resolvePublishRequest(
      {
        name: this.args.name,
        from: this.flags.from,
        fromLock: this.flags['from-lock'],
        repo: this.flags.repo,
        to: this.flags.to,
        keepDays: this.flags['keep-days'],
        keepVersions: this.flags['keep-versions'],
        keepMetadataDays: this.flags['keep-metadata-days'],
        allowOlder: this.flags['allow-older'],
        signKey: this.flags['sign-key'],
        signCommand: this.flags['sign-command'],
        signPublicKey: this.flags['sign-public-key'],
        publicKeyPath: this.flags['public-key-path'],
      },
      { file: this.flags.config },
    );
    const result = await publish({
      ...request,
      dryRun: this.flags['dry-run'],
      targetSettings: parseSettings(this.flags['target-option'] ?? []),
      lockWaitMs: this.flags['lock-wait'] * 1000,
      compression: this.flags.compress,
      checksumType: this.flags.checksum,
      workers: this.flags.workers,
      revision: this.flags.revision,
      network: mergeNetworkSettings(request.network, networkFlagValues(this.flags)),
      logger: this.logger,
    });
    this.log(summarize(result));
    return result;
  }
}

function parseSettings(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `--target-option "${pair}" is not KEY=VALUE`, { hint: 'Example: --target-option timeout=60' });
    }
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}

function summarize(r: PublishResult): string {
  const verb = r.dryRun ? 'Would publish' : 'Published';
  const head = r.changed
    ? `${verb} ${r.source} to ${r.destination}: ${plural(r.listed.total, 'package')} listed (${r.listed.fromSource} from the source, ${r.listed.fromHistory} kept from history); ${r.added.length} added, ${r.removed.length} no longer listed.`
    : `Nothing to publish: ${r.destination} already lists what ${r.source} has (${plural(r.listed.total, 'package')}, revision ${r.revision ?? '?'}).`;
  const lines = [head];
  if (r.uploaded.packages || r.uploaded.metadataFiles) lines.push(`${r.dryRun ? 'Would copy' : 'Copied'} ${plural(r.uploaded.packages, 'package')} and ${plural(r.uploaded.metadataFiles, 'metadata file')} (${humanBytes(r.uploaded.bytes)}).`);
  if (r.pruned.paths.length) lines.push(`${r.dryRun ? 'Would prune' : 'Pruned'} ${plural(r.pruned.packages, 'package')}, ${plural(r.pruned.metadataFiles, 'metadata file')} and ${plural(r.pruned.leftovers, 'leftover')} (${humanBytes(r.pruned.bytes)}).`);
  for (const note of r.notes) lines.push(`Note: ${note}.`);
  return lines.join('\n');
}
