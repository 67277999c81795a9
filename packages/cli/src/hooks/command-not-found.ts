import type { Hook } from '@oclif/core';
import { didYouMean } from '@ovirt-repo/core';

const EXIT_USAGE = 2;

/**
 * The first word of each command of the distribution's feature plugins, so that a host with only some of
 * them installed (the publisher-only set) says which plugin a command comes with instead of "no such
 * command". packages/cli/test/cli.spec.ts checks it against the plugins' manifests.
 */
export const FEATURE_COMMANDS: Readonly<Record<string, readonly string[]>> = {
  '@ovirt-repo/plugin-minirepo': ['minirepo'],
  '@ovirt-repo/plugin-mirror': ['gc', 'index', 'mirror', 'repo', 'serve', 'snapshot', 'store'],
  '@ovirt-repo/plugin-ost': ['inject', 'lock'],
  '@ovirt-repo/plugin-publisher': ['publish'],
};

/**
 * oclif loads this module only when a command is not found, so --help and real commands never load it.
 *
 * A command that does not exist (`ovirt-repo mirror synk x`) is a usage error like a mistyped flag: one
 * line naming what was typed, with a "did you mean" when a command or topic is close, a pointer to --help,
 * exit 2, and the same JSON shape as every other error under --json.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const bin = options.config.bin;
  const spaced = (id: string) => id.replaceAll(':', ' ');
  const commands = options.config.commandIDs.map(spaced);
  const topics = options.config.topics.map((t) => spaced(t.name));
  // oclif's id holds the arguments too (mirror:synk:x): what was typed as a command ends at the first word
  // that is not a topic.
  const words = options.id.split(':');
  let known = 0;
  while (known < words.length - 1 && topics.includes(words.slice(0, known + 1).join(' '))) known++;
  const typed = words.slice(0, known + 1).join(' ');
  const last = words[known] ?? '';
  const guess = didYouMean(typed, [...commands, ...topics]) ?? commands.find((c) => c.split(' ').at(-1) === last);
  const topic = known > 0 ? words.slice(0, known).join(' ') : undefined;
  const missing = Object.entries(FEATURE_COMMANDS).find(([plugin, first]) => first.includes(words[0] ?? '') && !options.config.plugins.has(plugin))?.[0];
  const message = missing
    ? `"${typed}" comes with ${missing}, which is not installed here`
    : `"${typed}" is not an ${bin} command${guess ? ` (did you mean "${guess}"?)` : ''}`;
  const hint = missing
    ? `Install the full distribution (the ovirt-repo npm tarball or RPM, docs/install.md), or run it on a host that has it; ${bin} plugins lists what is installed`
    : topic ? `${bin} ${topic} --help lists its commands` : `${bin} --help lists the commands`;
  if (options.argv?.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: 'E_USAGE', message, hint } }, null, 2)}\n`);
  else process.stderr.write(`Error [E_USAGE]: ${message}\nHint: ${hint}\n`);
  this.exit(EXIT_USAGE);
};

export default hook;
