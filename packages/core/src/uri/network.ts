import { ErrorCodes, OvirtRepoError, isOvirtRepoError } from '../errors/index.js';
import { readRegularFile } from '../fs/regular-file.js';
import type { Logger } from '../log/logger.js';
import { parseProxyUrl } from './proxy.js';

/**
 * How the HTTP client reaches servers, as a site's network needs it: a proxy and TLS material, with the
 * meaning of dnf's per-repo `proxy`, `sslcacert`, `sslclientcert`, `sslclientkey` and `sslverify`.
 */
export interface NetworkSettings {
  /**
   * `env`: http_proxy/https_proxy/no_proxy from the environment; `none` (or dnf's `_none_`): no proxy; else
   * the proxy's URL (http:// or https://, credentials allowed, never printed), skipped for no_proxy hosts.
   */
  proxy?: string;
  /** PEM file of the CA(s) that server certificates must chain to, instead of the system's. */
  caCert?: string;
  /** PEM file of the client certificate shown to servers that ask for one, and of its key. */
  clientCert?: string;
  clientKey?: string;
  /** false only when asked for: server certificates are not verified (a warning says so). Default true. */
  verify?: boolean;
}

/** Where the proxy of a request comes from (see ReadClientOptions.proxy). */
export type ProxyPolicy = 'none' | 'env' | URL;

/** TLS material read from the files NetworkSettings names (see ReadClientOptions.tls). */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** false: certificates are not verified. */
  verify: boolean;
}

/** What createReadClient takes from NetworkSettings. */
export interface ClientNetwork {
  proxy: ProxyPolicy;
  tls: TlsMaterial;
}

/** The settings of `layers`, a later layer's key beating an earlier one's (e.g. ovirt-repo.yaml, a yum section, flags). */
export function mergeNetworkSettings(...layers: readonly (NetworkSettings | undefined)[]): NetworkSettings {
  const out: NetworkSettings = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {}) as [keyof NetworkSettings, string | boolean | undefined][]) {
      if (value !== undefined) Object.assign(out, { [key]: value });
    }
  }
  return out;
}

/** A PEM file (a CA bundle, a certificate and its chain, a key) is small; a larger one is a wrong path. */
const MAX_PEM_BYTES = 4 << 20;

/** The values dnf writes for "no proxy" (`_none_`), and ours (`none`), matched without case as dnf does. */
export function isNoProxyValue(value: string): boolean {
  return /^(_none_|none)$/i.test(value.trim());
}

/**
 * The client side of `settings` (`where` names their origin in messages, e.g. `--proxy` or a config
 * file's section): the proxy checked, the PEM files read (bounded, regular files only), and a warning
 * through `logger` when verification is turned off. `defaultProxy` applies when settings name none.
 */
export async function clientNetwork(settings: NetworkSettings, where: string, logger: Logger, defaultProxy: 'none' | 'env' = 'env'): Promise<ClientNetwork> {
  const proxyValue = settings.proxy?.trim();
  const proxy: ProxyPolicy = !proxyValue ? defaultProxy : isNoProxyValue(proxyValue) ? 'none' : proxyValue.toLowerCase() === 'env' ? 'env' : parseProxyUrl(proxyValue, `the proxy of ${where}`);
  if (settings.clientKey && !settings.clientCert) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `${where}: a client key is given without a client certificate`, {
      hint: 'give the certificate too (--client-cert FILE, sslclientcert=FILE), or drop the key',
    });
  }
  const verify = settings.verify ?? true;
  if (!verify) logger.warn(`${where}: TLS certificates are NOT verified (sslverify=0): any server, or anyone between, can serve these repos; install the CA instead (--ca-cert, sslcacert)`);
  const [ca, cert, key] = await Promise.all([pem(settings.caCert, 'CA certificate'), pem(settings.clientCert, 'client certificate'), pem(settings.clientKey, 'client key')]);
  // A certificate file without a key file holds the key too (as curl reads sslclientcert alone).
  const clientKey = key ?? cert;
  return { proxy, tls: { verify, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(clientKey ? { key: clientKey } : {}) } };
}

async function pem(path: string | undefined, what: string): Promise<Buffer | undefined> {
  if (!path) return undefined;
  const limit = {
    max: MAX_PEM_BYTES,
    exceeded: () => new OvirtRepoError(ErrorCodes.USAGE, `${path} is larger than ${MAX_PEM_BYTES} bytes: not a ${what}`, { target: path, hint: `give the PEM file of the ${what}` }),
  };
  let data: Buffer;
  try {
    data = await readRegularFile(path, limit);
  } catch (e) {
    if (isOvirtRepoError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new OvirtRepoError(ErrorCodes.USAGE, `cannot read the ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
      target: path,
      hint: `give the path of the PEM file of the ${what}`,
      cause: e,
    });
  }
  // The content is never echoed: a key file named by mistake must not end up in a log.
  if (!data.includes('-----BEGIN ')) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `${path} is not a PEM file (no "-----BEGIN" line): the ${what} must be PEM`, {
      target: path,
      hint: `convert it to PEM (openssl x509 -inform der -in FILE -out FILE.pem for a certificate)`,
    });
  }
  return data;
}
