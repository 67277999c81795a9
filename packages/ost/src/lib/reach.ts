import { clientNetwork, type ClientNetwork, type Logger, type NetworkSettings, type ReadUriOptions } from '@ovirt-repo/core';

/** The TLS material inject and lock verify read https maps and snapshots with (--ca-cert...). */
export type TlsMaterial = ClientNetwork['tls'];

/** The files of `settings` (--ca-cert, --client-cert, --client-key) read and checked; undefined when none is given. */
export async function tlsMaterial(settings: NetworkSettings | undefined, logger: Logger): Promise<TlsMaterial | undefined> {
  if (!settings?.caCert && !settings?.clientCert) return undefined;
  return (await clientNetwork(settings, '--ca-cert/--client-cert', logger, 'none')).tls;
}

/**
 * How a map or a snapshot is read: mirror_client's rule for proxies (none unless asked for, whatever
 * http_proxy says) with the TLS material given.
 */
export function reachOptions(allowProxy: boolean | undefined, tls: TlsMaterial | undefined): Pick<ReadUriOptions, 'allowProxy' | 'network'> {
  return tls ? { network: { proxy: allowProxy ? 'env' : 'none', tls } } : { allowProxy: allowProxy ?? false };
}
