/**
 * Progress and messages for long operations. Library code reports through a Logger it is given and never
 * writes to the console itself, so commands decide where output goes (stderr, nowhere under --json).
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** Start a progress report for `total` units (packages, bytes); returns a handle to advance and finish it. */
  progress(label: string, total: number): Progress;
}

export interface Progress {
  tick(delta?: number): void;
  done(summary?: string): void;
}

export interface StreamLoggerOptions {
  stream?: NodeJS.WriteStream;
  /** Draw a live bar (TTY) instead of periodic plain lines (CI logs). Defaults to stream.isTTY. */
  tty?: boolean;
  verbose?: boolean;
  /** Minimum milliseconds between plain progress lines. */
  intervalMs?: number;
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

/** Writes messages to a stream (stderr by default): a redrawn bar on a TTY, plain periodic lines otherwise. */
export function createStreamLogger(options: StreamLoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 10_000;
  const write = (line: string) => stream.write(`${line}\n`);
  return {
    info: (m) => write(m),
    warn: (m) => write(`Warning: ${m}`),
    debug: (m) => (options.verbose ? write(m) : undefined),
    progress(label, total) {
      let done = 0;
      let lastPrint = now();
      const render = () => {
        const pct = total > 0 ? Math.floor((done * 100) / total) : 100;
        if (tty) {
          const width = 30;
          const fill = Math.round((pct / 100) * width);
          stream.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} ${pct}%`);
        } else {
          write(`${label}: ${done}/${total} (${pct}%)`);
        }
      };
      return {
        tick(delta = 1) {
          done += delta;
          if (tty || now() - lastPrint >= interval) {
            lastPrint = now();
            render();
          }
        },
        done(summary) {
          if (tty) stream.write('\r\x1b[K');
          write(summary ?? `${label}: ${done}/${total} done`);
        },
      };
    },
  };
}
