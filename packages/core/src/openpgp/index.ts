export { runBounded, type BoundedRun } from './bounded-process.js';
export { openSigner, signRepomd, type Signer, type SignOptions } from './signer.js';
export { checkSignature, publicKeyFingerprints, type SignatureCheck } from './verify.js';
export { readPublicKeys, shortKeyId, type PublicKeySet, type ReadKeysOptions } from './public-keys.js';
export { checkPackageSignatures, type CheckPackagesOptions, type PackageSignature } from './package-signatures.js';
