import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import { clientNetwork, mergeNetworkSettings } from './network.js';

describe('clientNetwork', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'network-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const warnings = () => {
    const seen: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m: string) => void seen.push(m) };
    return { logger, seen };
  };

  it('spells "no proxy" as none or _none_ (any case), defaults to the given default, and takes a URL', async () => {
    expect((await clientNetwork({ proxy: '_NONE_' }, 'x', silentLogger)).proxy).toBe('none');
    expect((await clientNetwork({ proxy: 'none' }, 'x', silentLogger)).proxy).toBe('none');
    expect((await clientNetwork({}, 'x', silentLogger)).proxy).toBe('env');
    expect((await clientNetwork({ proxy: 'ENV' }, 'x', silentLogger, 'none')).proxy).toBe('env');
    expect((await clientNetwork({}, 'x', silentLogger, 'none')).proxy).toBe('none');
    expect(String((await clientNetwork({ proxy: 'proxy.example.org:3128' }, 'x', silentLogger)).proxy)).toBe('http://proxy.example.org:3128/');
  });

  it('refuses a proxy of another scheme naming where it came from, never its credentials', async () => {
    const err = await clientNetwork({ proxy: 'socks5://u:s3cret@p:1080' }, '[r] in a.repo', silentLogger).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_USAGE' });
    expect((err as Error).message).toContain('[r] in a.repo');
    expect(JSON.stringify(err) + (err as Error).message).not.toContain('s3cret');
  });

  it('reads PEM files, refuses one that is not PEM without echoing it, and a key without a certificate', async () => {
    const pem = join(dir, 'ca.pem');
    await writeFile(pem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const net = await clientNetwork({ caCert: pem }, 'x', silentLogger);
    expect(net.tls.ca?.toString()).toContain('BEGIN CERTIFICATE');
    expect(net.tls.verify).toBe(true);
    const secret = join(dir, 'secret.txt');
    await writeFile(secret, 'top-secret-content\n');
    const err = await clientNetwork({ caCert: secret }, 'x', silentLogger).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_USAGE', target: secret });
    expect(JSON.stringify(err) + (err as Error).message).not.toContain('top-secret');
    await expect(clientNetwork({ caCert: join(dir, 'missing.pem') }, 'x', silentLogger)).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringContaining('no such file') });
    await expect(clientNetwork({ clientKey: pem }, 'x', silentLogger)).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('takes the client key from the certificate file when no key file is given', async () => {
    const both = join(dir, 'client.pem');
    await writeFile(both, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----\n');
    const net = await clientNetwork({ clientCert: both }, 'x', silentLogger);
    expect(net.tls.key?.equals(net.tls.cert ?? Buffer.alloc(0))).toBe(true);
  });

  it('turns verification off only when asked, with a warning', async () => {
    const quiet = warnings();
    expect((await clientNetwork({}, 'x', quiet.logger)).tls.verify).toBe(true);
    expect(quiet.seen).toEqual([]);
    const loud = warnings();
    expect((await clientNetwork({ verify: false }, '[r] in a.repo', loud.logger)).tls.verify).toBe(false);
    expect(loud.seen).toEqual([expect.stringContaining('[r] in a.repo: TLS certificates are NOT verified')]);
  });
});

describe('mergeNetworkSettings', () => {
  it('lets a later layer beat an earlier one, key by key, ignoring unset keys', () => {
    expect(mergeNetworkSettings({ proxy: 'a', caCert: '/ca' }, undefined, { proxy: 'b', caCert: undefined }, { verify: false })).toEqual({ proxy: 'b', caCert: '/ca', verify: false });
  });
});
