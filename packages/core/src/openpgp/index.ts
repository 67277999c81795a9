export { runBounded, type BoundedRun } from './bounded-process.js';
export { openSigner, signRepomd, type Signer, type SignOptions } from './signer.js';
export { checkSignature, publicKeyFingerprints, type SignatureCheck } from './verify.js';
