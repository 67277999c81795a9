import { createS3Client, type S3Client, type Store } from '@ovirt-repo/core';
import { makeTempDir, s3TestClientSettings, s3TestEnv, s3TestPrefix, type S3TestServer } from '@ovirt-repo/test-support';
import { openStore } from '../../src/index.js';

export interface HistoryRecord {
  id: string;
  parent: string | null;
  host: string;
}

/**
 * A repo's history read record by record from any store, in commit order from root.json: each record's
 * parent is the id before it, and the walk reaches every record there is (no fork, no orphaned commit).
 */
export async function historyChain(store: Store, repo: string): Promise<HistoryRecord[]> {
  const dir = `yum/${repo}/history`;
  const records = new Map<string, HistoryRecord>();
  for (const e of await store.list(dir)) {
    if (e.type !== 'object') continue;
    records.set(e.key.slice(dir.length + 1), JSON.parse((await store.read(e.key))!.data.toString('utf8')) as HistoryRecord);
  }
  const chain: HistoryRecord[] = [];
  for (let r = records.get('root.json'); r; r = records.get(`${r.id}.json`)) {
    expect(r.parent).toBe(chain.at(-1)?.id ?? null);
    chain.push(r);
  }
  expect(chain).toHaveLength(records.size);
  return chain;
}

/** The package file names of a snapshot, from its record. */
export async function packagesOf(store: Store, repo: string, id: string): Promise<string[]> {
  const rec = JSON.parse((await store.read(`yum/${repo}/${id}/snapshot.json`))!.data.toString('utf8')) as { packages: { href: string }[] };
  return rec.packages.map((p) => p.href.split('/').at(-1)!).sort();
}

/** Removes every object below `prefix` (a test's own, in the shared bucket), the store's own objects included. */
export async function removePrefix(client: S3Client, bucket: string, prefix: string): Promise<void> {
  for await (const e of client.list(bucket, { prefix: `${prefix}/` })) await client.delete(bucket, e.key);
}

/** A store of its own for one test: a new prefix of the test bucket, a temp directory, and a client. */
export interface S3TestStore {
  dir: string;
  client: S3Client;
  prefix: string;
  /** `s3://BUCKET/PREFIX`. */
  location: string;
  store: Store;
  /** Removes the prefix (the store's own objects included) and the temp directory. */
  close(): Promise<void>;
}

/** Opens an S3TestStore, with the test server's AWS environment set for this process (children get it from s3TestEnv). */
export async function openS3TestStore(server: S3TestServer, tempName: string): Promise<S3TestStore> {
  const { dir, cleanup } = await makeTempDir(tempName);
  const client = createS3Client({ settings: s3TestClientSettings(server) });
  const prefix = s3TestPrefix().replace(/\/$/, '');
  const location = `s3://${server.bucket}/${prefix}`;
  Object.assign(process.env, s3TestEnv(server));
  const store = await openStore(location, { create: true });
  return {
    dir,
    client,
    prefix,
    location,
    store,
    async close() {
      await store.close?.();
      await removePrefix(client, server.bucket, prefix);
      client.close();
      await cleanup();
    },
  };
}
