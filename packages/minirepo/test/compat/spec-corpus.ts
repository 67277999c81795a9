// The rpmbuild corpus of the compatibility suite: spec files written by the test, built once and cached.
// Each spec exercises metadata createrepo_c treats specially; the expected metadata is never written here,
// createrepo_c and dnf are the oracle.

import { deps, files } from './spec-corpus-deps-files.js';
import type { SpecFile } from './spec-file.js';

/** Bump when the build procedure (not the spec texts) changes, to invalidate cached corpora. */
export const SPEC_CORPUS_VERSION = 2;

export type { SpecFile } from './spec-file.js';

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
