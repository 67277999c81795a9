import { Args, Flags } from '@oclif/core';
import { BaseCommand, humanBytes, loadConfig, networkFlags, networkFlagValues, plural, sharedFlags, signFlags } from '@ovirt-repo/core';
import { durationFlag, sizeFlag } from '../../lib/cli/flags.js';
import { syncOptionsFor } from '../../lib/sync/config-options.js';
import { syncAllRepos, type SyncAllResult } from '../../lib/sync/sync-all.js';
import type { SyncResult } from '../../lib/sync/options.js';
import { syncRepo } from '../../lib/sync/sync-repo.js';

export default class MirrorSync extends BaseCommand<typeof MirrorSync> {
  static override summary = 'Sync YUM repos into the store and publish an immutable snapshot of REPO.';

  static override description = `Reads the sources' metadata, selects packages, downloads only the packages the store's pool lacks (in parallel, verified against their checksums), writes the snapshot's metadata aside and publishes it atomically: <store>/yum/REPO/<id>/ appears complete, then latest.txt and the index move to it.

--mode mirror (default): the snapshot holds exactly the sources' packages after filters.
--mode additive: the previous latest snapshot plus the sources; the newest version of each name.arch wins (--keep-versions N keeps N). Use it to add a build to an experimental repo.

An unchanged source makes no new snapshot (changed: false) after one small request per source. Packages the latest snapshot already has are taken as present in the pool (gc keeps them); --check-pool checks every one and fetches again what is missing or damaged. Extra metadata (comps/group, modules, updateinfo) is carried over, merged where several sources (or a deploy and the latest snapshot) differ; modular repos keep every package version. Syncs of one repo serialise on a lock; different repos sync in parallel.`;

  static override examples = [
    {
      description: 'Add a build (its mini repo) to the experimental repo',
      command: '<%= config.bin %> <%= command.id %> experimental-4.5-el9 --mode additive --from https://jenkins.example.org/job/vdsm/42/artifact/exported-artifacts/ --store /var/www/html/repos',
    },
    {
      description: 'Mirror an upstream repo from a reposync config section, x86_64 only',
      command: '<%= config.bin %> <%= command.id %> centos-baseos-el9 --config mirrors-reposync.conf --arch x86_64 --store /var/www/html/repos',
    },
    {
      description: 'Mirror through a slow network: give the mirrors of a mirrorlist 10 minutes in all, and accept downloads down to 200 bytes/s',
      command: '<%= config.bin %> <%= command.id %> epel-el9 --config mirrors-reposync.conf --mirror-budget 10m --min-rate 200 --retries 5',
    },
    {
      description: 'Mirror a vendor CDN through the site proxy, with its private CA and the client certificate it requires',
      command:
        '<%= config.bin %> <%= command.id %> vendor-el9 --from https://cdn.vendor.example.com/el9/ --proxy http://proxy.example.org:3128 --ca-cert /etc/pki/vendor/ca.pem --client-cert /etc/pki/vendor/client.pem --client-key /etc/pki/vendor/client.key',
    },
    {
      description: 'Sign the snapshot (repodata/repomd.xml.asc, the public key at RPM-GPG-KEY) with a key of the gpg keyring, for clients with repo_gpgcheck=1',
      command: '<%= config.bin %> <%= command.id %> centos-baseos-el9 --config mirrors-reposync.conf --sign-key releng@ovirt.example.org',
    },
    {
      description: 'Mirror only what the upstream signed: every package and the repomd.xml checked against its key',
      command: '<%= config.bin %> <%= command.id %> centos-baseos-el9 --config mirrors-reposync.conf --gpgcheck --repo-gpgcheck --gpg-key https://www.centos.org/keys/RPM-GPG-KEY-CentOS-Official',
    },
    {
      description: 'Sync every repo configured in ovirt-repo.yaml (a mirror cron job)',
      command: 'OVIRT_REPO_CONFIG=/etc/ovirt-repo.yaml <%= config.bin %> <%= command.id %> --all',
    },
    {
      description: 'Repair the pool after a disk problem: fetch again every package of the repo that is missing or damaged',
      command: '<%= config.bin %> <%= command.id %> centos-baseos-el9 --config mirrors-reposync.conf --check-pool',
    },
    {
      description: 'Refuse any metadata file of the source larger than 512 MiB (downloaded or decompressed) where its repomd.xml gives no size',
      command: '<%= config.bin %> <%= command.id %> tools-el9 --from https://repos.example.org/tools/el9/ --max-metadata-size 512MiB',
    },
    {
      description: 'See what a sync would add, remove and download, without writing anything',
      command: '<%= config.bin %> <%= command.id %> centos-baseos-el9 --config mirrors-reposync.conf --dry-run',
    },
    {
      description: 'Mirror a local directory, newest versions only, machine-readable result',
      command: '<%= config.bin %> <%= command.id %> tools-el9 --from ./repo --newest-only --json',
    },
  ];

  static override args = {
    repo: Args.string({ description: 'Repo name in the store (letters, digits, . _ + -). Omit with --all.' }),
  };

  static override flags = {
    all: Flags.boolean({ summary: 'Sync every repo configured with a source in ovirt-repo.yaml (sync.parallel at a time).', default: false, exclusive: ['from', 'config'] }),
    from: Flags.string({ summary: 'Source repo: http(s):// or file:// URL, or a local directory holding repodata/.', multiple: true, helpValue: 'URL|PATH' }),
    config: Flags.string({ summary: 'yum/dnf .repo or reposync config: take baseurl/mirrorlist/metalink, includepkgs and exclude from section REPO.', helpValue: 'FILE' }),
    section: Flags.string({ summary: 'Section of --config to use (default: REPO).', dependsOn: ['config'] }),
    var: Flags.string({ summary: 'Value of a yum variable in --config ($releasever...); $basearch defaults to the first --arch or this machine.', multiple: true, helpValue: 'NAME=VALUE' }),
    mode: Flags.string({ summary: 'mirror (default): exactly the sources. additive: the previous snapshot plus the sources.', options: ['mirror', 'additive'] }),
    'keep-versions': Flags.integer({ summary: 'Versions kept per name.arch (additive default 1; mirror default all).', min: 1 }),
    arch: Flags.string({ summary: 'Architectures to keep (comma-separated; noarch is always kept, src only when listed).', multiple: true, helpValue: 'LIST' }),
    include: Flags.string({ summary: 'Keep only packages matching this glob (yum includepkgs semantics; repeatable).', multiple: true, helpValue: 'GLOB' }),
    exclude: Flags.string({ summary: 'Drop packages matching this glob (yum exclude semantics; repeatable).', multiple: true, helpValue: 'GLOB' }),
    'newest-only': Flags.boolean({ summary: 'Keep only the newest version of each name.arch from the sources.', allowNo: true }),
    store: sharedFlags.store(),
    'base-url': sharedFlags.baseUrl(),
    workers: sharedFlags.workers(),
    compress: sharedFlags.compress(),
    'lock-timeout': durationFlag({ summary: 'How long to wait for another writer of the same repo before failing (default 30m).' }),
    timeout: durationFlag({
      summary: 'A request that brings no byte for this long fails, and so does a repomd.xml or mirror list not complete by then; also the window of --min-rate (default 60s; sync.timeout).',
    }),
    retries: Flags.integer({ summary: 'Retries of a transient network failure, with backoff: at most N+1 requests per file (default 3; sync.retries).', min: 0, max: 20 }),
    'min-rate': Flags.integer({
      summary: "A download bringing fewer bytes per second than this over a whole --timeout fails, and is retried (dnf's minrate; default 1000, 0: none; sync.minRate).",
      min: 0,
      helpValue: 'BYTES',
    }),
    'mirror-budget': durationFlag({ summary: 'The whole time for finding a usable mirror of a mirrorlist, metalink or several baseurls (default 2m; sync.mirrorBudget).' }),
    'no-index': Flags.boolean({ summary: 'Do not rewrite the store index after publishing.', default: false }),
    'max-metadata-size': sizeFlag({
      summary: "Most a source's metadata file may be, downloaded or decompressed, where its repomd.xml says less (default 4GiB).",
      description:
        'A metadata file is cut off as soon as it is larger than the size its repomd.xml declares, and decompressing stops just past the declared open-size; this bounds what repomd.xml does not (or declares larger). Config: sync.maxMetadataSize.',
    }),
    ...networkFlags,
    // Signing the snapshots (docs/trust.md, "Signing snapshots"); ovirt-repo.yaml: the repo's signKey, signCommand, signPublicKey.
    ...signFlags,
    // Verifying what the sync takes in (docs/trust.md#verifying-what-mirror-sync-takes-in).
    gpgcheck: Flags.boolean({
      summary: "Check every package's OpenPGP signature against --gpg-key before it enters the pool; refuse unsigned ones (yum's gpgcheck=1; config: gpgcheck).",
      allowNo: true,
    }),
    'repo-gpgcheck': Flags.boolean({
      summary: "Check each source's repodata/repomd.xml.asc against --gpg-key before reading anything its repomd.xml lists (yum's repo_gpgcheck=1; config: repoGpgcheck).",
      allowNo: true,
    }),
    'gpg-key': Flags.string({ summary: 'A public key (FILE or http(s) URL, armoured or binary) that may sign packages and repomd.xml; repeatable (gpgkey=; config: gpgKeys).', multiple: true, helpValue: 'FILE|URL' }),
    'dry-run': Flags.boolean({
      summary: 'Report what the sync would add, remove and download and whether it would make a snapshot; write nothing, take no lock.',
      default: false,
      exclusive: ['lock-timeout'],
    }),
    'check-pool': Flags.boolean({
      summary: 'Check the pool for every package, not only new ones, and fetch again what is missing or damaged (even when nothing changed).',
      default: false,
    }),
  };

  public async run(): Promise<SyncResult | SyncAllResult> {
    const f = this.flags;
    const vars: Record<string, string> = {};
    for (const v of f.var ?? []) {
      const eq = v.indexOf('=');
      if (eq <= 0) this.error(`--var expects NAME=VALUE, got "${v}"`, { exit: 2 });
      vars[v.slice(0, eq)] = v.slice(eq + 1);
    }
    // ovirt-repo.yaml comes from OVIRT_REPO_CONFIG or ./ovirt-repo.yaml (--config here is the reposync config).
    const loaded = await loadConfig({ overrides: { store: f.store, baseUrl: f['base-url'] } });
    const extra = { compression: f.compress, lockTimeoutMs: f['lock-timeout'], writeIndex: !f['no-index'], checkPool: f['check-pool'], dryRun: f['dry-run'] };
    const network = { timeoutMs: f.timeout, retries: f.retries, minRate: f['min-rate'], mirrorBudgetMs: f['mirror-budget'], network: networkFlagValues(f) };
    const sign = { signKey: f['sign-key'], signCommand: f['sign-command'], signPublicKey: f['sign-public-key'] };
    const verify = { verify: { gpgcheck: f.gpgcheck, repoGpgcheck: f['repo-gpgcheck'], ...(f['gpg-key']?.length ? { gpgKeys: f['gpg-key'] } : {}) } };
    if (f.all) {
      if (this.args.repo) this.error('give either REPO or --all, not both', { exit: 2 });
      const flags = { vars, mode: f.mode as 'mirror' | 'additive' | undefined, keepVersions: f['keep-versions'], arch: f.arch, include: f.include, exclude: f.exclude, newestOnly: f['newest-only'], workers: f.workers, maxMetadataSize: f['max-metadata-size'], ...network, ...sign, ...verify };
      const all = await syncAllRepos(loaded, flags, extra, this.logger);
      this.log(all.results.map((r) => (r.changed ? `${r.repo}: ${r.dryRun ? 'would publish a snapshot' : `published ${r.snapshot}`} (${plural(r.packages, 'package')})` : `${r.repo}: no change`)).join('\n'));
      return all;
    }
    if (!this.args.repo) this.error('missing REPO (or --all to sync every configured repo)', { exit: 2 });
    const options = syncOptionsFor(
      this.args.repo,
      {
        from: f.from,
        config: f.config,
        section: f.section,
        vars,
        mode: f.mode as 'mirror' | 'additive' | undefined,
        keepVersions: f['keep-versions'],
        arch: f.arch,
        include: f.include,
        exclude: f.exclude,
        newestOnly: f['newest-only'],
        workers: f.workers,
        ...network,
        ...sign,
        ...verify,
        maxMetadataSize: f['max-metadata-size'],
      },
      loaded,
    );
    const result = await syncRepo({ ...options, ...extra, logger: this.logger });
    this.log(result.dryRun ? dryRunSummary(result) : summary(result));
    return result;
  }
}

function summary(r: SyncResult): string {
  const dl = `${r.downloaded.count} downloaded (${humanBytes(r.downloaded.bytes)})`;
  return r.changed
    ? `Published ${r.repo}/${r.snapshot}: ${plural(r.packages, 'package')}, +${r.added} -${r.removed}, ${dl}${r.signature ? `, signed by ${r.signature.fingerprint}` : ''}\n${r.url}`
    : `${r.repo}: no change (${r.reason}); latest is ${r.snapshot ?? 'none'}`;
}

/** How many package names a dry run prints of those added or removed (--json has them all). */
const SHOWN_PACKAGES = 20;

function dryRunSummary(r: SyncResult): string {
  const dl = `would download ${plural(r.downloaded.count, 'package')} (${humanBytes(r.downloaded.bytes)})`;
  if (!r.changed) return `Dry run: ${r.repo}: no change (${r.reason}); latest is ${r.snapshot ?? 'none'}; ${dl}`;
  const names = (sign: string, list: readonly string[]) => [
    ...list.slice(0, SHOWN_PACKAGES).map((n) => `  ${sign} ${n}`),
    ...(list.length > SHOWN_PACKAGES ? [`  ${sign} ... and ${list.length - SHOWN_PACKAGES} more (--json lists them all)`] : []),
  ];
  return [
    `Dry run: would publish a new snapshot of ${r.repo} on ${r.previous ?? 'its empty history'}: ${plural(r.packages, 'package')}, +${r.added} -${r.removed}, ${dl}; nothing written`,
    ...names('+', r.changes.added),
    ...names('-', r.changes.removed),
  ].join('\n');
}
