/**
 * Test support (not shipped): spec files for rpmbuild covering what the reader must get right. Payloads
 * are stored uncompressed so building stays fast.
 */
const common = `
%global debug_package %{nil}
%global _binary_payload w.ufdio
%global _source_payload w.ufdio
`;

/** Twelve changelog entries, several sharing a date, so the limit and the timestamp bump both matter. */
const changelog = `
%changelog
* Wed Mar 06 2024 Zoë Dev <zoe@example.org> - 3:2.5-7
- newest & <best>
* Wed Mar 06 2024 Zoë Dev <zoe@example.org> - 3:2.5-6
- same day as the newest
* Wed Mar 06 2024 Other Dev <other@example.org> - 3:2.5-5
- third on the same day
* Tue Mar 05 2024 Zoë Dev <zoe@example.org> - 3:2.5-4
- a day earlier
* Tue Mar 05 2024 Zoë Dev <zoe@example.org> - 3:2.5-3
- same day again
* Mon Mar 04 2024 Zoë Dev <zoe@example.org> - 3:2.5-2
- one
* Sun Mar 03 2024 Zoë Dev <zoe@example.org> - 3:2.5-1
- two
* Sat Mar 02 2024 Zoë Dev <zoe@example.org> - 3:2.4-1
- three
* Fri Mar 01 2024 Zoë Dev <zoe@example.org> - 3:2.3-1
- four
* Fri Mar 01 2024 Zoë Dev <zoe@example.org> - 3:2.2-1
- five, same day as four (the 10th entry)
* Fri Mar 01 2024 Zoë Dev <zoe@example.org> - 3:2.1-1
- six, beyond the default limit
* Thu Feb 01 2024 Zoë Dev <zoe@example.org> - 3:2.0-1
- oldest
`;

export const SPECS: Record<string, string> = {
  alpha: `${common}
Name: alpha
Epoch: 3
Version: 2.5
Release: 7.el9
Summary: Ünïcödé <alpha> & "quotes" 'apos' ✓
License: GPLv2+ and (MIT or BSD)
URL: https://example.org/alpha?x=1&y=2
Vendor: Example <vendor> & Co
Packager: Päckager <pack@example.org>
Group: Applications/Ünicode
Provides: alpha-feature = 1.0
Provides: alpha-cap(x86-64)
Requires: alpha-feature = 1.0
Requires: alpha-feature >= 0.5
Requires: foo >= 1.2-3
Requires: bar = 2:1.0
Requires: baz < 5
Requires: qux > 1:2
Requires: quux <= 3.0-1.fc40
Requires: (pkgA if pkgB)
Requires: (pkgC or pkgD >= 2)
Requires: /usr/bin/alpha-tool
Requires: /opt/alpha/data.txt
Requires: /etc/alpha.conf
Requires: /usr/bin/not-ours
Requires: libc.so.6()(64bit)
Requires: libc.so.6(GLIBC_2.3)(64bit)
Requires: libc.so.6(GLIBC_2.14)(64bit)
Requires: libc.so.6(GLIBC_2.4)(64bit)
Requires(pre): shadow-utils
Requires(post): coreutils
Requires(pretrans): pretrans-dep
Requires(posttrans): posttrans-dep
Requires(preun): preun-dep
Requires(pre): foo >= 1.2-3
Recommends: rec1 >= 1
Recommends: rec2
Suggests: sug1
Supplements: (alpha-extra and alpha)
Enhances: enh1 = 1:2-3
Conflicts: oldalpha < 2
Obsoletes: alpha-legacy <= 2.0

%description
Alpha does <everything> & more.
Second line with ümlauts and "quotes".

%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc %{buildroot}/opt/alpha %{buildroot}/var/lib/alpha %{buildroot}/var/log
printf '#!/bin/sh\\necho alpha\\n' > %{buildroot}/usr/bin/alpha-tool
chmod 755 %{buildroot}/usr/bin/alpha-tool
ln -s alpha-tool %{buildroot}/usr/bin/alpha-link
echo conf > %{buildroot}/etc/alpha.conf
echo data > %{buildroot}/opt/alpha/data.txt
echo odd > "%{buildroot}/opt/alpha/späce & <amp>.txt"
touch %{buildroot}/var/log/alpha.log

%pre
true
%post
true

%files
%config(noreplace) /etc/alpha.conf
/usr/bin/alpha-tool
/usr/bin/alpha-link
%dir /var/lib/alpha
%ghost /var/log/alpha.log
/opt/alpha
${changelog}`,

  beta: `${common}
Name: beta
Version: 0.1
Release: 1
Summary: beta tool
License: MIT
BuildArch: noarch
Provides: beta-virtual
Requires(post): /bin/sh
Requires: beta-virtual

%description
Beta.

%install
mkdir -p %{buildroot}/usr/sbin %{buildroot}/usr/share/beta
printf '#!/bin/sh\\n' > %{buildroot}/usr/sbin/beta
echo readme > %{buildroot}/usr/share/beta/README

%post
true

%files
/usr/sbin/beta
/usr/share/beta
`,

  gamma: `${common}
Name: gamma
Version: 1
Release: 1
Summary: meta package without files
License: MIT
BuildArch: noarch
Requires: alpha >= 3:2.5

%description
Gamma pulls in alpha.

%files
`,

  many: `${common}
Name: many
Version: 1.0
Release: 1
Summary: many files and a big payload
License: MIT
BuildArch: noarch

%description
Its header is larger than the reader's first read and its payload spans several hash chunks.

%install
for d in $(seq 1 40); do
  dir=%{buildroot}/usr/share/many/directory-with-a-rather-long-name-$d
  mkdir -p $dir
  for f in $(seq 1 60); do : > $dir/file-with-a-long-name-number-$f.txt; done
done
head -c 3500000 /dev/urandom > %{buildroot}/usr/share/many/random.bin

%files
/usr/share/many
`,
};
