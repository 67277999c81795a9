import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { ErrorCodes, isOvirtRepoError } from '../errors/index.js';
import { createStreamLogger, silentLogger, type Logger } from '../log/logger.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/** Exit code for a failed operation (bad input, unreachable source, verification problems). */
export const EXIT_FAILURE = 1;
/** Exit code for a command line oclif cannot parse (unknown flag, missing argument), as oclif uses. */
export const EXIT_USAGE = 2;

/**
 * Every ovirt-repo command extends this: `--json` prints the typed result `run()` returns, progress goes to
 * stderr (a bar on a TTY, plain lines in CI logs, nothing under --json), and errors are rendered as
 * "what, where, how to fix" with their stable code, on stderr (or as JSON), with a non-zero exit.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    verbose: Flags.boolean({ char: 'v', summary: 'Print debug messages.', helpGroup: 'GLOBAL', default: false }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  protected logger: Logger = silentLogger;

  public override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
    this.logger = this.jsonEnabled() ? silentLogger : createStreamLogger({ verbose: Boolean(this.flags.verbose) });
  }

  protected override toErrorJson(err: unknown): unknown {
    if (isOvirtRepoError(err)) return { error: err.toJSON() };
    const message = (err as Error)?.message ?? String(err);
    // oclif's own parse errors (unknown flag, missing argument, bad option value) exit 2: a usage error.
    if (exitCodeOf(err) === EXIT_USAGE) return { error: { code: ErrorCodes.USAGE, message } };
    return { error: { code: ErrorCodes.INTERNAL, message } };
  }

  protected override async catch(err: Interfaces.CommandError): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    if (!this.jsonEnabled() && !isOvirtRepoError(err)) return super.catch(err);
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(err));
    } else if (isOvirtRepoError(err)) {
      this.logToStderr(`Error [${err.code}]: ${err.describe()}`);
    }
    // An oclif exit ends the process with the code and no second, generic message. No process.exitCode:
    // commands run in-process (tests, library callers) must not leave a failure code on the host process.
    return this.exit(isOvirtRepoError(err) ? EXIT_FAILURE : (exitCodeOf(err) ?? EXIT_FAILURE));
  }
}

function exitCodeOf(err: unknown): number | undefined {
  const exit = (err as { oclif?: { exit?: unknown } })?.oclif?.exit;
  return typeof exit === 'number' ? exit : undefined;
}
