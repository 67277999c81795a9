export { publish, type PublishOptions, type PublishResult, type PublishedPackage } from './lib/publish.js';
export { planPublication, planPrune, type PublishPlan, type PrunePlan, type PackageInfo } from './lib/plan.js';
export { HISTORY_PATH, parseHistory, serializeHistory, type PublishHistory, type HistoryPackage, type Generation } from './lib/history.js';
export { lockedSource, sourceFromLock, type LockedSource } from './lib/lock-file.js';
export { registerBuiltinTargets } from './lib/targets/builtin.js';
export { FileTarget } from './lib/targets/file-target.js';
export { RsyncTarget, RSYNC_LIMITATIONS, RSYNC_SETTINGS } from './lib/targets/rsync-target.js';
