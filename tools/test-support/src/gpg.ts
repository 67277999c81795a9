import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestGpgKey {
  /** The full fingerprint (what --sign-key accepts). */
  fingerprint: string;
  uid: string;
  /** Its ASCII-armoured public key, written to a file (gpgkey=file://...). */
  publicKeyFile: string;
}

export interface TestGpgHome {
  /** The GNUPGHOME directory. */
  home: string;
  /** process.env with GNUPGHOME pointing here. */
  env: NodeJS.ProcessEnv;
  /** Make a signing key without passphrase: `rsa3072` or `ed25519`. */
  makeKey(algo: 'rsa3072' | 'ed25519', uid: string): Promise<TestGpgKey>;
  /**
   * Sign an RPM in place with rpmsign and this home's key `uid`: the header-only signature rpm >= 4.16
   * writes by default, or with `headerAndPayload` the legacy v3-style header+payload one as well (--rpmv3).
   */
  signRpm(file: string, uid: string, options?: { headerAndPayload?: boolean }): Promise<void>;
  /** Stop the gpg-agent this home started. */
  close(): Promise<void>;
}

/** A throwaway GNUPGHOME below `dir` (keep `dir` short: gpg-agent's socket path is limited to ~100 bytes). */
export async function makeGpgHome(dir: string): Promise<TestGpgHome> {
  const home = join(dir, 'gnupg');
  await mkdir(home, { recursive: true });
  await chmod(home, 0o700);
  const env = { ...process.env, GNUPGHOME: home };
  return {
    home,
    env,
    async makeKey(algo, uid) {
      await run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', uid, algo, 'sign', 'never'], { env });
      const { stdout } = await run('gpg', ['--batch', '--with-colons', '--list-keys', uid], { env });
      const fingerprint = /^fpr:+([0-9A-F]{40,64}):/m.exec(stdout)?.[1];
      if (!fingerprint) throw new Error(`gpg made no key for ${uid}: ${stdout}`);
      const exported = await run('gpg', ['--batch', '--armor', '--export', fingerprint], { env });
      const publicKeyFile = join(dir, `${fingerprint}.asc`);
      await writeFile(publicKeyFile, exported.stdout);
      return { fingerprint, uid, publicKeyFile };
    },
    async signRpm(file, uid, options = {}) {
      // rpm's default __gpg may name gpg2, which Debian does not have.
      const gpg = (await run('sh', ['-c', 'command -v gpg'])).stdout.trim();
      await run('rpmsign', ['--define', `__gpg ${gpg}`, '--define', `_gpg_name ${uid}`, '--define', `_gpg_path ${home}`, ...(options.headerAndPayload ? ['--rpmv3'] : []), '--addsign', file], { env });
    },
    async close() {
      await run('gpgconf', ['--kill', 'all'], { env }).catch(() => undefined);
    },
  };
}
