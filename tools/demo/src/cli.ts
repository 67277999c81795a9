import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/**
 * The full distribution's `ovirt-repo` binary in this workspace: the demo drives the product exactly as a CI
 * job would, through the real CLI and its --json output.
 */
export const ovirtRepoBin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages', 'ovirt-repo', 'bin', 'run.js');

/** Run `ovirt-repo ARGS --json` and return the parsed result; on failure, show what the command printed. */
export async function ovirtRepo<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
  const result = await execa(process.execPath, [ovirtRepoBin, ...args, '--json'], { env, reject: false });
  if (result.exitCode !== 0) {
    throw new Error(`ovirt-repo ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}
