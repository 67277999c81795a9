import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Sections and options as a reader sees them, or the reader's refusal. */
export type ConfigView = { sections: Record<string, Record<string, string>> } | { error: string };

const PYTHON = `
import configparser, json, sys
parser = configparser.RawConfigParser()
try:
    parser.read(sys.argv[1], encoding='utf-8')
    print(json.dumps({'sections': {s: dict(parser.items(s)) for s in parser.sections()}}))
except Exception as e:
    print(json.dumps({'error': type(e).__name__}))
`;

/** What Python's configparser (RawConfigParser, as mirror_client and reposync tools use it) reads in `file`. */
export async function pythonView(file: string): Promise<ConfigView> {
  const { stdout } = await exec('python3', ['-c', PYTHON, file]);
  return JSON.parse(stdout) as ConfigView;
}

/**
 * What dnf reads in `file` given as its config (`dnf -c`, as reposync runs): every repo with its options
 * (`config-manager --dump`, from dnf-plugins-core), or dnf's refusal.
 */
export async function dnfView(file: string, root: string): Promise<ConfigView> {
  let stdout: string;
  try {
    ({ stdout } = await exec('dnf', [
      '-c', file, '--setopt=reposdir=/dev/null', `--installroot=${root}`, '--releasever=8', '--disableplugin=local',
      'config-manager', '--dump', '*',
    ]));
  } catch (e) {
    return { error: String((e as { stderr?: string }).stderr ?? e).trim().split('\n').at(-1) ?? 'failed' };
  }
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const line of stdout.split('\n')) {
    const header = /^=+ repo: (.*?) =+$/.exec(line);
    if (header) {
      current = sections[header[1]!] = {};
      continue;
    }
    if (/^=+ /.test(line)) current = undefined;
    const option = /^(\w+) = (.*)$/.exec(line);
    if (current && option) current[option[1]!] = option[2]!;
  }
  return { sections };
}
