/**
 * The public face of @ovirt-repo/core: what plugins use, by group. Everything else is internal to core
 * (import it from its module inside core only).
 */
// Errors: one class, stable codes.
export {
  type ErrorCode, ErrorCodes, type ErrorDetails, ioError, isOvirtRepoError, OvirtRepoError,
} from './errors/index.js';
// Durable files: atomic writes and replaces, safe names.
export {
  assertSafeFileName, fileNameProblem, fsyncPath, isTempName, makeDirectory, printable, recoverDirectory,
  removeSpoolLeftovers, replaceDirectory, spoolStream, type Spooled, syncFileSystem, SYNCFS_COMMAND_ENV, tempPathFor,
  writeFileAtomic, writeNewFileDurably,
} from './fs/index.js';
// What library code reports through.
export { type Logger, type Progress, silentLogger } from './log/logger.js';
export { humanBytes, plural } from './log/words.js';
// Commands: the base class every plugin's commands extend, shared flags.
export { BaseCommand, EXIT_USAGE, networkFlags, networkFlagValues, sharedFlags, signFlags, tlsFlags } from './cli/index.js';
// Compression by name.
export {
  compressBuffer, compressionFromName, compressionSuffix, type WritableCompressionKind,
} from './compress/index.js';
// Checksums and verified copies.
export {
  ByteCounter, type ChecksumType, copyFileVerified, type Digest, type DigestWithSize, type ExpectedContent,
  hashBuffer, hashFile, HashingStream, sortedLinesDigest, verifyContent,
} from './checksum/index.js';
// YUM repodata: read, merge, write (createrepo_c compatible).
export {
  assertMetadataHref, assertSafeHref, carriedMetadataName, type ChunkedMetadata, type ChunkIndex, classifyRecord,
  type CopiedChunk, CORE_RECORD_TYPES, type CoreRecordType, type DeferredPackage, type DependencyFlag, endsChunk,
  type ExtraRecord, type FilelistsPackage, filelistsPackageXml, fileSizeLimit, hrefUrl, keyPackageEntries,
  listPackageEntries, MAX_REPOMD_SIZE, type MemberSpan, mergeComps, mergeModuleDocuments, mergeUpdateinfo,
  type MetadataInput, nevra, openChunkedMetadata, OpenContentCache, type OtherPackage, otherPackageXml,
  type PackageChecksum, type PackageEntries, packageFileNameOf, type PackageRecord, parseFilelistsEntry,
  parseOtherEntry, parsePrimaryEntry, parseRepomd, primaryEntryKey, type PrimaryPackage, primaryPackageXml,
  type PrimarySummary, readFilelists, readMetadataDocument, readOther, readPrimary, readRecordEntries, readRepo,
  readRepomd, type ReadXmlOptions, recordStreamOptions, type RenderedPackage, renderPackage, type RepodataSummary,
  type Repomd, type RepomdRecord, repomdXml, splitPackageEntries, summarizePrimaryEntry, unsafeHrefReason,
  type WritableItem, type WritablePackage, writeRepodata,
} from './repodata/index.js';
// Reading local paths and URLs: one HTTP client, bounded.
export {
  clientNetwork, type ClientNetwork, createReadClient, defaultUserAgent, displayUri, type DocumentPath, fileUrlOf, isTransient, isUnreachableError,
  isNoProxyValue, mergeNetworkSettings, type NetworkSettings,
  localPathOf, parseStructuredText, READABLE_SCHEMES, type ReadClient, type ReadRequestOptions, readStructuredUri,
  readUri, type ReadUriOptions, redactUrl, resolveUri, type StructuredDocument, uriKind,
} from './uri/index.js';
// Concurrency.
export { mapLimit } from './util/map-limit.js';
// Where a plugin is installed.
export { packageRootOf } from './util/package-root.js';
// Publish targets: the SyncTarget interface, its registry and conformance kit.
export {
  type BatchCapable, checkSyncTarget, type ConformanceCheck, type ConformanceOptions, type ConformanceReport,
  type HardlinkCapable, isBatchCapable, isHardlinkCapable, isLocalFile, isLocalPathCapable, isLockCapable,
  isAtomicLinkCapable, isUnderTargetPath, type LocalFile, type LocalPathCapable, type LockCapable, nonRootTargetPath, normalizeTargetPath,
  openTarget, parseTargetLocation, putAll, type PutData, putDataToStream, type PutItem, readTargetFile, redactLocation,
  registerTarget, type RegisterTargetOptions, removeAll, resolveLinkTarget, type AtomicLinkCapable, type SyncTarget, targetBasename, type TargetEntry,
  type TargetFactory, type TargetLocation, type TargetLock, type TargetOpenOptions, targetRegistry, TargetRegistry,
  type TargetSchemeInfo, writePutDataToFile,
} from './target/index.js';
// S3-compatible object storage: a client over the one HTTP client, settings from the AWS environment.
export {
  acquireS3Lease, contentTypeFor, DEFAULT_LEASE_STALE_MS, createS3Client, IMMUTABLE, NO_CACHE, readS3LeaseHolder, formatS3Location, MAX_PUT_BYTES, parseS3Location, readBounded, resolveS3Settings, type S3Client,
  type S3Lease, type S3ListEntry, type S3Settings, type S3SettingsOptions, unquote,
} from './s3/index.js';
// The mirror's store: the Store interface and its conformance kit.
export {
  baseKey, checkStore, DEFAULT_READ_MAX_BYTES, type DeferredCreateCapable, isDeferredCreateCapable,
  isLocalFilesCapable, isStagedWriteCapable, isSymlinkCapable, joinKey, type LocalFilesCapable, parentKey,
  type PreparedObject, type StagedWrite, type StagedWriteCapable, type Store, type StoreConformanceOptions,
  type StoreData, type StoreEntry, storeKey, type StoreLock, type StoreObject, type StoreStream, type SymlinkCapable,
} from './store/index.js';
// OpenPGP through the system's gpg: signing repomd.xml, checking signatures, bounded child processes.
export {
  checkPackageSignatures,
  checkSignature,
  openSigner,
  publicKeyFingerprints,
  readPublicKeys,
  runBounded,
  shortKeyId,
  signRepomd,
  type BoundedRun,
  type PackageSignature,
  type PublicKeySet,
  type Signer,
  type SignOptions,
} from './openpgp/index.js';
// RPM packages: versions, rendering.
export { compareEvr, FORBIDDEN_CONTROL_CHARS, formatEvr, renderRpms, type RpmDependencies } from './rpm/index.js';
// ovirt-repo.yaml.
export {
  BASE_URL_ENV, CONFIG_ENV, type ConfigFile, configJsonSchema, configToYaml, isValidRepoName, loadConfig,
  type LoadConfigOptions, type LoadedConfig, type OvirtRepoConfig, parseDuration, parseSize, repoConfigFor,
  repoNameProblem, requireStore, STORE_ENV,
} from './config/index.js';
// "did you mean": the closest of some known names to a mistyped one.
export { didYouMean } from './config/wording.js';
// A system test's run lock.
export {
  formatRunLock, parseRunLock, readRunLock, RUN_LOCK_VERSION, type RunLock, type RunLockEntry, type RunLockRepomd,
} from './run-lock/index.js';
// yum/dnf .repo and reposync configs.
export {
  baseurlProblem, booleanValue, findOption, IniEdits, type IniSection, lineProblem, optionBoolean, parseIni,
  repoIdProblem,
} from './ini/index.js';
// Writer locks on files.
export {
  acquireLock, DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STALE_AFTER_MS, describeOwner, heartbeatMsOf, inspectLock, type Lock, type LockOptions, type LockOwner,
  newOwner, staleReason, thisHost, withLock,
} from './lock/index.js';
