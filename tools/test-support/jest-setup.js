// oclif commands print through console.log. Jest's console buffers and decorates that output, so the
// in-process command tests (captureOutput from @oclif/test) would see nothing. A plain console writing
// to process.stdout/stderr lets captureOutput intercept exactly what a user would see.
import { Console } from 'node:console';

globalThis.console = new Console({ stdout: process.stdout, stderr: process.stderr });

// oclif's Command.catch records a failure in process.exitCode, as it should for a real CLI process. Commands
// run in-process by a test share the test runner's process, and jest (in band) would then exit non-zero
// although every test passed. Tests assert exit codes on the returned errors instead.
afterEach(() => {
  process.exitCode = 0;
});
