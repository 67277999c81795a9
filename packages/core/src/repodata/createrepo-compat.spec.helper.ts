import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The packages of the createrepo_c compatibility tests, built by the real rpmbuild: a main package with
 * awkward metadata (escapes, every dependency kind, file types, changelogs), a plain one and an empty one.
 */

const MAIN_SPEC = String.raw`
Name: ovr-main
Version: 1.0
Release: 1
Epoch: 2
Summary: Summary with <xml> & "quotes" 'apos' and ünïcödé
License: GPLv2+ & "MIT"
URL: http://example.com/?a=1&b=2
BuildArch: noarch
Requires: /bin/sh
Requires(pre): coreutils
Requires(post): bash >= 4.0
Requires(preun): findutils
Requires: foo < 2:3.0-1
Requires: /usr/bin/ovr-main
Provides: virt(x) = 1.0
Provides: plain-provide
Obsoletes: oldpkg <= 0.9
Conflicts: badpkg > 1
Recommends: rec-pkg
Suggests: sug-pkg
Supplements: (sup-pkg and other)
Enhances: enh-pkg

%description
Description with <tags> & ampersands > greater.
Second line	with a tab
Non-ASCII: Ωmega 日本語 emoji 😀

%package tools
Summary: tools with a%{lua: print("\r")}carriage return
Requires: %{name} = %{epoch}:%{version}-%{release}
%description tools
Tools.

%install
mkdir -p %{buildroot}/etc/ovr %{buildroot}/usr/bin %{buildroot}/usr/sbin %{buildroot}/usr/share/ovr %{buildroot}/opt/vendor/bin %{buildroot}/usr/lib %{buildroot}/usr/libexec/ovr
echo a > %{buildroot}/etc/ovr/conf
echo b > %{buildroot}/usr/bin/ovr-main
echo c > "%{buildroot}/usr/share/ovr/file with space & <amp>"
echo d > %{buildroot}/usr/share/ovr/ünï
echo e > %{buildroot}/usr/sbin/ovr-tool
echo f > %{buildroot}/usr/lib/sendmail
echo g > %{buildroot}/opt/vendor/bin/x
echo h > %{buildroot}/usr/libexec/ovr/helper

%files
%dir /etc/ovr
%config(noreplace) /etc/ovr/conf
/usr/bin/ovr-main
%dir /usr/share/ovr
/usr/share/ovr/file*
/usr/share/ovr/ünï
%ghost /usr/share/ovr/ghostfile

%files tools
/usr/sbin/ovr-tool
/usr/lib/sendmail
/opt/vendor/bin/x
/usr/libexec/ovr/helper

%changelog
* Wed Jan 03 2024 Jöhn Dœ <john@example.com> - 2:1.0-1
- Newest entry with <b>bold</b> & stuff
- second line "quoted"

* Tue Jan 02 2024 Other	Person <o@example.com> - 1.0-0
- Same day one

* Tue Jan 02 2024 Other Person <o@example.com> - 0.9-1
- Same day two

* Mon Jan 01 2024 First <f@example.com>
- Oldest
`;

const PLAIN_SPEC = String.raw`
Name: ovr-plain
Version: 0.1
Release: 3
Summary: plain
License: MIT
BuildArch: noarch

%description
plain

%install
for d in 1 2 3; do mkdir -p %{buildroot}/usr/share/ovr-plain/dir$d; for f in $(seq 1 40); do echo $f > %{buildroot}/usr/share/ovr-plain/dir$d/file$f; done; done

%files
/usr/share/ovr-plain
`;

const EMPTY_SPEC = String.raw`
Name: ovr-empty
Version: 3
Release: 0.1.rc1
Summary: no files at all
License: MIT
BuildArch: noarch
%description
empty
%files
`;

export const EXPECTED_NVRS = ['ovr-empty|3', 'ovr-main-tools|1.0', 'ovr-main|1.0', 'ovr-plain|0.1'];

export function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** Builds the packages under `work` and lays them out in `work/pkgs`, with awkward names and directories on purpose. */
export function buildPackages(work: string): string {
  const top = join(work, 'rpmbuild');
  for (const [name, spec] of [['main', MAIN_SPEC], ['plain', PLAIN_SPEC], ['empty', EMPTY_SPEC]] as const) {
    const path = join(work, `${name}.spec`);
    writeFileSync(path, spec);
    run('rpmbuild', ['--define', `_topdir ${top}`, '--quiet', '-ba', path]);
  }
  const pkgsDir = join(work, 'pkgs');
  mkdirSync(join(pkgsDir, 'Packages/o'), { recursive: true });
  mkdirSync(join(pkgsDir, 'odd dir'), { recursive: true });
  mkdirSync(join(pkgsDir, 'SRPMS'), { recursive: true });
  const rpms = join(top, 'RPMS', 'noarch');
  for (const f of readdirSync(rpms)) {
    // One package gets a name with a space, non-ASCII and "&", to pin down how hrefs are escaped.
    const dest = f.startsWith('ovr-main-tools') ? join(pkgsDir, 'odd dir', 'ovr tools ü&1.rpm') : join(pkgsDir, 'Packages/o', f);
    cpSync(join(rpms, f), dest);
  }
  for (const f of readdirSync(join(top, 'SRPMS'))) cpSync(join(top, 'SRPMS', f), join(pkgsDir, 'SRPMS', f));
  return pkgsDir;
}
