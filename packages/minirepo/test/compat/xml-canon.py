#!/usr/bin/env python3
"""Print a repository's primary, filelists and other metadata split per package, raw and canonical, as JSON.

Usage: xml-canon.py REPO_DIR

For each metadata type named in repodata/repomd.xml: the decompressed document is cut into its <package>
elements. Each is given raw (the exact decompressed bytes, decoded as UTF-8) and canonical (C14N 2.0 with
whitespace-only text stripped, inside the document's own root element so namespaces resolve): the canonical
form ignores attribute order, quoting style, empty-element form and indentation, nothing else.
"""
import bz2
import gzip
import json
import lzma
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

REPO = '{http://linux.duke.edu/metadata/repo}'
TYPES = ('primary', 'filelists', 'other')
PACKAGE_RE = re.compile(r'<package[\s>].*?</package>', re.S)


def decompress(path):
    with open(path, 'rb') as f:
        data = f.read()
    if path.endswith('.gz'):
        return gzip.decompress(data)
    if path.endswith('.xz'):
        return lzma.decompress(data)
    if path.endswith('.bz2'):
        return bz2.decompress(data)
    if path.endswith('.zst'):
        return subprocess.run(['zstd', '-dc'], input=data, stdout=subprocess.PIPE, check=True).stdout
    return data


def package_key(elem_text):
    """A key identifying a package element: pkgid (or checksum), name, arch and, in primary, location."""
    pkgid = re.search(r'pkgid="([^"]*)"', elem_text) or re.search(r'<checksum[^>]*>([^<]*)</checksum>', elem_text)
    name = re.search(r'name="([^"]*)"', elem_text) or re.search(r'<name>([^<]*)</name>', elem_text)
    arch = re.search(r'arch="([^"]*)"', elem_text) or re.search(r'<arch>([^<]*)</arch>', elem_text)
    loc = re.search(r'<location[^>]*href="([^"]*)"', elem_text)
    parts = [m.group(1) if m else '?' for m in (name, arch, pkgid)]
    if loc:
        parts.append(loc.group(1))
    return ' '.join(parts)


def split(text):
    first = PACKAGE_RE.search(text)
    head = text[:first.start()] if first else text
    root_open = re.search(r'<(metadata|filelists|otherdata)\b[^>]*>', head)
    root_tag = root_open.group(1) if root_open else 'metadata'
    wrapper_open = root_open.group(0) if root_open else '<metadata>'
    if wrapper_open.endswith('/>'):
        wrapper_open = wrapper_open[:-2] + '>'
    packages = []
    seen = {}
    for m in PACKAGE_RE.finditer(text):
        raw = m.group(0)
        doc = wrapper_open + raw + '</' + root_tag + '>'
        c14n = ET.canonicalize(xml_data=doc, strip_text=True)
        key = package_key(raw)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = '%s #%d' % (key, seen[key])
        packages.append({'key': key, 'raw': raw, 'c14n': c14n})
    return root_tag, packages


def main():
    repo = os.path.abspath(sys.argv[1])
    repomd = ET.parse(os.path.join(repo, 'repodata', 'repomd.xml')).getroot()
    out = {'repomd': {}, 'files': {}}
    for data in repomd.findall(REPO + 'data'):
        kind = data.get('type')
        href = data.find(REPO + 'location').get('href')
        checksum = data.find(REPO + 'checksum')
        open_checksum = data.find(REPO + 'open-checksum')
        open_size = data.find(REPO + 'open-size')
        out['repomd'][kind] = {
            'href': href,
            'checksumType': checksum.get('type') if checksum is not None else None,
            'openChecksum': open_checksum.text if open_checksum is not None else None,
            'openSize': int(open_size.text) if open_size is not None else None,
        }
        if kind not in TYPES:
            continue
        data_bytes = decompress(os.path.join(repo, href))
        text = data_bytes.decode('utf-8')
        _root_tag, packages = split(text)
        root_elem = ET.fromstring(data_bytes)
        out['files'][kind] = {
            'root': dict(sorted(root_elem.attrib.items())),
            'raw': text,
            'packages': packages,
        }
    json.dump(out, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == '__main__':
    sys.exit(main())
