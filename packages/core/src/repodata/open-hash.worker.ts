// The metadata hashing thread of OpenHashThread: decompresses copied members and hashes content, per
// stream, in the order the requests come.
import { parentPort } from 'node:worker_threads';
import { openHashServer, type OpenHashReply, type OpenHashRequest } from './open-hash.js';

const handle = openHashServer((m: OpenHashReply) => parentPort?.postMessage(m));
parentPort?.on('message', (m: OpenHashRequest) => handle(m));
