import { humanBytes } from './words.js';

/** Where one phase stands: counted by the logger, rendered by the functions below. */
export interface PhaseState {
  label: string;
  /** Items to do; 0 when the phase cannot know beforehand. */
  items: number;
  /** Bytes to move; 0 for a phase that counts items only. */
  bytes: number;
  doneItems: number;
  doneBytes: number;
  startedAt: number;
}

/** Rate and ETA over less time than this would swing wildly from one redraw to the next. */
const SETTLE_MS = 500;
const BAR_WIDTH = 20;

/** Share of the phase done, by bytes when it moves bytes (big packages take longer), else by items. */
function fraction(s: PhaseState): number | undefined {
  if (s.bytes > 0) return Math.min(1, Math.max(0, s.doneBytes / s.bytes));
  if (s.items > 0) return Math.min(1, s.doneItems / s.items);
  return undefined;
}

/** `45s`, `3m05s`, `2h07m`. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Speed and time left from the average since the phase started (steady, unlike the last second's). */
function pace(s: PhaseState, now: number): { rate?: string; eta?: string } {
  const elapsed = now - s.startedAt;
  if (elapsed < SETTLE_MS) return {};
  const rate = s.bytes > 0 ? `${humanBytes(Math.round((s.doneBytes * 1000) / elapsed))}/s` : `${Math.round((s.doneItems * 1000) / elapsed)}/s`;
  const f = fraction(s);
  if (f === undefined || f <= 0) return { rate };
  return { rate, eta: humanDuration((elapsed * (1 - f)) / f) };
}

function count(s: PhaseState): string {
  return s.items > 0 ? `${s.doneItems}/${s.items}` : String(s.doneItems);
}

/**
 * The bar of a terminal: `Downloading packages [#####...............] 812/3000 27%  1.2 MiB/4.4 MiB  650.3 KiB/s  ETA 5s`,
 * cut to the terminal's width (a wrapped line could not be redrawn in place).
 */
export function barLine(s: PhaseState, now: number, columns: number): string {
  const f = fraction(s);
  const parts = [s.label];
  if (f !== undefined) {
    const fill = Math.round(f * BAR_WIDTH);
    parts.push(`[${'#'.repeat(fill)}${'.'.repeat(BAR_WIDTH - fill)}]`, count(s), `${Math.floor(f * 100)}%`);
  } else parts.push(count(s));
  let line = parts.join(' ');
  if (s.bytes > 0) line += `  ${humanBytes(Math.max(0, s.doneBytes))}/${humanBytes(s.bytes)}`;
  const { rate, eta } = pace(s, now);
  if (rate) line += `  ${rate}`;
  if (eta) line += `  ETA ${eta}`;
  return line.slice(0, Math.max(1, columns - 1));
}

/**
 * A line of a CI log: `Downloading packages: 812/3000 (27%), 1.2 MiB of 4.4 MiB`. Counts and sizes only: the
 * log's own timestamps give the pace, and the lines stay comparable from one run to the next.
 */
export function plainLine(s: PhaseState): string {
  const f = fraction(s);
  let line = `${s.label}: ${count(s)}${f === undefined ? '' : ` (${Math.floor(f * 100)}%)`}`;
  if (s.bytes > 0) line += `, ${humanBytes(Math.max(0, s.doneBytes))} of ${humanBytes(s.bytes)}`;
  return line;
}
