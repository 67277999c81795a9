#!/usr/bin/env python3
"""Print what dnf (python3-dnf 4.x / hawkey) sees in a YUM repository, as canonical JSON.

Usage: dnf-dump.py REPO_DIR WORK_DIR

REPO_DIR is the repository root (the directory holding repodata/). WORK_DIR is an empty scratch directory
(installroot, cache, logs); nothing outside it is read or written apart from REPO_DIR. The output is one
JSON object: {"packages": [...]} sorted by (name, epoch, version, release, arch, location), every package a
dict of the attributes dnf exposes. Dependency lists appear twice: in dnf's order and sorted, so a test can
tell an order difference from a content difference.
"""
import json
import os
import sys

import dnf
import hawkey

DEP_KINDS = [
    'provides', 'requires', 'requires_pre', 'regular_requires', 'prereq_ignoreinst', 'conflicts', 'obsoletes',
    'recommends', 'suggests', 'supplements', 'enhances',
]
SCALARS = [
    'name', 'epoch', 'version', 'release', 'arch', 'evr', 'summary', 'description', 'url', 'license', 'vendor',
    'packager', 'group', 'buildtime', 'size', 'downloadsize', 'installsize', 'hdr_end', 'medianr', 'sourcerpm',
    'location', 'baseurl',
]


def text(value):
    if isinstance(value, bytes):
        return value.decode('utf-8', 'surrogateescape')
    return value


def dump_package(pkg, repo_url):
    out = {}
    for attr in SCALARS:
        if hasattr(pkg, attr):
            out[attr] = text(getattr(pkg, attr))
    # The baseurl is the repo URL, which differs between the two repos under comparison by design.
    if out.get('baseurl') == repo_url or out.get('baseurl') is None:
        out.pop('baseurl', None)
    chksum = pkg.chksum
    out['chksum'] = None if chksum is None else [hawkey.chksum_name(chksum[0]), chksum[1].hex()]
    hdr = pkg.hdr_chksum
    out['hdr_chksum'] = None if hdr is None else [hawkey.chksum_name(hdr[0]), hdr[1].hex()]
    for kind in DEP_KINDS:
        if hasattr(pkg, kind):
            deps = [str(d) for d in getattr(pkg, kind)]
            out[kind] = deps
            out[kind + '_sorted'] = sorted(deps)
    files = [text(f) for f in pkg.files]
    out['files'] = files
    out['files_sorted'] = sorted(files)
    out['changelogs'] = [
        {'timestamp': c['timestamp'].isoformat() if hasattr(c['timestamp'], 'isoformat') else str(c['timestamp']),
         'author': text(c['author']), 'text': text(c['text'])}
        for c in pkg.changelogs
    ]
    return out


def main():
    if len(sys.argv) != 3:
        sys.stderr.write('usage: dnf-dump.py REPO_DIR WORK_DIR\n')
        return 2
    repo_dir = os.path.abspath(sys.argv[1])
    work = os.path.abspath(sys.argv[2])
    repo_url = 'file://' + repo_dir
    for sub in ('root', 'cache', 'log', 'repos.d'):
        os.makedirs(os.path.join(work, sub), exist_ok=True)

    base = dnf.Base()
    conf = base.conf
    conf.installroot = os.path.join(work, 'root')
    conf.cachedir = os.path.join(work, 'cache')
    conf.logdir = os.path.join(work, 'log')
    conf.persistdir = os.path.join(work, 'root', 'persist')
    conf.reposdir = [os.path.join(work, 'repos.d')]
    conf.substitutions['releasever'] = 'compat'
    conf.substitutions['basearch'] = 'x86_64'
    conf.gpgcheck = False
    conf.assumeyes = True
    # Never let a package be hidden: no excludes, no modular filtering, every arch.
    conf.excludepkgs = []
    conf.includepkgs = []
    conf.module_platform_id = ''
    repo = base.repos.add_new_repo('t', conf, baseurl=[repo_url])
    repo.load_metadata_other = True  # changelogs live in other.xml
    repo.metadata_expire = 0
    base.fill_sack(load_system_repo=False, load_available_repos=True)

    q = base.sack.query().available()
    pkgs = [dump_package(p, repo_url) for p in q]
    pkgs.sort(key=lambda p: (p['name'], p['epoch'], p['version'], p['release'], p['arch'], p['location']))
    json.dump({'packages': pkgs}, sys.stdout, ensure_ascii=False, sort_keys=True, indent=1)
    sys.stdout.write('\n')
    base.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
