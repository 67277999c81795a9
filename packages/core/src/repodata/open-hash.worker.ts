// The metadata hashing thread of OpenHashThread: decompresses copied members (or reads them from its
// cache) and hashes content, per stream, in the order the requests come.
import { parentPort, workerData } from 'node:worker_threads';
import { OpenContentCache } from './open-cache.js';
import { openHashServer, type OpenHashReply, type OpenHashRequest } from './open-hash-server.js';

const { cacheDir } = (workerData ?? {}) as { cacheDir?: string };
const handle = openHashServer((m: OpenHashReply) => parentPort?.postMessage(m), cacheDir === undefined ? undefined : new OpenContentCache(cacheDir));
parentPort?.on('message', (m: OpenHashRequest) => handle(m));
