export { hasTool, inCI, describeWithTools } from './system-tools.js';
export { makeTempDir } from './temp-dir.js';
export { startNginx, freePort, type NginxServer } from './nginx.js';
