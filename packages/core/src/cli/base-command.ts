import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { ErrorCodes, OvirtRepoError, isOvirtRepoError } from '../errors/index.js';
import { withHint } from '../errors/hints.js';
import { createStreamLogger, silentLogger, type Logger, type StreamLogger } from '../log/logger.js';
import { usageError } from './usage-error.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/** Exit code for a failed operation (bad input data, unreachable source, verification problems). */
export const EXIT_FAILURE = 1;
/**
 * Exit code for a command line that cannot be used: one oclif cannot parse (unknown flag, missing argument),
 * as oclif uses, and any E_USAGE the command raises (a bad repo name, flags that do not go together).
 */
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
  /** Where the logger prints, when it does: an error takes its progress bar off the screen first. */
  private screen?: StreamLogger;
  /**
   * Every warning the command's library calls reported through `this.logger`. Printed as they come in human
   * output; under --json they are the `warnings` array of the result (or of the error), so a machine reader
   * never misses what a person would have seen.
   */
  protected readonly warnings: string[] = [];

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
    this.screen = this.jsonEnabled() ? undefined : createStreamLogger({ verbose: Boolean(this.flags.verbose) });
    const shown = this.screen ?? silentLogger;
    this.logger = {
      ...shown,
      warn: (message) => {
        this.warnings.push(message);
        shown.warn(message);
      },
    };
  }

  /**
   * True for a command whose result is a document of its own (a JSON Schema), not a report: `--json` prints it
   * as it is, and the command must not warn.
   */
  static resultIsDocument = false;

  protected override toSuccessJson(result: unknown): unknown {
    if ((this.ctor as typeof BaseCommand).resultIsDocument) return result;
    if (result === null || typeof result !== 'object' || Array.isArray(result)) return result;
    const own = (result as { warnings?: unknown }).warnings;
    const merged = Array.isArray(own) ? [...new Set([...(own as string[]), ...this.warnings])] : this.warnings;
    return { ...result, warnings: merged };
  }

  protected override toErrorJson(err: unknown): unknown {
    if (isOvirtRepoError(err)) return { error: err.toJSON(), warnings: this.warnings };
    const message = (err as Error)?.message ?? String(err);
    // oclif's own parse errors (unknown flag, missing argument, bad option value) exit 2: a usage error.
    if (exitCodeOf(err) === EXIT_USAGE) return { error: { code: ErrorCodes.USAGE, message }, warnings: this.warnings };
    return { error: { code: ErrorCodes.INTERNAL, message }, warnings: this.warnings };
  }

  protected override async catch(caught: Interfaces.CommandError): Promise<unknown> {
    if (caught instanceof Errors.ExitError) throw caught;
    // A phase that failed never ended its bar: the error goes on a line of its own.
    this.screen?.clear();
    const err = reported(caught, () => usageError(caught, this.parsedCommand()));
    if (!this.jsonEnabled() && !isOvirtRepoError(err)) return super.catch(err);
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(err));
    } else if (isOvirtRepoError(err)) {
      this.logToStderr(`Error [${err.code}]: ${err.describe()}`);
    }
    // An oclif exit ends the process with the code and no second, generic message. No process.exitCode:
    // commands run in-process (tests, library callers) must not leave a failure code on the host process.
    return this.exit(isOvirtRepoError(err) ? (err.code === ErrorCodes.USAGE ? EXIT_USAGE : EXIT_FAILURE) : (exitCodeOf(err) ?? EXIT_FAILURE));
  }

  /** This command as usageError names it: as typed, with every flag it takes. */
  private parsedCommand() {
    const ctor = this.ctor as typeof BaseCommand;
    return { name: this.id?.replaceAll(':', ' ') ?? 'ovirt-repo', bin: this.config.bin, flags: [...Object.keys(ctor.flags ?? {}), ...Object.keys(ctor.baseFlags ?? {}), 'json'] };
  }
}

/**
 * The error as the user gets it: oclif's parse errors as one usage line, every OvirtRepoError with a hint
 * (its own or its code's), and an exception no code foresaw as E_INTERNAL, which is a bug to report.
 * oclif's own errors (exit requests, its CLI errors) go on to oclif.
 */
function reported(caught: Error, usage: () => OvirtRepoError): Error {
  if (isOvirtRepoError(caught)) return withHint(caught);
  if (exitCodeOf(caught) === EXIT_USAGE || isFlagParseError(caught)) return usage();
  if (caught instanceof Errors.CLIError) return caught;
  return withHint(new OvirtRepoError(ErrorCodes.INTERNAL, caught.message || String(caught), { cause: caught }));
}

/** A flag's own parse function failed (a value out of range): oclif rethrows its error as "Parsing --flag ...". */
function isFlagParseError(err: unknown): boolean {
  return err instanceof Error && /^Parsing --[\w-]+ ?\n/.test(err.message);
}

function exitCodeOf(err: unknown): number | undefined {
  const exit = (err as { oclif?: { exit?: unknown } })?.oclif?.exit;
  return typeof exit === 'number' ? exit : undefined;
}
