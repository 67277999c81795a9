import { readFile } from 'node:fs/promises';
import { ErrorCodes, OvirtRepoError } from '../errors/index.js';
import { runBounded, type BoundedRun } from './bounded-process.js';
import { checkSignature } from './verify.js';

/** How repodata/repomd.xml is signed (docs/trust.md): at publish, and at mirror sync. */
export interface SignOptions {
  /** A key in the gpg keyring (GNUPGHOME): `gpg --batch --armor --detach-sign --local-user KEY`. */
  key?: string;
  /** An external signer: repomd.xml on stdin, an ASCII-armoured detached signature on stdout. No shell. */
  command?: string;
  /** The signer's public key (ASCII-armoured file). Needed with `command`; with `key` it is exported from gpg. */
  publicKeyFile?: string;
  /** Publish the public key at this path of the destination, e.g. RPM-GPG-KEY-ovirt-tested. */
  publicKeyPath?: string;
  /** Deadline of one signer or gpg run. Default 60 s. */
  timeoutMs?: number;
}

export interface Signer {
  /** What signs, for messages: `gpg key KEYID` or `the sign command "CMD"`. */
  readonly name: string;
  /** The ASCII-armoured public key that must verify what `sign` returns. */
  readonly publicKey: string;
  sign(data: Buffer): Promise<string>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** A detached signature is a few hundred bytes; a public key a few KiB. */
const MAX_SIGNATURE = 64 * 1024;
const MAX_PUBLIC_KEY = 1024 * 1024;
const ARMORED_SIGNATURE = /^-----BEGIN PGP SIGNATURE-----\r?\n[\s\S]*\r?\n-----END PGP SIGNATURE-----\r?\n?$/;
const ARMORED_KEY = /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*-----END PGP PUBLIC KEY BLOCK-----/;

/** Check the options and prepare the signer (the public key read or exported) before anything is written. */
export async function openSigner(options: SignOptions, env: NodeJS.ProcessEnv): Promise<Signer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (options.key && options.command) {
    throw new OvirtRepoError(ErrorCodes.USAGE, 'Give either --sign-key or --sign-command, not both', { hint: '--sign-key KEYID signs with gpg; --sign-command CMD runs an external signer.' });
  }
  if (options.key !== undefined) {
    const key = options.key;
    if (!/^[0-9A-Za-z@._+<>=!-]+$/.test(key) || key.startsWith('-')) {
      throw new OvirtRepoError(ErrorCodes.USAGE, `--sign-key "${key}" is not a key id, fingerprint or e-mail address`, { hint: 'Example: --sign-key 0x4A3F1B2C9D8E7F60 (gpg --list-secret-keys shows the ids).' });
    }
    const publicKey = options.publicKeyFile ? await readPublicKey(options.publicKeyFile) : await exportKey(key, env, timeoutMs);
    return {
      name: `gpg key ${key}`,
      publicKey,
      sign: async (data) => signatureOf(await runBounded('gpg', ['--batch', '--armor', '--detach-sign', '--local-user', key], { input: data, env, timeoutMs, maxOutput: MAX_SIGNATURE }), `gpg key ${key}`, 'gpg --batch --armor --detach-sign --local-user ' + key, timeoutMs),
    };
  }
  if (options.command !== undefined) {
    const argv = options.command.trim().split(/\s+/).filter(Boolean);
    const [bin, ...args] = argv;
    if (!bin) throw new OvirtRepoError(ErrorCodes.USAGE, '--sign-command is empty', { hint: 'Example: --sign-command "/usr/local/bin/sign-repomd --key ovirt-tested"' });
    if (!options.publicKeyFile) {
      throw new OvirtRepoError(ErrorCodes.USAGE, '--sign-command needs --sign-public-key FILE: the public key its signatures are verified against before publishing', {
        hint: 'Give the signer\'s ASCII-armoured public key, e.g. --sign-public-key RPM-GPG-KEY-ovirt-tested.asc',
      });
    }
    const publicKey = await readPublicKey(options.publicKeyFile);
    const command = options.command.trim();
    const name = `the sign command "${command}"`;
    return { name, publicKey, sign: async (data) => signatureOf(await runBounded(bin, args, { input: data, env, timeoutMs, maxOutput: MAX_SIGNATURE }), name, command, timeoutMs) };
  }
  throw new OvirtRepoError(ErrorCodes.USAGE, 'Signing needs --sign-key KEYID or --sign-command CMD', { hint: 'See docs/trust.md.' });
}

async function readPublicKey(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new OvirtRepoError(ErrorCodes.NOT_FOUND, `Cannot read the public key ${file}: ${(e as Error).message}`, { target: file, hint: 'Export it with gpg --export --armor KEYID > FILE.', cause: e });
  }
  // Say what is wrong without echoing a file we may have been pointed at by mistake.
  if (bytes.length > MAX_PUBLIC_KEY || !ARMORED_KEY.test(bytes.toString('latin1'))) {
    throw new OvirtRepoError(ErrorCodes.SIGN, `${file} is not an ASCII-armoured OpenPGP public key (${bytes.length} bytes, no "BEGIN PGP PUBLIC KEY BLOCK" block${bytes.length > MAX_PUBLIC_KEY ? ' within 1 MiB' : ''})`, {
      target: file,
      hint: 'Export it with gpg --export --armor KEYID > FILE.',
    });
  }
  return bytes.toString('utf8');
}

async function exportKey(key: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  const r = await runBounded('gpg', ['--batch', '--armor', '--export', key], { env, timeoutMs, maxOutput: MAX_PUBLIC_KEY });
  const text = r.stdout.toString('utf8');
  if (r.exitCode !== 0 || !ARMORED_KEY.test(text)) {
    throw new OvirtRepoError(ErrorCodes.SIGN, `gpg has no public key ${key} to export${failure(r, 'gpg --export', timeoutMs)}`, {
      target: env.GNUPGHOME ?? '~/.gnupg',
      hint: 'Check the key id with gpg --list-secret-keys, and GNUPGHOME (publish uses the keyring gpg would).',
    });
  }
  return text;
}

function signatureOf(r: BoundedRun, name: string, command: string, timeoutMs: number): string {
  const text = r.stdout.toString('utf8');
  if (r.exitCode === 0 && !r.stopped && ARMORED_SIGNATURE.test(text)) return text;
  const why = r.exitCode === 0 && !r.stopped ? (text.length === 0 ? ': it wrote nothing' : ': its output is not one ASCII-armoured signature ("-----BEGIN PGP SIGNATURE-----" ... "-----END PGP SIGNATURE-----")') : failure(r, command, timeoutMs);
  throw new OvirtRepoError(ErrorCodes.SIGN, `Signing repodata/repomd.xml with ${name} failed${why}; nothing was published`, {
    hint: 'Run the signer by hand on a file (it must read it on stdin and print an armoured detached signature), fix it, and publish again.',
  });
}

function failure(r: BoundedRun, command: string, timeoutMs: number): string {
  if (r.spawnError) return `: cannot run ${command.split(/\s+/)[0]} (${r.spawnError})`;
  if (r.stopped === 'timeout') return `: no answer within ${Math.round(timeoutMs / 1000)} s (killed)`;
  if (r.stopped === 'output') return ': it wrote more than a signature can be (killed)';
  const status = r.signal ? `killed by ${r.signal}` : `exit status ${r.exitCode}`;
  return `: ${status}${r.stderr ? `: ${r.stderr.split('\n').slice(-3).join(' / ')}` : ''}`;
}

/**
 * Sign repomd.xml and check the signature against the signer's public key alone, as a client would; writes
 * nothing. Returns the signature and the fingerprint of the (primary) key that made it.
 */
export async function signRepomd(signer: Signer, repomd: Buffer, env: NodeJS.ProcessEnv): Promise<{ signature: string; fingerprint: string }> {
  const signature = await signer.sign(repomd);
  const check = await checkSignature(repomd, signature, signer.publicKey, env);
  const fingerprint = check.fingerprints[0];
  if (!check.good || check.signatures !== 1 || fingerprint === undefined) {
    throw new OvirtRepoError(ErrorCodes.SIGN, `The signature ${signer.name} made of repodata/repomd.xml does not verify against its public key (${check.signatures} signatures${check.detail ? `; gpg: ${check.detail}` : ''}); nothing was published`, {
      hint: 'The signer must sign with the key whose public half you give (--sign-public-key, or the exported --sign-key): check the key ids with gpg --list-packets on the signature.',
    });
  }
  return { signature, fingerprint };
}
