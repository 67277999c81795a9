import type { PairedResult } from './measure.js';

/**
 * A goal from the issues, as checks that must all hold. Ratios compare against the row's peer; a row
 * without a peer (no-change sync) has absolute goals instead. An empty goal means the issues state none
 * and the row is there for information.
 */
export interface Goal {
  /** ours / peer must be at or below this. */
  maxRatio?: number;
  /** ovirt-repo's median wall time must be at or below this many milliseconds. */
  maxMs?: number;
  /** ovirt-repo must make at most this many HTTP requests (counted in nginx's access log). */
  maxRequests?: number;
}

/** One line of the table. Figures are null when the row was skipped. */
export interface Row {
  name: string;
  oursMs: number | null;
  peerName: string;
  peerMs: number | null;
  ratio: number | null;
  goal: Goal;
  runs: number;
  /** Requests counted for ovirt-repo's side (worst run), where the row checks them. */
  requests?: number;
  /** Why the row has no figures (e.g. the command is not available yet). */
  skipped?: string;
  /** The benchmark broke (the error, first line); main then exits non-zero. */
  failed?: string;
  /** Context a reader needs (e.g. stage timings, request counts, what the ratio is relative to). */
  note?: string;
}

export type GoalStatus = 'yes' | 'no' | 'n/a' | 'skipped' | 'failed';

/**
 * Whether the row meets its goal: 'n/a' when the issues state none or a needed figure is missing. Figures
 * are compared as the table prints them (ratios to two decimals, times to the millisecond), so a row
 * never reads "1.00, goal <= 1.00, no"; the run-to-run noise is far larger than that rounding.
 */
export function goalStatus(row: Row): GoalStatus {
  if (row.failed) return 'failed';
  if (row.skipped) return 'skipped';
  const checks: boolean[] = [];
  const { maxRatio, maxMs, maxRequests } = row.goal;
  if (maxRatio !== undefined) {
    if (row.ratio === null) return 'n/a';
    checks.push(Math.round(row.ratio * 100) / 100 <= maxRatio);
  }
  if (maxMs !== undefined) {
    if (row.oursMs === null) return 'n/a';
    checks.push(Math.round(row.oursMs) <= maxMs);
  }
  if (maxRequests !== undefined) {
    if (row.requests === undefined) return 'n/a';
    checks.push(row.requests <= maxRequests);
  }
  if (checks.length === 0) return 'n/a';
  return checks.every(Boolean) ? 'yes' : 'no';
}

/** The goal as the table prints it, e.g. "<= 1.00", "<= 0.5 s, <= 1 req", "none stated". */
export function describeGoal(goal: Goal): string {
  const parts: string[] = [];
  if (goal.maxRatio !== undefined) parts.push(`<= ${goal.maxRatio.toFixed(2)}`);
  if (goal.maxMs !== undefined) parts.push(`<= ${formatMs(goal.maxMs)}`);
  if (goal.maxRequests !== undefined) parts.push(`<= ${goal.maxRequests} req`);
  return parts.length ? parts.join(', ') : 'none stated';
}

/** A row from a paired measurement against a peer. */
export function pairedRow(result: PairedResult, peerName: string, goal: Goal, note?: string): Row {
  return { name: result.name, oursMs: result.oursMs, peerName, peerMs: result.peerMs, ratio: result.ratio, goal, runs: result.runs, ...(note ? { note } : {}) };
}

/** A row that could not be measured; it stays in the table so its absence is visible. */
export function skippedRow(name: string, peerName: string, goal: Goal, reason: string): Row {
  return { name, oursMs: null, peerName, peerMs: null, ratio: null, goal, runs: 0, skipped: reason };
}

/** A family that broke: one row saying so, so the rows of the other families still print. */
export function failedRow(family: string, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return { name: `${family} benchmarks`, oursMs: null, peerName: '-', peerMs: null, ratio: null, goal: {}, runs: 0, failed: message.split('\n')[0] ?? '' };
}

/** Ratio of two medians, for rows that compare two of our own measurements that were not paired. */
export function ratioOf(a: number, b: number): number {
  if (!(b > 0)) throw new Error(`ratio against ${b}`);
  return a / b;
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.round(ms)} ms`;
}
