import { barLine, plainLine, type PhaseState } from './progress-line.js';

/**
 * Progress and messages for long operations. Library code reports through a Logger it is given and never
 * writes to the console itself, so commands decide where output goes (stderr, nowhere under --json).
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /**
   * Start reporting one phase: `items` to do (0 when not known beforehand) and, for a phase that moves data,
   * the `bytes` it moves. Returns a handle to advance and finish it.
   */
  progress(label: string, items: number, bytes?: number): Progress;
}

export interface Progress {
  /** `items` more done (default 1) and `bytes` more moved; negative bytes take back a download that starts over. */
  tick(items?: number, bytes?: number): void;
  done(summary?: string): void;
}

/** A logger on a stream, which can take a bar it drew off the screen (before an error is printed). */
export interface StreamLogger extends Logger {
  clear(): void;
}

export interface StreamLoggerOptions {
  stream?: NodeJS.WriteStream;
  /**
   * Draw a live bar (a terminal) instead of periodic plain lines (CI logs, pipes). Defaults to: the stream is
   * a TTY, and neither CI is set (runners that allocate a pty keep every redraw) nor TERM=dumb.
   */
  tty?: boolean;
  env?: NodeJS.ProcessEnv;
  verbose?: boolean;
  /** Minimum milliseconds between plain progress lines. */
  intervalMs?: number;
  /** Minimum milliseconds between redraws of the bar: a redraw per package would flood a terminal. */
  redrawMs?: number;
  now?: () => number;
}

const silentProgress: Progress = { tick: () => undefined, done: () => undefined };

/** A logger that discards everything (library default, and commands under --json). */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  progress: () => silentProgress,
};

/** True when the environment says a CI job runs this (CI=true, CI=1...; CI=false or CI=0 says it does not). */
export function runsInCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * Writes messages to a stream (stderr by default). Progress is one bar per phase on a terminal, redrawn at
 * most every `redrawMs` and erased when the phase ends, so only its summary line stays; elsewhere a plain
 * line every `intervalMs`. A message printed while a bar is up erases the bar first.
 */
export function createStreamLogger(options: StreamLoggerOptions = {}): StreamLogger {
  const stream = options.stream ?? process.stderr;
  const env = options.env ?? process.env;
  const tty = options.tty ?? (Boolean(stream.isTTY) && !runsInCI(env) && env.TERM !== 'dumb');
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 10_000;
  const redraw = options.redrawMs ?? 100;
  const write = (line: string) => stream.write(`${line}\n`);
  /** Length of the bar on screen, 0 when none is. */
  let shown = 0;
  const clear = () => {
    if (shown > 0) stream.write('\r\x1b[K');
    shown = 0;
  };
  const say = (line: string) => {
    clear();
    write(line);
  };
  return {
    info: say,
    warn: (m) => say(`Warning: ${m}`),
    debug: (m) => (options.verbose ? say(m) : undefined),
    clear,
    progress(label, items, bytes = 0) {
      const state: PhaseState = { label, items, bytes, doneItems: 0, doneBytes: 0, startedAt: now() };
      let last = tty ? -Infinity : state.startedAt;
      let drawn = '';
      const draw = (t: number) => {
        const line = barLine(state, t, stream.columns || 80);
        if (line === drawn && shown > 0) return;
        // Spaces over what a longer line before left: one write, no escape sequence per redraw.
        stream.write(`\r${line}${' '.repeat(Math.max(0, shown - line.length))}`);
        drawn = line;
        shown = line.length;
      };
      return {
        tick(n = 1, b = 0) {
          state.doneItems += n;
          state.doneBytes += b;
          const t = now();
          if (t - last < (tty ? redraw : interval)) return;
          last = t;
          if (tty) draw(t);
          else write(plainLine(state));
        },
        done(summary) {
          say(summary ?? `${label}: ${state.items > 0 ? `${state.doneItems}/${state.items}` : state.doneItems} done`);
        },
      };
    },
  };
}
