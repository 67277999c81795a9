import { execFileSync } from 'node:child_process';

const cache = new Map<string, boolean>();

/** True when `tool` is on PATH. */
export function hasTool(tool: string): boolean {
  let found = cache.get(tool);
  if (found === undefined) {
    try {
      execFileSync('sh', ['-c', `command -v "$1"`, 'sh', tool], { stdio: 'ignore' });
      found = true;
    } catch {
      found = false;
    }
    cache.set(tool, found);
  }
  return found;
}

/** True in CI (CI=true), where a missing system tool is a failure rather than a skip. */
export function inCI(): boolean {
  return /^(1|true|yes)$/i.test(process.env.CI ?? '');
}

/** The tools missing from PATH, and the message a skip or a CI failure gives for them. */
function missingTools(tools: readonly string[], name: string): { missing: string[]; message: string } {
  const missing = tools.filter((t) => !hasTool(t));
  return { missing, message: `${name}: needs ${missing.join(', ')} (apt-get install -y createrepo-c rpm dnf python3-dnf dnf-plugins-core nginx rsync alien tinyproxy)` };
}

/**
 * `it` for a single test that needs real system tools, in a suite that does not: as describeWithTools, a
 * failure in CI when one is missing, else a visible skip. Never `if (!hasTool(x)) return` inside a test:
 * that passes in CI with nothing checked.
 */
export function itWithTools(tools: string[], name: string, fn: jest.ProvidesCallback, timeout?: number): void {
  const { missing, message } = missingTools(tools, name);
  if (missing.length === 0) {
    it(name, fn, timeout);
  } else if (inCI()) {
    it(name, () => {
      throw new Error(`missing system tools in CI: ${message}`);
    });
  } else {
    process.stderr.write(`\n[SKIPPED] ${message}\n`);
    it.skip(name, fn, timeout);
  }
}

/**
 * `describe` for suites that need real system tools (rpm, createrepo_c, dnf, nginx, rsync...).
 * In CI a missing tool fails the suite, because .ci/run must have installed it. Elsewhere the suite is
 * skipped with a visible message naming the missing tools and the install command.
 */
export function describeWithTools(tools: string[], name: string, fn: () => void): void {
  const { missing, message } = missingTools(tools, name);
  describeNeeding(name, missing.length === 0 ? undefined : { test: 'has the system tools it needs', error: `missing system tools in CI: ${message}`, skipped: message }, fn);
}

/**
 * The one rule for suites that need something from the machine (tools, a server): with nothing `missing`,
 * the suite; under CI (.ci/run provides everything) one failing test that says what is missing; elsewhere a
 * visible skip, since a developer may lack it. Never a quiet pass.
 */
export function describeNeeding(name: string, missing: { test: string; error: string; skipped: string } | undefined, fn: () => void): void {
  if (missing === undefined) {
    describe(name, fn);
    return;
  }
  if (inCI()) {
    describe(name, () => {
      it(missing.test, () => {
        throw new Error(missing.error);
      });
    });
    return;
  }
  process.stderr.write(`\n[SKIPPED] ${missing.skipped}\n`);
  describe.skip(name, fn);
}
