/** One spec file of the compatibility corpus (spec-corpus.ts). */
export interface SpecFile {
  /** File name stem, also the main package name. */
  name: string;
  text: string;
  /** How the text is written to disk; `latin1` writes each char code as one byte (for invalid UTF-8). */
  encoding?: 'utf8' | 'latin1';
  /** Extra rpmbuild macro definitions. */
  defines?: Record<string, string>;
  /** `main` packages form the compared corpus; `unusual` ones are compared on their own (see compat.spec.ts). */
  set: 'main' | 'unusual';
}
