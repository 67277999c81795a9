export { runBounded, type BoundedRun } from './bounded-process.js';
export { openSigner, type Signer, type SignOptions } from './signer.js';
export { checkSignature, type SignatureCheck } from './verify.js';
