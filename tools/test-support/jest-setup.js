// oclif commands print through console.log. Jest's console buffers and decorates that output, so the
// in-process command tests (captureOutput from @oclif/test) would see nothing. A plain console writing
// to process.stdout/stderr lets captureOutput intercept exactly what a user would see.
import { Console } from 'node:console';

globalThis.console = new Console({ stdout: process.stdout, stderr: process.stderr });
