import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DnfOutcome {
  ok: boolean;
  /** dnf's error lines when it refused. */
  error: string;
}

/**
 * Real dnf reading the repository at `url` as a user of latest.tested or of a signed snapshot would: repo_gpgcheck=1 with the
 * published key as gpgkey, and skip_if_unavailable=0 (Debian's dnf.conf skips broken repos by default,
 * which would turn a refusal into an empty success). Each call starts from an empty cache and keyring.
 */
export function gpgcheckDnf(workDir: string) {
  let n = 0;
  const setup = async (url: string, keyFile: string) => {
    const d = join(workDir, `dnf-${++n}`);
    await mkdir(join(d, 'repos.d'), { recursive: true });
    await mkdir(join(d, 'root'), { recursive: true });
    const repo = ['[pub]', 'name=pub', `baseurl=${url}`, 'gpgcheck=0', 'repo_gpgcheck=1', `gpgkey=file://${keyFile}`, 'skip_if_unavailable=0', 'metadata_expire=0', ''].join('\n');
    await writeFile(join(d, 'repos.d', 'pub.repo'), repo);
    const args = ['-y', '-q', '--noplugins', '--releasever=9', `--setopt=reposdir=${join(d, 'repos.d')}`, `--setopt=cachedir=${join(d, 'cache')}`, '--setopt=install_weak_deps=False'];
    // Without GNUPGHOME: librepo keeps the repository's keys in its own keyring under the cache.
    const { GNUPGHOME: _home, ...env } = process.env;
    return { d, args, env };
  };
  const outcome = async (p: Promise<unknown>): Promise<DnfOutcome> =>
    p.then(
      () => ({ ok: true, error: '' }),
      (e: { stderr?: string }) => ({ ok: false, error: (e.stderr ?? String(e)).split('\n').filter((l) => /error/i.test(l)).join('\n') }),
    );
  return {
    /** dnf makecache: fetches and checks repomd.xml and its signature. */
    async read(url: string, keyFile: string): Promise<DnfOutcome> {
      const { args, env } = await setup(url, keyFile);
      return outcome(run('dnf', [...args, 'makecache', '--repo', 'pub'], { env }));
    },
    /** dnf install `what` into a fresh installroot; `rpm -q name` there. */
    async install(url: string, keyFile: string, what: string, name: string): Promise<string> {
      const { d, args, env } = await setup(url, keyFile);
      await run('dnf', [...args, `--installroot=${join(d, 'root')}`, 'install', what], { env });
      const { stdout } = await run('rpm', ['--root', join(d, 'root'), '-q', name]);
      return stdout.trim();
    },
  };
}
