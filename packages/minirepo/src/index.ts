export { createMiniRepo, type CreateMiniRepoOptions, type CreateMiniRepoResult, type SkippedPackage } from './lib/create-mini-repo.js';
export { verifyMiniRepo, type VerifyMiniRepoOptions, type VerifyMiniRepoResult, type VerifyProblem } from './lib/verify-mini-repo.js';
export { findRpms, sortLikeCreaterepo, type FoundRpm } from './lib/find-rpms.js';
