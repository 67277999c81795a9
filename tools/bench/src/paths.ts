import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The full distribution's binary in this workspace: benchmarks time the product as users run it. */
export const ovirtRepoBin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages', 'ovirt-repo', 'bin', 'run.js');
