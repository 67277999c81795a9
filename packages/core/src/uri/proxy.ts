import { ErrorCodes, OvirtRepoError } from '../errors/index.js';

/**
 * The proxy the environment names for `url`, as curl and dnf read it: https_proxy (else http_proxy) for
 * https URLs, http_proxy for http ones, lower case before upper case; none when no_proxy covers the host
 * (`*`, a host name, a domain with or without its leading dot, each with an optional :port).
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env, explicit?: URL): URL | undefined {
  const http = env.http_proxy || env.HTTP_PROXY;
  const value = explicit ? explicit.href : url.protocol === 'https:' ? env.https_proxy || env.HTTPS_PROXY || http : http;
  // no_proxy applies to an explicit proxy too, as curl (under dnf) applies it.
  if (!value || bypassed(url, env.no_proxy ?? env.NO_PROXY ?? '')) return undefined;
  return explicit ?? parseProxyUrl(value, 'the proxy in http_proxy/https_proxy');
}

/** A proxy's URL as http_proxy, --proxy or a yum `proxy=` spell it (`host:port` is http); `what` names its origin. */
export function parseProxyUrl(value: string, what: string): URL {
  let proxy: URL;
  try {
    proxy = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw badProxy(what, 'is not a URL');
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') throw badProxy(what, `has the scheme ${proxy.protocol} (http:// or https:// are supported)`);
  if (!proxy.hostname) throw badProxy(what, 'names no host');
  return proxy;
}

function badProxy(what: string, why: string): OvirtRepoError {
  // The value may hold credentials: it is never printed.
  return new OvirtRepoError(ErrorCodes.USAGE, `${what} ${why}`, { hint: 'set it as http://host:port (credentials as http://user:password@host:port)' });
}

function bypassed(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    // A bare IPv6 address has colons of its own; a port goes with [address]:port only.
    const m = entry.split(':').length > 2 && !entry.startsWith('[') ? [entry, entry] : /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (!m) continue;
    const name = (m[1] ?? '').replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
    if (m[2] && m[2] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}
