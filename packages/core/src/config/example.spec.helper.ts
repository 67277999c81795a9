/** A configuration using every key (tests of the loader and the JSON Schema share it). */
export const FULL = `# yaml-language-server: $schema=./ovirt-repo.schema.json
store: /srv/ovirt-repo
baseUrl: https://resources.example.org/repos/
defaults:
  mode: mirror
  retention: { maxAge: 14d, keep: 5 }
repos:
  centos-stream-9-baseos:
    source: https://mirror.stream.centos.org/9-stream/BaseOS/x86_64/os/
    mode: mirror
    arch: [x86_64, noarch]
    include: ['ovirt-*']
    exclude: ['*-debuginfo']
    newestOnly: false
    retention: { maxAge: 30d, keep: 10 }
  centos-stream-9-appstream:
    config: { file: mirrors-reposync.conf, section: cs9-appstream }
    arch: x86_64
  ovirt-master-el9:
    sources: [upstream/ovirt-master, 'file:///mnt/builds/el9']
    newestOnly: true
  experimental-master-el9:
    mode: additive
    keepVersions: 3
  experimental-4.5-el9:
    mode: additive
publish:
  tested-master-el9:
    from: experimental-master-el9
    to: rsync://repos.example.org/ovirt/tested/master/el9
    keepDays: 14
    keepVersions: 5
    keepMetadataDays: 2
  tested-local:
    from: experimental-4.5-el9
    to: published/4.5
sync:
  parallel: 4
  workers: 8
`;
