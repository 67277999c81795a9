// Runs dnf-dump.py (python3-dnf) on a repository and returns what dnf sees, package by package.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
export const DNF_DUMP = join(here, 'dnf-dump.py');
export const XML_CANON = join(here, 'xml-canon.py');

export type DnfPackage = Record<string, unknown> & {
  name: string;
  epoch: number;
  version: string;
  release: string;
  arch: string;
  location: string;
};

let python: Promise<string | undefined> | undefined;

/**
 * The first python3 that can `import dnf`: $OVIRT_REPO_DNF_PYTHON, then python3 on PATH, then the system
 * interpreters (python3-dnf is a distribution package; a pyenv or venv python3 on PATH cannot see it).
 */
export function findDnfPython(): Promise<string | undefined> {
  python ??= (async () => {
    const candidates = [process.env.OVIRT_REPO_DNF_PYTHON, 'python3', '/usr/bin/python3', '/usr/libexec/platform-python'];
    for (const candidate of candidates) {
      if (!candidate) continue;
      try {
        await run(candidate, ['-c', 'import dnf, hawkey']);
        return candidate;
      } catch {
        // try the next one
      }
    }
    return undefined;
  })();
  return python;
}

async function requirePython(): Promise<string> {
  const py = await findDnfPython();
  if (!py) throw new Error('no python3 can import dnf: install python3-dnf (apt-get install -y python3-dnf) or set OVIRT_REPO_DNF_PYTHON');
  return py;
}

/** What dnf sees in the repository rooted at `repoDir`, sorted by NEVRA then location. */
export async function dnfView(repoDir: string): Promise<DnfPackage[]> {
  const py = await requirePython();
  const work = await mkdtemp(join(tmpdir(), 'ovirt-repo-dnf-dump-'));
  try {
    const { stdout } = await run(py, [DNF_DUMP, repoDir, work], { maxBuffer: 512 * 1024 * 1024 });
    return (JSON.parse(stdout) as { packages: DnfPackage[] }).packages;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`dnf could not load the repository ${repoDir}: ${err.message}\n${(err.stderr ?? '').slice(-4000)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface CanonicalMetadata {
  /** repomd.xml data records by type: location, checksums, sizes (timestamps and revision left out). */
  repomd: Record<string, { href: string; checksumType: string; openChecksum: string; openSize: number }>;
  /** Per metadata type: the root element's attributes and each package element, raw and canonical. */
  files: Record<string, { root: Record<string, string>; raw: string; packages: { key: string; c14n: string; raw: string }[] }>;
}

/** Decompressed primary/filelists/other of a repository, split per package, as read by xml-canon.py. */
export async function canonicalMetadata(repoDir: string): Promise<CanonicalMetadata> {
  const py = await requirePython();
  try {
    const { stdout } = await run(py, [XML_CANON, repoDir], { maxBuffer: 1024 * 1024 * 1024 });
    return JSON.parse(stdout) as CanonicalMetadata;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`cannot read the metadata of ${repoDir}: ${err.message}\n${(err.stderr ?? '').slice(-4000)}`);
  }
}
