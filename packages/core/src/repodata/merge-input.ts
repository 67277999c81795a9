/** One repository's metadata document of a type being merged, in the order the repositories are merged. */
export interface MetadataInput {
  /** The decompressed document. */
  text: string;
  /** The repository it comes from (for messages about conflicts). */
  from: string;
  /** The file itself (for messages about its syntax). */
  file: string;
}
