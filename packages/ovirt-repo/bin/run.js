#!/usr/bin/env node
// The full distribution: the CLI's own entry point, installed together with every feature plugin (its
// dependencies), which the CLI discovers and loads at start-up.
import '@ovirt-repo/cli/bin/run.js';
