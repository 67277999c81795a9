import { ErrorCodes, OvirtRepoError, normalizeTargetPath, type TargetLocation } from '@ovirt-repo/core';

/** Where an rsync target points, split into the part rsync connects to and the directory below it. */
export interface RsyncEndpoint {
  kind: 'daemon' | 'ssh';
  /**
   * What remote paths are appended to: `rsync://[user@]host[:port]/module/`, `[user@]host:/` (absolute
   * ssh paths) or `[user@]host:` (paths relative to the remote home directory). Files are always transferred
   * relative to this anchor so missing parent directories are created (like mkdir -p).
   */
  anchor: string;
  /** The destination directory below the anchor, normalised ('' = the anchor itself). */
  base: string;
  /** Remote-shell command for ssh endpoints (rsync -e), including `-p PORT` from ssh:// URLs. */
  rsh?: string;
  /** For messages: the destination as the user gave it, without secrets. */
  display: string;
}

/**
 * Turn a destination into an rsync endpoint:
 * - `rsync://[user@]host[:port]/module[/path]`;
 * - `ssh://[user@]host[:port]/abs/path` (`/~/path` for a path below the remote home directory);
 * - `[user@]host:path` (absolute when path starts with `/`, else relative to the remote home directory).
 */
export function parseRsyncLocation(location: TargetLocation, rsh?: string): RsyncEndpoint {
  const baseRsh = rsh && rsh.trim() !== '' ? rsh : 'ssh -o BatchMode=yes';
  if (location.form === 'scp') {
    const host = (location.host ?? '').includes(':') ? `[${location.host}]` : (location.host ?? '');
    const login = `${location.user ? `${location.user}@` : ''}${host}`;
    const path = location.path ?? '';
    const absolute = path.startsWith('/');
    return { kind: 'ssh', anchor: absolute ? `${login}:/` : `${login}:`, base: normalizeTargetPath(absolute ? path.slice(1) : path), rsh: baseRsh, display: location.raw };
  }
  const url = location.url;
  if (!url || !url.hostname) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `Cannot parse ${location.raw} as an ${location.scheme}:// URL`, {
      target: location.raw,
      hint: location.scheme === 'rsync' ? 'Write rsync://host[:port]/module/path.' : 'Write ssh://[user@]host[:port]/absolute/path or host:path.',
    });
  }
  if (url.password) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `Refusing a password in the destination URL ${url.protocol}//${url.username}:***@${url.host}${url.pathname}`, {
      hint: 'Passwords on the command line leak into logs: set RSYNC_PASSWORD or --target-option password-file=FILE instead.',
    });
  }
  const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
  const segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  const display = `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}`;
  if (location.scheme === 'rsync') {
    const [module, ...rest] = segments;
    if (!module) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `${location.raw} names no rsync module`, { target: location.raw, hint: 'Write rsync://host[:port]/module/path (rsync rsync://host/ lists the modules).' });
    }
    return { kind: 'daemon', anchor: `rsync://${user}${url.host}/${module}/`, base: normalizeTargetPath(rest.join('/')), display };
  }
  const home = segments[0] === '~';
  const port = url.port ? ` -p ${url.port}` : '';
  return {
    kind: 'ssh',
    anchor: `${user}${url.hostname}:${home ? '' : '/'}`,
    base: normalizeTargetPath((home ? segments.slice(1) : segments).join('/')),
    rsh: `${baseRsh}${port}`,
    display,
  };
}
