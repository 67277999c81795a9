import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DnfReader {
  /** `dnf install` of `names` into an empty root: the NEVRAs rpm then lists there. */
  install(...names: string[]): Promise<string[]>;
  /** `dnf download` of `names`: the file names it wrote. */
  download(...names: string[]): Promise<string[]>;
  /**
   * `dnf reposync --download-metadata` of the whole repo: every file it wrote (path relative to the repo's
   * directory, as in the repo: `pool/...`, `repodata/...`) -> sha256.
   */
  reposync(): Promise<Record<string, string>>;
}

/**
 * The real dnf reading the one repo at `baseurl` and nothing of this machine's (no repo files, not the
 * `local` plugin of dnf-plugins-core, which offers every package ever installed here), a cache of its own
 * below `workDir` on every run: a reader as a system test's is. download and reposync need dnf-plugins-core.
 */
export function dnfReader(baseurl: string, workDir: string): DnfReader {
  let runs = 0;
  const dnf = async (args: (dir: string) => string[]) => {
    const dir = join(workDir, `dnf-${runs++}`);
    const base = ['-y', '--setopt=reposdir=/dev/null', '--disableplugin=local', `--setopt=cachedir=${join(dir, 'cache')}`, '--setopt=install_weak_deps=False'];
    await run('dnf', [...base, '--releasever', '9', '--nogpgcheck', `--repofrompath=snap,${baseurl}`, '--repo', 'snap', ...args(dir)], { maxBuffer: 16 << 20, timeout: 120_000 });
    return dir;
  };
  return {
    async install(...names) {
      const dir = await dnf((d) => ['--installroot', join(d, 'root'), 'install', ...names]);
      const { stdout } = await run('rpm', ['--root', join(dir, 'root'), '-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n']);
      return stdout.trim().split('\n').sort();
    },
    async download(...names) {
      const dir = await dnf((d) => ['download', '--destdir', join(d, 'downloaded'), ...names]);
      return (await readdir(join(dir, 'downloaded'))).sort();
    },
    async reposync() {
      const dir = await dnf((d) => ['reposync', '-p', join(d, 'mirrored'), '--download-metadata']);
      const repo = join(dir, 'mirrored', 'snap');
      const out: Record<string, string> = {};
      for (const e of await readdir(repo, { recursive: true, withFileTypes: true })) {
        if (!e.isFile()) continue;
        const path = join(e.parentPath, e.name);
        out[path.slice(repo.length + 1)] = createHash('sha256').update(await readFile(path)).digest('hex');
      }
      return out;
    },
  };
}
