import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeDirectory, nonRootTargetPath, resolveLinkTarget, targetBasename, type AtomicLinkCapable, type TargetLocation, type TargetOpenOptions } from '@ovirt-repo/core';
import { parseRsyncLocation } from './rsync-location.js';
import { assertRsyncSafe, RsyncTarget } from './rsync-target.js';

const LINK_LINE = /^l\S{9}\S*\s+\d+\s+\S+\s+\S+\s(.*) -> (.*)$/;
const unescape = (s: string) => s.replace(/\\#([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * A directory on another host over ssh: an rsync target that also makes symbolic links. The receiving
 * rsync writes a link under a temp name and renames it over the old one, so a link moves in one step, as
 * on a local directory; publish relies on it to switch repomd.xml and its signature together. rsync://
 * daemons are left without it: a module may rewrite ("munge") the links it receives.
 */
export class SshTarget extends RsyncTarget implements AtomicLinkCapable {
  static override open(location: TargetLocation, options: TargetOpenOptions): SshTarget {
    return new SshTarget(location.scheme, parseRsyncLocation(location, options.settings?.rsh ?? options.env?.RSYNC_RSH ?? process.env.RSYNC_RSH), options);
  }

  async symlink(linkTarget: string, path: string): Promise<void> {
    const rel = nonRootTargetPath(path, 'link');
    resolveLinkTarget(rel, linkTarget);
    assertRsyncSafe(rel, this.describe(rel));
    const stage = await mkdtemp(join(await this.scratchDir(), 'link-'));
    try {
      const local = join(stage, ...this.fromAnchor(rel).split('/'));
      await makeDirectory(dirname(local), { mode: 0o755 });
      await symlink(linkTarget, local);
      await this.rsync('link', rel, ['-r', '-l', '--chmod=Du=rwx,Dgo=rx', `${stage}/`, this.anchorRoot()]);
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
  }

  async readLink(path: string): Promise<string | undefined> {
    const rel = nonRootTargetPath(path, 'read the link');
    const out = await this.rsync('read link', rel, ['--list-only', '-l', '-d', this.remote(rel, false)], { notFoundOk: true });
    for (const line of out?.split('\n') ?? []) {
      const m = LINK_LINE.exec(line);
      if (m && unescape(m[1] ?? '') === targetBasename(rel)) return unescape(m[2] ?? '');
    }
    return undefined;
  }
}
