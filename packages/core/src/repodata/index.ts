export * from './model.js';
export {
  CORE_RECORD_TYPES,
  classifyRecord,
  type CoreRecordType,
  type RecordKind,
  type Repomd,
  type RepomdChecksum,
  type RepomdRecord,
  type RepomdTags,
  type UnknownElement,
} from './repomd-model.js';
export { readRepomd, parseRepomd, type ReadRepomdOptions } from './repomd-reader.js';
export { repomdXml, sortRecords } from './repomd-xml.js';
export { readPrimary, type PrimaryPackage } from './primary-reader.js';
export {
  readFilelists,
  readOther,
  type FilelistsPackage,
  type OtherPackage,
  type PackageIdentity,
} from './filelists-reader.js';
export type { ReadXmlOptions, XmlSource } from './xml-source.js';
export { recordStreamOptions } from './metadata-stream.js';
export { fileSizeLimit, MAX_REPOMD_SIZE, type FileSizeLimit } from './metadata-limits.js';
export { mergePackages, type MergeOptions } from './merge.js';
export { readRepo, type ReadRepoOptions, type RepoReader } from './repo-reader.js';
export {
  writeRepodata,
  renderPackage,
  type ExtraRecord,
  type RepodataSummary,
  type WritableItem,
  type WritablePackage,
  type WriteRepodataOptions,
} from './writer.js';
export {
  endsChunk,
  isCopiedChunk,
  isDeferredPackage,
  type ChunkIndex,
  type CopiedChunk,
  type DeferredPackage,
  type MemberSpan,
  type MetadataChunk,
  type ReusedChunk,
} from './chunk-index.js';
export { openChunkedMetadata, type ChunkedMetadata, type ChunkedPackage } from './previous-chunks.js';
export { OpenContentCache } from './open-cache.js';
export {
  filelistsPackageXml,
  isPrimaryFile,
  otherPackageXml,
  primaryPackageXml,
} from './package-xml.js';
export { escapeAttr, escapeText } from './xml-escape.js';
export {
  isRenderedPackage,
  keyPackageEntries,
  listPackageEntries,
  parseFilelistsEntry,
  parseOtherEntry,
  parsePrimaryEntry,
  primaryEntryKey,
  readPackageEntries,
  splitPackageEntries,
  type PackageEntries,
  type RenderedPackage,
} from './package-entries.js';
export { summarizePrimaryEntry, type PrimarySummary } from './primary-summary.js';
export { readMetadataDocument, readRecordEntries } from './metadata-entries.js';
export { assertMetadataHref, assertSafeHref, hrefUrl, packageFileNameOf, unsafeHrefReason } from './safe-href.js';
export { carriedMetadataName } from './carried-name.js';
export type { MetadataInput } from './merge-input.js';
export { mergeModuleDocuments } from './modules-merge.js';
export { mergeComps, mergeUpdateinfo } from './xml-collection-merge.js';
export { sourceDateEpoch } from './reproducible.js';
