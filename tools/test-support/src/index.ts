export { hasTool, inCI, describeWithTools, itWithTools } from './system-tools.js';
export { makeTempDir } from './temp-dir.js';
export { startNginx, startNginxSite, freePort, type NginxServer, type NginxLocation } from './nginx.js';
export { startTinyproxy, withProxyEnv, type TinyproxyServer, type TinyproxyOptions } from './tinyproxy.js';
export { REPOSYNC_CONFIG } from './configs.js';
export { describeWithS3, publicTestBucket, s3TestClientSettings, s3TestEnv, s3TestServer, s3TestPrefix, type S3BucketAdmin, type S3TestServer } from './s3.js';
export { describeWithHosts, HOSTS_SCRIPT, type TestHosts } from './hosts.js';
export { seededRandom } from './random.js';
export { makeGpgHome, type TestGpgHome, type TestGpgKey } from './gpg.js';
