import { z } from 'zod';
import { baseurlProblem, lineProblem, repoIdProblem } from '../ini/values.js';
import { RUN_LOCK_VERSION } from './version.js';

/*
 * The zod schema of a run lock, in a module of its own that readers and writers import on first use:
 * zod takes tens of milliseconds to load, which every command would otherwise pay at start-up.
 */

const repomdSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256'),
  size: z.number().int().nonnegative(),
});

/**
 * A string `problem` has nothing to say about; `what` names it in the message. inject --from-lock writes
 * a lock's URLs and ids into configs, so a lock gets the checks a mirror map gets (an edited lock must
 * not add options or sections to a config).
 */
function checked(problem: (s: string) => string | undefined, what: string) {
  return z
    .string()
    .min(1)
    .refine((s) => problem(s) === undefined, { error: (iss) => `${what} ${problem(String(iss.input))}` });
}

const entrySchema = z
  .object({
    /** The repo id: the `[section]` name in the config. */
    repo: z.string().min(1),
    /** The baseurl injected (or given to the inserted section). */
    url: checked(baseurlProblem, 'the URL'),
    /** Set for an inserted section: the section it was put in front of. */
    before: checked(lineProblem, 'the section name').optional(),
    /** Digest of `<url>/repodata/repomd.xml` when the lock was written; null when it could not be read. */
    repomd: repomdSchema.nullable(),
    /** Why `repomd` is null. */
    repomdError: z.string().optional(),
  })
  .superRefine((entry, ctx) => {
    // An inserted section's id is written as a section header; an injected one is only looked up.
    const problem = entry.before === undefined ? lineProblem(entry.repo) : repoIdProblem(entry.repo);
    if (problem) ctx.addIssue({ code: 'custom', path: ['repo'], message: `the ${entry.before === undefined ? 'name' : 'repo id'} ${problem}` });
  });

const fileSchema = z.object({
  path: z.string().min(1),
  injected: z.array(z.string()),
  inserted: z.array(z.string()),
  skipped: z.array(z.string()),
});

export const runLockSchema = z.object({
  version: z.literal(RUN_LOCK_VERSION),
  createdAt: z.string().min(1),
  createdBy: z.string().min(1),
  map: z.object({
    /** The map URI asked for (--mirrors); null when the lock was made --from-lock. */
    uri: z.string().nullable(),
    varname: z.string(),
    /** Every map document read, includes too. */
    sources: z.array(z.string()),
    /** The lock the URLs came from, for a --from-lock run. */
    fromLock: z.string().optional(),
    /** Set when the map could not be read and the configs were left unchanged. */
    unreachable: z.string().optional(),
  }),
  options: z.object({
    allowProxy: z.boolean(),
    noneValue: z
      .string()
      .refine((s) => lineProblem(s) === undefined, { error: (iss) => `the value ${lineProblem(String(iss.input))}` })
      .nullable(),
  }),
  entries: z.array(entrySchema),
  files: z.array(fileSchema),
});

export type RunLockSchemaOutput = z.infer<typeof runLockSchema>;
export type RunLockEntrySchemaOutput = z.infer<typeof entrySchema>;
export type RunLockRepomdSchemaOutput = z.infer<typeof repomdSchema>;
