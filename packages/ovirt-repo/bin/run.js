#!/usr/bin/env node
// The full distribution: the same CLI, installed together with every feature plugin (its dependencies),
// which the CLI discovers and loads at start-up.
import { run } from '@ovirt-repo/cli';

await run(process.argv.slice(2));
