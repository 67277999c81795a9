import { proxyFor } from './proxy.js';

describe('proxyFor', () => {
  const u = (s: string) => new URL(s);

  it('takes http_proxy for http and https_proxy (else http_proxy) for https, lower case first', () => {
    const env = { http_proxy: 'http://p1:3128', HTTP_PROXY: 'http://p2:3128', HTTPS_PROXY: 'http://p3:3128' };
    expect(proxyFor(u('http://a.example/x'), env)?.host).toBe('p1:3128');
    expect(proxyFor(u('https://a.example/x'), env)?.host).toBe('p3:3128');
    expect(proxyFor(u('https://a.example/x'), { http_proxy: 'p4:8080' })?.href).toBe('http://p4:8080/');
    expect(proxyFor(u('http://a.example/x'), {})).toBeUndefined();
  });

  it('leaves out the hosts no_proxy names: *, a host, a domain with or without its dot, a port', () => {
    const env = (noProxy: string) => ({ http_proxy: 'http://p:3128', https_proxy: 'http://p:3128', no_proxy: noProxy });
    expect(proxyFor(u('http://a.example/'), env('*'))).toBeUndefined();
    expect(proxyFor(u('http://mirror.example.org/'), env('example.org'))).toBeUndefined();
    expect(proxyFor(u('http://mirror.example.org/'), env('.example.org'))).toBeUndefined();
    expect(proxyFor(u('http://example.org/'), env('.example.org'))).toBeUndefined();
    expect(proxyFor(u('http://badexample.org/'), env('example.org'))).toBeDefined();
    expect(proxyFor(u('https://a.example/'), env('a.example:443'))).toBeUndefined();
    expect(proxyFor(u('http://a.example/'), env('a.example:443'))).toBeDefined();
    expect(proxyFor(u('http://127.0.0.1:8080/'), env('localhost, 127.0.0.1'))).toBeUndefined();
    expect(proxyFor(u('http://[::1]:8080/'), env('::1'))).toBeUndefined();
  });

  it('refuses a proxy of another scheme without printing its credentials', () => {
    let error: Error | undefined;
    try {
      proxyFor(u('http://a.example/'), { http_proxy: 'socks5://user:s3cret@p:1080' });
    } catch (e) {
      error = e as Error;
    }
    expect(error).toMatchObject({ code: 'E_USAGE' });
    expect(error?.message).toContain('socks5:');
    expect(JSON.stringify(error)).not.toContain('s3cret');
  });
});

describe('proxyFor with an explicit proxy', () => {
  it('takes it for http and https alike, except for the hosts no_proxy names', () => {
    const explicit = new URL('http://explicit:3128');
    expect(proxyFor(new URL('https://a.example/'), { https_proxy: 'http://env:3128' }, explicit)?.host).toBe('explicit:3128');
    expect(proxyFor(new URL('http://a.example/'), {}, explicit)?.host).toBe('explicit:3128');
    expect(proxyFor(new URL('http://a.example/'), { no_proxy: 'a.example' }, explicit)).toBeUndefined();
  });
});
