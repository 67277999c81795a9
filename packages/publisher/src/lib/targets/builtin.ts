import { targetRegistry, type TargetRegistry } from '@ovirt-repo/core';
import { FileTarget } from './file-target.js';
import { RsyncTarget } from './rsync-target.js';
import { SshTarget } from './ssh-target.js';

const PROVIDER = '@ovirt-repo/plugin-publisher';

/**
 * Register the built-in targets: `file` (paths, file://), `rsync` (rsync:// daemons), `ssh` (ssh:// and
 * host:path, through rsync over ssh) and `s3` (a bucket prefix; its code is loaded only when an s3://
 * destination is opened, so publishing to a directory never loads it). Idempotent; a scheme some plugin registered first is left to it, so a
 * plugin can replace a built-in.
 */
export function registerBuiltinTargets(registry: TargetRegistry = targetRegistry()): void {
  registry.register('file', (location, options) => FileTarget.open(location, options), {
    description: 'A directory on this machine (an NFS mount or web server document root works too).',
    examples: ['/var/www/html/ovirt/latest.tested', 'file:///srv/repos/latest.tested'],
    provider: PROVIDER,
    onConflict: 'keep',
  });
  registry.register('rsync', (location, options) => RsyncTarget.open(location, options), {
    description: 'A module of an rsync daemon, through the system rsync.',
    examples: ['rsync://mirror.example.org/ovirt/latest.tested'],
    provider: PROVIDER,
    onConflict: 'keep',
  });
  registry.register('ssh', (location, options) => SshTarget.open(location, options), {
    description: 'A directory on another host, through the system rsync over ssh (also the scp-like host:path form).',
    examples: ['deploy@web.example.org:/var/www/latest.tested', 'ssh://deploy@web.example.org:2222/var/www/latest.tested'],
    provider: PROVIDER,
    onConflict: 'keep',
  });
  registry.register('s3', async (location, options) => (await import('./s3/s3-target.js')).S3Target.open(location, options), {
    description: 'A prefix of an S3 bucket (AWS, Ceph RGW, MinIO...), keys and endpoint from the AWS environment.',
    examples: ['s3://ci-repos/ovirt/latest.tested'],
    provider: PROVIDER,
    onConflict: 'keep',
  });
}
