export { run, cliRoot, cliPackageJson } from './run.js';
export { discoverPlugins } from './discover-plugins.js';
