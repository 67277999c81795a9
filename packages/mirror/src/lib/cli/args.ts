import { Args } from '@oclif/core';

/** REPO [ID] of one snapshot (`snapshot show`, `snapshot verify`). */
export const snapshotArgs = {
  repo: Args.string({ description: 'Repo name.', required: true }),
  id: Args.string({ description: 'Snapshot id, or "latest".', default: 'latest' }),
};

/** REPO ID of one snapshot, or neither with --from-lock (`snapshot pin`, `snapshot unpin`). */
export const snapshotOrLockArgs = {
  repo: Args.string({ description: 'Repo name (not with --from-lock).', required: false }),
  id: Args.string({ description: 'Snapshot id, or "latest" (not with --from-lock).', required: false }),
};
