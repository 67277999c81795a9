import { Args, Flags } from '@oclif/core';
import { BaseCommand, loadConfig, networkFlagValues, sharedFlags, tlsFlags } from '@ovirt-repo/core';
import { injectFiles, type InjectFilesResult } from '../lib/inject.js';

export default class Inject extends BaseCommand<typeof Inject> {
  static override summary = "Point the repos of yum/reposync configs at mirror snapshots (mirror_client's injection), and record a lock.";

  static override description = `Rewrites each FILE in place (globs are expanded here, so quoted patterns work). Every section the mirror map names gets its baseurl set to the mirror, mirrorlist and metalink removed and, unless --allow-proxy, proxy set to the no-proxy value; "before:<section>" entries add sections in front of <section>. Everything else, comments and multi-line includepkgs included, is kept byte for byte. Sections with "ost_skip_injection = True" are left alone.

All or nothing: the configs and the lock must be regular files (or a new lock file) and are checked before the map is read; every file is replaced only once the map, every config and the lock are ready, or none is. Map (and lock) values must be one baseurl each (one line, no control characters, spaces or commas) and inserted ids dnf repo ids, else the map is refused; a map read over http(s) may not name local files. Sections left with repo_gpgcheck on get a warning: snapshots are not signed.

The map (--mirrors, default $CI_MIRRORS_URL) is an http(s) URL, a JSON or YAML file or file:// URL, or a data:application/json[;base64], URL; see docs/inject.md for its format. When it cannot be reached (connection refused, timeout, 5xx) the files are left unchanged and the command warns and exits 0, as CI jobs expect; --strict makes that an error.

--lock-out records the URLs used, with the digest of each repomd.xml, so the run can be repeated with --from-lock and checked with "ovirt-repo lock verify".`;

  static override examples = [
    {
      description: 'Inject the latest snapshots into a system test config and record them',
      command: '<%= config.bin %> <%= command.id %> --mirrors http://mirrors.example.org/repos/yum/all_latest.json reposync-config.repo --lock-out run.lock.json',
    },
    { description: 'Every .repo file below the suite (quoted: expanded by ovirt-repo)', command: "<%= config.bin %> <%= command.id %> --mirrors $CI_MIRRORS_URL 'suite/**/*.repo'" },
    { description: 'Refuse to run a suite against upstream: the build\'s section must be injected', command: '<%= config.bin %> <%= command.id %> --mirrors $CI_MIRRORS_URL reposync-config.repo --require ovirt-master-el9-experimental' },
    { description: 'Reproduce an earlier run exactly', command: '<%= config.bin %> <%= command.id %> --from-lock run.lock.json reposync-config.repo' },
    { description: 'A map served over https with the site\'s own CA', command: '<%= config.bin %> <%= command.id %> --mirrors https://mirrors.internal.example.org/all_latest.json --ca-cert /etc/pki/site/ca.pem reposync-config.repo' },
    {
      description: 'A map given inline',
      command: `<%= config.bin %> <%= command.id %> --mirrors 'data:application/json,{"ovirt-master-el8": "http://store/yum/ovirt-master-el8/20240501T120000Z"}' my.repo`,
    },
  ];

  static override strict = false;

  static override args = {
    file: Args.string({ description: 'Config file or quoted glob (more may follow).', required: true }),
  };

  static override flags = {
    mirrors: Flags.string({
      char: 'm',
      summary: 'Mirror map URI: http(s), file path or file://, or data: URL. Default: $CI_MIRRORS_URL.',
      helpValue: 'URI',
    }),
    varname: Flags.string({ summary: 'Key holding the map in wrapped documents (default: latest_ci_repos).', helpValue: 'NAME' }),
    'allow-proxy': Flags.boolean({ summary: 'Leave proxy settings alone and read the map through http_proxy/https_proxy.' }),
    'none-value': Flags.string({ summary: 'The no-proxy value to write (default: _none_ for -elN and -fcNN below 29, else None).', helpValue: 'VALUE' }),
    strict: Flags.boolean({ summary: 'Fail when the map is unreachable instead of warning and leaving the files unchanged.', default: false }),
    require: Flags.string({
      summary: 'Fail, changing no file, unless this section is injected into some config (repeatable; adds to inject.require of ovirt-repo.yaml).',
      helpValue: 'SECTION',
      multiple: true,
      // One section per --require, so a config file after it stays an argument.
      multipleNonGreedy: true,
    }),
    'lock-out': Flags.string({ summary: 'Write a lock file recording every URL injected.', helpValue: 'FILE' }),
    'from-lock': Flags.string({ summary: 'Apply the URLs a lock file recorded instead of reading a map.', helpValue: 'FILE' }),
    ...tlsFlags,
    config: sharedFlags.config(),
  };

  public async run(): Promise<InjectFilesResult> {
    const { argv } = await this.parse(Inject);
    const fromLock = this.flags['from-lock'];
    const { config } = await loadConfig({ file: this.flags.config });
    const require = [...(config.inject?.require ?? []), ...(this.flags.require ?? [])];
    const result = await injectFiles({
      files: argv as string[],
      mirrors: this.flags.mirrors ?? (fromLock ? undefined : process.env.CI_MIRRORS_URL || undefined),
      fromLock,
      varname: this.flags.varname,
      allowProxy: this.flags['allow-proxy'],
      noneValue: this.flags['none-value'],
      strict: this.flags.strict,
      lockOut: this.flags['lock-out'],
      ...(require.length ? { require } : {}),
      tls: networkFlagValues(this.flags),
      logger: this.logger,
    });
    this.report(result);
    return result;
  }

  private report(result: InjectFilesResult): void {
    if (result.status === 'unreachable') {
      this.log(`Mirror map unreachable: ${result.files.length} file(s) left unchanged.`);
    } else {
      const source = result.map.fromLock ? `lock ${result.map.fromLock}` : `${result.map.uri}`;
      this.log(`Mirror map ${source}: ${result.map.repos} repos, ${result.map.insertions} insertions`);
      for (const f of result.files) {
        const parts = [
          f.injected.length ? `injected ${f.injected.map((s) => s.section).join(', ')}` : 'nothing injected',
          ...(f.inserted.length ? [`inserted ${f.inserted.map((s) => `${s.repo} (before ${s.before})`).join(', ')}`] : []),
          ...(f.skipped.length ? [`skipped ${f.skipped.join(', ')} (ost_skip_injection)`] : []),
          ...(f.leftAlone.length ? [`left alone ${f.leftAlone.join(', ')}`] : []),
        ];
        this.log(`${f.path}: ${parts.join('; ')}${f.changed ? '' : ' [unchanged]'}`);
      }
    }
    if (result.lock) this.log(`Lock written to ${result.lock.path} (${result.lock.entries} entries)`);
  }
}
