import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startNginxSite, type NginxServer } from './nginx.js';

const run = promisify(execFile);

/** PEM files of a throwaway CA, a server certificate for 127.0.0.1 and a client certificate it signed. */
export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A private CA made with the real openssl in `dir`, as a site's own CA would be (EC keys, two days). */
export async function makeTestPki(dir: string): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...key, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=ovirt-repo test CA']);
  await writeFile(f('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await writeFile(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    await run('openssl', ['req', ...key, '-keyout', f(`${who}.key`), '-out', f(`${who}.csr`), '-subj', `/CN=${who === 'server' ? '127.0.0.1' : 'ci-client'}`]);
    await run('openssl', ['x509', '-req', '-in', f(`${who}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${who}.pem`), '-days', '2', '-extfile', f(`${who}.ext`)]);
  }
  return { ca: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key') };
}

/**
 * A real nginx serving `locations` (directives of a server block) over https with the PKI's server
 * certificate; with `requireClientCert`, only to clients showing a certificate the PKI's CA signed.
 * Its `url` is `https://127.0.0.1:PORT`.
 */
export async function startTlsNginx(pki: TestPki, locations: string, workDir: string, options: { requireClientCert?: boolean } = {}): Promise<NginxServer> {
  const clientCerts = options.requireClientCert ? `    ssl_client_certificate ${pki.ca};\n    ssl_verify_client on;\n` : '';
  const nginx = await startNginxSite((port) => `  server {\n    listen 127.0.0.1:${port} ssl;\n    ssl_certificate ${pki.serverCert};\n    ssl_certificate_key ${pki.serverKey};\n${clientCerts}${locations}\n  }\n`, workDir);
  return { ...nginx, url: nginx.url.replace('http://', 'https://') };
}
