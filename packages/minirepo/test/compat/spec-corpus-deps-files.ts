import type { SpecFile } from './spec-file.js';

// Two specs of the corpus (spec-corpus.ts): every kind of dependency, and every kind of file entry.

/** Dependencies of every kind, all comparison operators, scriptlet prerequisites, weak and rich deps; no files. */
export const deps: SpecFile = {
  name: 'compat-deps',
  text: `Name:           compat-deps
Epoch:          3
Version:        1.2.3
Release:        4
Summary:        Dependencies of every kind, and no files
License:        MIT
URL:            https://example.org/compat-deps
Vendor:         Example Vendor
Packager:       Compat Packager <packager@example.org>
Group:          Development/Tools
BuildArch:      x86_64
BuildRequires:  build-dep >= 1.0
BuildRequires:  (build-rich-a or build-rich-b)

Requires:       dep-unversioned
Requires:       dep-lt < 1.0
Requires:       dep-le <= 1.0-1
Requires:       dep-eq = 2:1.0-1
Requires:       dep-ge >= 1.0
Requires:       dep-gt > 0.9
Requires:       dep-epoch-zero >= 0:1.0
Requires:       dep-tilde >= 1.0~rc1
Requires:       dep-caret >= 1.0^git20240101
Requires:       dep-dup
Requires(post): dep-dup
Requires(pre):  pre-dep >= 1
Requires(post): post-dep
Requires(preun): preun-dep
Requires(postun): postun-dep
Requires(pre,post): pre-post-dep
Requires(pretrans): pretrans-dep
Requires(posttrans): posttrans-dep
Requires(interp): interp-dep
Requires(meta): meta-dep
Requires:       /usr/bin/not-ours
Requires:       libc.so.6()(64bit)
Requires:       libc.so.6(GLIBC_2.2.5)(64bit)
Requires:       libc.so.6(GLIBC_2.14)(64bit)
Requires:       libc.so.6(GLIBC_2.3.4)(64bit)
Requires:       libm.so.6()(64bit)
Requires:       libm.so.6(GLIBC_2.2.5)(64bit)
Requires:       (rich-a if rich-b)
Requires:       (rich-c or rich-d)
Requires:       (rich-e >= 1.0 with rich-e < 2.0)
Requires:       (rich-f if rich-g else rich-h)
Requires:       (rich-i with rich-j)
Provides:       compat-deps-api = 2.0
Provides:       compat-deps-feature(foo)
Provides:       compat-deps-virtual = 3:1.2.3-4
Provides:       compat-deps-lt-provide < 5
Requires:       compat-deps-api = 2.0
Requires:       compat-deps-feature(foo)
Requires:       compat-deps-api >= 1.0
Conflicts:      conflict-any
Conflicts:      conflict-old < 1.0
Conflicts:      conflict-range >= 2.0
Conflicts:      (conflict-a and conflict-b)
Conflicts:      (conflict-c unless conflict-d)
Obsoletes:      old-name < 3:1.0
Obsoletes:      older-name
Obsoletes:      oldest-name <= 0.1-1
Recommends:     rec-pkg >= 1.0
Recommends:     (rec-a or rec-b)
Suggests:       sugg-pkg
Suggests:       (sugg-a and sugg-b)
Supplements:    (compat-deps-base and langpacks-de)
Supplements:    supp-pkg
Enhances:       enh-pkg > 1
Enhances:       enh-other

%description
A package with no files whose metadata carries every kind of dependency: all comparison operators,
scriptlet prerequisites, weak and rich dependencies, requires satisfied by its own provides, and the
libc.so.6 requires createrepo_c filters.

%pre
exit 0

%post
exit 0

%preun
exit 0

%postun
exit 0

%posttrans
exit 0

%files

%changelog
* Mon Jan 15 2024 Compat Packager <packager@example.org> - 3:1.2.3-4
- Only entry
`,
  set: 'main',
};

/** Files of every kind: self-provided file requires, config, dir, ghost, symlinks, odd names, primary filter. */
export const files: SpecFile = {
  name: 'compat-files',
  text: `Name:           compat-files
Epoch:          0
Version:        2.0
Release:        1
Summary:        Files of every kind <&> "quoted" 'apostrophe'
License:        GPL-2.0-or-later AND (MIT OR Apache-2.0)
BuildArch:      noarch

Requires:       /usr/bin/compat-tool
Requires:       /etc/compat/compat.conf
Requires:       /etc/compat
Requires:       /etc/compat/ghost.conf
Requires:       /var/log/compat.log
Requires:       /usr/libexec/compat/bin
Requires:       /usr/libexec/compat/bin/helper
Requires:       /usr/share/compat-files/link-to-data
Provides:       /usr/bin/virtual-path
Requires:       /usr/bin/virtual-path
Requires:       /usr/share/compat-files/data.txt
Requires:       /usr/lib/sendmail
Requires:       /usr/sbin/not-ours-tool
Requires:       compat-files-cap = 2.0
Provides:       compat-files-cap = 2.0
Requires:       %{name} = %{epoch}:%{version}-%{release}
Requires:       %{name} = %{version}-%{release}
Requires(post): /bin/sh
Requires(post): /usr/bin/compat-tool

%description
Files of every kind. A <description> with XML special characters & "quotes" 'apostrophes',
	a tab-indented line,
and non-ASCII: čeština, Ελληνικά, 日本語.

%package devel
Summary:        Development files for compat-files
Requires:       %{name} = %{epoch}:%{version}-%{release}
Requires:       /usr/bin/compat-tool

%description devel
A subpackage depending on its main package with an exact EVR, and on a file of that package.

%install
set -e
cd %{buildroot}
mkdir -p usr/bin usr/libexec/compat/bin etc/compat var/log run/compat var/lib/compat usr/lib \\
  usr/share/compat-files/sub\\ dir usr/share/compat-files/cabin opt/compat/xbin usr/include/compat \\
  usr/share/doc/compat-files usr/share/licenses/compat-files
printf '#!/bin/sh\\necho compat\\n' > usr/bin/compat-tool
chmod 0755 usr/bin/compat-tool
printf '#!/bin/sh\\n' > 'usr/bin/compat tool with space'
chmod 0755 'usr/bin/compat tool with space'
printf '#!/bin/sh\\n' > usr/libexec/compat/bin/helper
chmod 0755 usr/libexec/compat/bin/helper
echo 'key=value' > etc/compat/compat.conf
echo 'keep=me' > etc/compat/keep.conf
echo 'ghost' > etc/compat/ghost.conf
touch var/log/compat.log
echo mta > usr/lib/sendmail
echo data > usr/share/compat-files/data.txt
echo space > 'usr/share/compat-files/with space.txt'
echo xml > 'usr/share/compat-files/a<b>&c.txt'
echo quotes > usr/share/compat-files/quote\\"d\\'name.txt
echo utf8 > 'usr/share/compat-files/čeština-ünïcødé-日本.txt'
echo percent > 'usr/share/compat-files/100 percent.txt'
echo nested > 'usr/share/compat-files/sub dir/nested file.txt'
echo binary > usr/share/compat-files/binary.dat
echo cabin > usr/share/compat-files/cabin/inside
echo xbin > opt/compat/xbin/tool
ln -s data.txt usr/share/compat-files/link-to-data
ln -s /nonexistent/target usr/share/compat-files/dangling-link
ln -s ../../usr/bin/compat-tool usr/libexec/compat/bin/tool-link
echo readme > usr/share/doc/compat-files/README
echo license > usr/share/licenses/compat-files/COPYING
echo '/* header */' > usr/include/compat/compat.h

%post
/usr/bin/compat-tool >/dev/null || :

%files
/usr/bin/compat-tool
"/usr/bin/compat tool with space"
/usr/libexec/compat
%dir /etc/compat
%config /etc/compat/compat.conf
%config(noreplace) /etc/compat/keep.conf
%ghost %config(missingok) /etc/compat/ghost.conf
%ghost /var/log/compat.log
%ghost %dir /run/compat
%dir /var/lib/compat
/usr/lib/sendmail
/usr/share/compat-files
/opt/compat
%doc /usr/share/doc/compat-files/README
%license /usr/share/licenses/compat-files/COPYING

%files devel
/usr/include/compat

%changelog
* Tue Jan 16 2024 Ünïcødé Üser <unicode@example.org> - 2.0-1
- Entry with <xml> & "quotes"
`,
  set: 'main',
};
