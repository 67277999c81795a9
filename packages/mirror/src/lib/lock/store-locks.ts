import { join } from 'node:path';
import type { StoreLayout } from '../store/layout.js';

/** Lock file paths of a store. All live in `<store>/locks/`, which web servers should not serve. */
export const repoLockPath = (s: StoreLayout, repo: string) => join(s.locksDir, `repo-${repo}.lock`);
/** Short lock for pin/unpin and gc's snapshot removal of one repo (not held during downloads). */
export const retentionLockPath = (s: StoreLayout, repo: string) => join(s.locksDir, `retention-${repo}.lock`);
export const indexLockPath = (s: StoreLayout) => join(s.locksDir, 'index.lock');
export const gcLockPath = (s: StoreLayout) => join(s.locksDir, 'gc.lock');
export const poolUsersDir = (s: StoreLayout) => join(s.locksDir, 'pool-users');
