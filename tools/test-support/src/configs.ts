/**
 * Configs modelled on ovirt-system-tests' reposync configs (common/yum-repos/ovirt-master-cq.repo):
 * [main] options, `key = value` spacing, tab-indented multi-line includepkgs/exclude, $basearch,
 * ost_skip_injection, comments (one inside a multi-line value), mirrorlist and metalink.
 */
export const REPOSYNC_CONFIG = `# reposync config for basic-suite-master
# (modelled on ovirt-system-tests common/yum-repos/ovirt-master-cq.repo)
[main]
reposdir = /etc/reposync.repos.d
max_connections = 50
ip_resolve = 4
gpgcheck = 0
plugins = 1

[ovirt-master-tested-el7]
name = oVirt Master Latest Tested
baseurl = http://resources.ovirt.org/repos/ovirt/tested/master/rpm/el7/
enabled = 1
max_connections = 10
proxy = _none_
cost = 100
ost_skip_injection = True
exclude = ovirt-guest-agent-common
\tovirt-guest-agent-gdm-plugin
\tovirt-guest-agent-pam-module

[sac-gluster-ansible-el7]
name = Copr repo for gluster-ansible
baseurl = https://copr-be.cloud.fedoraproject.org/results/sac/gluster-ansible/epel-7-$basearch/
gpgcheck = 1
gpgkey = https://copr-be.cloud.fedoraproject.org/results/sac/gluster-ansible/pubkey.gpg
enabled = 1
includepkgs = gluster-ansible-cluster
\tgluster-ansible-features
\tgluster-ansible-infra

# CentOS base comes from the mirror when there is one
[centos-base-el7]
name = CentOS7 Base
mirrorlist = http://mirrorlist.centos.org/?release=7&arch=$basearch&repo=os
enabled = 1
max_connections = 10
includepkgs = NetworkManager-config-server
\tdevice-mapper
\t; lvm2 comes from updates
\tdevice-mapper-libs

[epel-el7]
name = Extra Packages for Enterprise Linux 7 - $basearch
metalink = https://mirrors.fedoraproject.org/metalink?repo=epel-7&arch=$basearch
enabled = 1
exclude = archaius-core
\tjackson-core
max_connections = 5
includepkgs = ansible
\tlibtomcrypt

[fedora-updates-fc30]
name=Fedora 30 updates
baseurl=http://download.fedoraproject.org/pub/fedora/linux/updates/30/Everything/$basearch/
enabled=1
`;
