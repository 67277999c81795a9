import { awsEncode, EMPTY_SHA256, sha256Hex, signRequest } from './sigv4.js';

// The worked examples of AWS's "Signature Calculations for the Authorization Header" page
// (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html): these keys, this date, this
// bucket, and the signatures AWS publishes for them.
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const now = new Date('2013-05-24T00:00:00Z');
const signatureOf = (headers: Record<string, string>) => /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1];

describe('signRequest (AWS Signature Version 4)', () => {
  it("gives AWS's published signature for GET Object with a Range header", () => {
    const headers = signRequest({ method: 'GET', url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'), headers: { Range: 'bytes=0-9' }, payloadHash: EMPTY_SHA256, region: 'us-east-1', now }, credentials);
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
    expect(headers['x-amz-content-sha256']).toBe(EMPTY_SHA256);
  });

  it("gives AWS's published signature for PUT Object, with a key holding '$' and a signed payload", () => {
    const body = 'Welcome to Amazon S3.';
    expect(sha256Hex(body)).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    const headers = signRequest(
      {
        method: 'PUT',
        url: new URL('https://examplebucket.s3.amazonaws.com/test$file.text'),
        headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
        payloadHash: sha256Hex(body),
        region: 'us-east-1',
        now,
      },
      credentials,
    );
    expect(headers.authorization).toContain('SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,');
    expect(signatureOf(headers)).toBe('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  it("gives AWS's published signatures for GET Bucket Lifecycle (a bare query name) and List Objects (a sorted query)", () => {
    const sign = (url: string) => signatureOf(signRequest({ method: 'GET', url: new URL(url), headers: {}, payloadHash: EMPTY_SHA256, region: 'us-east-1', now }, credentials));
    expect(sign('https://examplebucket.s3.amazonaws.com/?lifecycle')).toBe('fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
    expect(sign('https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J')).toBe('34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
    // The order on the wire does not matter: the signed query is sorted.
    expect(sign('https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2')).toBe('34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });

  it('signs a session token and the conditional headers, and never puts the secret in a header', () => {
    const headers = signRequest(
      { method: 'PUT', url: new URL('http://127.0.0.1:7480/bucket/a/b'), headers: { 'If-None-Match': '*', 'content-length': '3' }, payloadHash: 'UNSIGNED-PAYLOAD', region: 'us-east-1', now },
      { ...credentials, sessionToken: 'TOKEN-XYZ' },
    );
    expect(headers['x-amz-security-token']).toBe('TOKEN-XYZ');
    expect(headers.authorization).toContain('SignedHeaders=content-length;host;if-none-match;x-amz-content-sha256;x-amz-date;x-amz-security-token,');
    expect(JSON.stringify(headers)).not.toContain(credentials.secretAccessKey);
    const withoutToken = signRequest({ method: 'PUT', url: new URL('http://127.0.0.1:7480/bucket/a/b'), headers: { 'If-None-Match': '*', 'content-length': '3' }, payloadHash: 'UNSIGNED-PAYLOAD', region: 'us-east-1', now }, credentials);
    expect(signatureOf(withoutToken)).not.toBe(signatureOf(headers));
  });

  it('encodes as SigV4 wants: only A-Z a-z 0-9 - _ . ~ stay as they are', () => {
    expect(awsEncode("a b+c/é~!'()*")).toBe('a%20b%2Bc%2F%C3%A9~%21%27%28%29%2A');
    expect(awsEncode('A-z_0.9~')).toBe('A-z_0.9~');
  });
});
