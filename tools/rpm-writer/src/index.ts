/**
 * Writes small RPM packages that real rpm, createrepo_c and dnf accept, without rpmbuild: for unit tests,
 * benchmarks and the demo. The layout follows rpm 4.18's own output (build/pack.c, lib/signature.c).
 */
export type {
  DependencyFlag,
  RpmChangelog,
  RpmDependencies,
  RpmDependency,
  RpmFile,
  RpmFileType,
  RpmRequire,
  RpmSpec,
} from './spec.js';
export { DEFAULT_BUILD_TIME } from './spec.js';
export { RpmSpecError, resolveSpec, type ResolvedSpec } from './resolve-spec.js';
export { buildRpm, rpmFileName } from './build-rpm.js';
export { writeRpm, type WriteRpmOptions } from './write-rpm.js';
export { makeCorpus, corpusSpec, type CorpusOptions } from './corpus.js';
