// The rpmbuild corpus of the compatibility suite: spec files written by the test, built once and cached.
// Each spec exercises metadata createrepo_c treats specially; the expected metadata is never written here,
// createrepo_c and dnf are the oracle.

/** Bump when the build procedure (not the spec texts) changes, to invalidate cached corpora. */
export const SPEC_CORPUS_VERSION = 2;

export interface SpecFile {
  /** File name stem, also the main package name. */
  name: string;
  text: string;
  /** How the text is written to disk; `latin1` writes each char code as one byte (for invalid UTF-8). */
  encoding?: 'utf8' | 'latin1';
  /** Extra rpmbuild macro definitions. */
  defines?: Record<string, string>;
  /** `main` packages form the compared corpus; `unusual` ones are compared on their own (see compat.spec.ts). */
  set: 'main' | 'unusual';
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Sat Jan 20 2024`, the %changelog date form (rpm rejects a wrong weekday). */
function changelogDate(daysBefore: number): string {
  const d = new Date(Date.UTC(2024, 0, 20) - daysBefore * 86_400_000);
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${DAY_NAMES[d.getUTCDay()]} ${MONTH_NAMES[d.getUTCMonth()]} ${day} ${d.getUTCFullYear()}`;
}

/**
 * 14 entries (more than createrepo_c's default limit of 10), newest first, several sharing a date: three on
 * the newest day, and a run of three equal dates straddling the 10-entry cut (entries 10, 11, 12).
 */
function longChangelog(): string {
  const daysBefore = [0, 0, 0, 1, 2, 3, 3, 4, 5, 6, 6, 6, 7, 8];
  const authors = [
    'Jöhn Dœ <john@example.org>',
    'Zoë Åkesson & Co <zoe@example.org>',
    'Ünïcødé Üser <unicode@example.org>',
    'Plain Author <plain@example.org>',
  ];
  const entries = daysBefore.map((days, i) => {
    const release = 14 - i;
    const lines = [
      `* ${changelogDate(days)} ${authors[i % authors.length]} - 1.0-${release}`,
      `- entry ${i + 1} of ${daysBefore.length}: <xml> & "double" 'single' quotes, ünïcødé, 日本語`,
    ];
    if (i % 3 === 0) lines.push(`- a second line in entry ${i + 1}`, '  continued with leading spaces');
    return lines.join('\n');
  });
  return entries.join('\n\n');
}

/** Dependencies of every kind, all comparison operators, scriptlet prerequisites, weak and rich deps; no files. */
const deps: SpecFile = {
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
const files: SpecFile = {
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

/** Non-ASCII and XML special characters everywhere, Vendor/URL/Packager/Group set, a long changelog. */
const text: SpecFile = {
  name: 'compat-text',
  text: `Name:           compat-text
Version:        1.0
Release:        14
Summary:        Ünïcødé summary — with <xml> & "quotes" 'and' apostrophes
License:        MIT
URL:            https://example.org/compat-text?x=1&y=<2>
Vendor:         Véndör & Søns <vendor@example.org>
Packager:       Jörg Müller <joerg@example.org>
Group:          Applications/Text
BuildArch:      noarch

%description
Multi-line description.
  An indented line with <tags> & ampersands, "double" and 'single' quotes.
Greek Ελληνικά, Japanese 日本語, Czech čeština, symbols ©®™ and → arrows.

Second paragraph after an empty line.

%install
mkdir -p %{buildroot}/usr/share/compat-text
echo text > %{buildroot}/usr/share/compat-text/readme.txt

%files
/usr/share/compat-text

%changelog
${longChangelog()}
`,
  set: 'main',
};

/** Plain: native arch, no Vendor, no URL, no Packager, no epoch, an empty description, a version with ~ and ^. */
const plain: SpecFile = {
  name: 'compat-plain',
  text: `Name:           compat-plain
Version:        0.9~rc1^git20240101.abc
Release:        0.1
Summary:        x
License:        Public Domain

%description

%install
mkdir -p %{buildroot}/usr/share/compat-plain
echo plain > %{buildroot}/usr/share/compat-plain/file

%files
/usr/share/compat-plain/file
`,
  set: 'main',
};

/** Thousands of files (3,000 in %install), some below a bin/ directory so they reach primary.xml. */
const many: SpecFile = {
  name: 'compat-many',
  text: `Name:           compat-many
Version:        1.0
Release:        1
Summary:        A package with thousands of files
License:        MIT
BuildArch:      noarch

%description
3,000 generated files in 30 directories, 20 of them below bin/.

%install
set -e
root=%{buildroot}/usr/share/compat-many
for d in $(seq -w 0 29); do
  mkdir -p "$root/dir-$d"
  for f in $(seq -w 0 99); do
    echo "$d$f" > "$root/dir-$d/file-$f.txt"
  done
done
mkdir -p %{buildroot}/usr/bin
for f in $(seq -w 0 19); do
  mv "$root/dir-00/file-$f.txt" "%{buildroot}/usr/bin/compat-many-$f"
done

%files
/usr/share/compat-many
/usr/bin/compat-many-*
`,
  set: 'main',
};

/**
 * Text that is not valid UTF-8, as old packages have: Latin-1 bytes (createrepo_c converts such strings),
 * mixed valid and invalid sequences, a 4-byte UTF-8 character, a carriage return (written as &#13;), a
 * Latin-1 file name. Written byte for byte (latin1 encoding: each char code below is one byte).
 */
const legacy: SpecFile = {
  name: 'compat-legacy',
  encoding: 'latin1',
  defines: { _invalid_encoding_terminates_build: '0' },
  text: `Name:           compat-legacy
Version:        1.0
Release:        1
Summary:        Legacy caf\xe9 na\xefve summary \xa9
License:        MIT
Vendor:         Legacy V\xe9ndor
Packager:       Valid UTF-8 emoji \xf0\x9f\x98\x80 and caf\xc3\xa9
URL:            https://example.org/legacy?q=caf\xe9
BuildArch:      noarch

%description
Latin-1 description: na\xefve caf\xe9 \xa9 \xbd.
A carriage return here:\rafter it.
\ttab-indented line
mixed: valid \xc3\xa9 then invalid \xe9
emoji \xf0\x9f\x98\x80 (4-byte UTF-8)

%install
mkdir -p %{buildroot}/usr/share/compat-legacy
echo x > '%{buildroot}/usr/share/compat-legacy/caf\xe9-latin1.txt'
echo x > '%{buildroot}/usr/share/compat-legacy/emoji-\xf0\x9f\x98\x80.txt'

%files
/usr/share/compat-legacy

%changelog
* Mon Jan 15 2024 J\xf6rg Legacy <j@example.org> - 1.0-1
- Latin-1 entry caf\xe9\r with a carriage return
`,
  set: 'main',
};

/**
 * Control characters XML 1.0 cannot carry: createrepo_c leaves such a package out of the metadata (with a
 * "Forbidden control chars" error, exit status 0). Kept out of the main corpus; compared on its own. The
 * characters come from Lua: rpmbuild refuses a spec file that contains them literally.
 */
const control: SpecFile = {
  name: 'compat-control',
  text: `Name:           compat-control
Version:        1.0
Release:        1
Summary:        Control characters in the description
License:        MIT
BuildArch:      noarch

%description
A bell %{lua: print(string.char(7))} and an escape %{lua: print(string.char(27))}: XML 1.0 cannot carry them.

%files
`,
  set: 'unusual',
};

/** The spec files of the corpus, in build order. */
export function specCorpus(): SpecFile[] {
  return [deps, files, text, plain, many, legacy, control];
}
