#!/usr/bin/env node
import './oclif-settings.js';
import { run } from '../dist/bundle/index.js';

await run(process.argv.slice(2));
