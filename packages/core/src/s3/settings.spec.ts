import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@ovirt-repo/test-support';
import { resolveS3Settings } from './settings.js';

describe('resolveS3Settings (the standard AWS environment)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('s3-settings-'));
    // No real ~/.aws: every file is named.
    env = { HOME: dir, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config') };
  });

  afterEach(() => cleanup());

  it('takes the key pair, token, region and S3 endpoint from the environment', async () => {
    const s = await resolveS3Settings({
      env: { ...env, AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK', AWS_SESSION_TOKEN: 'TOK', AWS_DEFAULT_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://generic:1', AWS_ENDPOINT_URL_S3: 'http://rgw.example:7480' },
    });
    expect(s).toMatchObject({ credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'TOK' }, region: 'eu-west-1', credentialSource: 'environment (AWS_ACCESS_KEY_ID)' });
    expect(s.endpoint?.href).toBe('http://rgw.example:7480/');
    expect((await resolveS3Settings({ env: { ...env, AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK', AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-west-1' } })).region).toBe('us-west-2');
    expect((await resolveS3Settings({ env: { ...env, AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' } })).endpoint).toBeUndefined();
  });

  it('reads a profile from the shared credentials file and its region and endpoint from the config file', async () => {
    await writeFile(join(dir, 'credentials'), '[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n[ci]\naws_access_key_id = C\naws_secret_access_key = CS\naws_session_token = CT\n');
    await writeFile(join(dir, 'config'), '[default]\nregion = eu-central-1\n\n[profile ci]\nregion = us-east-2\nendpoint_url = https://s3.ci.example\n');
    expect(await resolveS3Settings({ env })).toMatchObject({ credentials: { accessKeyId: 'D', secretAccessKey: 'DS' }, region: 'eu-central-1' });
    const ci = await resolveS3Settings({ env: { ...env, AWS_PROFILE: 'ci' } });
    expect(ci).toMatchObject({ credentials: { accessKeyId: 'C', secretAccessKey: 'CS', sessionToken: 'CT' }, region: 'us-east-2', credentialSource: `profile ci in ${join(dir, 'credentials')}` });
    expect(ci.endpoint?.href).toBe('https://s3.ci.example/');
    // The key pair in the environment wins over AWS_PROFILE, as in the AWS CLI; a profile the caller names wins over both.
    expect((await resolveS3Settings({ env: { ...env, AWS_PROFILE: 'ci', AWS_ACCESS_KEY_ID: 'E', AWS_SECRET_ACCESS_KEY: 'ES' } })).credentials.accessKeyId).toBe('E');
    expect((await resolveS3Settings({ env: { ...env, AWS_ACCESS_KEY_ID: 'E', AWS_SECRET_ACCESS_KEY: 'ES' }, profile: 'ci' })).credentials.accessKeyId).toBe('C');
  });

  it('says what to set when there are no credentials, naming the files it looked in', async () => {
    const err = await resolveS3Settings({ env: { ...env, AWS_PROFILE: 'nope' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_USAGE', message: expect.stringContaining(`profile "nope" has no keys in ${join(dir, 'credentials')}`) });
    expect((err as { hint: string }).hint).toMatch(/AWS_ACCESS_KEY_ID/);
  });

  it('names the line of a broken credentials file without quoting it (it may hold a secret)', async () => {
    await writeFile(join(dir, 'credentials'), '[default]\naws_access_key_id = D\naws_secret_access_key TOP-SECRET-VALUE\n');
    const err = await resolveS3Settings({ env }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_CONFIG_INVALID', message: `${join(dir, 'credentials')}:3: not a valid line of an AWS credentials or config file`, data: { line: 3 } });
    expect(JSON.stringify((err as { toJSON(): object }).toJSON())).not.toContain('TOP-SECRET');
  });

  it('refuses an endpoint that is not an http(s) URL, or carries user:password, without echoing the password', async () => {
    const base = { ...env, AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' };
    expect(await resolveS3Settings({ env: { ...base, AWS_ENDPOINT_URL_S3: 'file:///etc' } }).catch((e: unknown) => e)).toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/^AWS_ENDPOINT_URL_S3 is not an http\(s\) URL/) });
    const withPassword = await resolveS3Settings({ env: { ...base, AWS_ENDPOINT_URL: 'https://u:PASSWORD-X@s3.example' } }).catch((e: unknown) => e);
    expect(withPassword).toMatchObject({ code: 'E_USAGE' });
    expect(JSON.stringify((withPassword as { toJSON(): object }).toJSON())).not.toContain('PASSWORD-X');
  });

  it('takes the CA bundle from AWS_CA_BUNDLE, else the profile\'s ca_bundle, and proxies from the environment, as the AWS CLI does', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    await writeFile(join(dir, 'env-ca.pem'), pem);
    await writeFile(join(dir, 'profile-ca.pem'), pem.replace('MIIB', 'MIIC'));
    await writeFile(join(dir, 'config'), `[default]\nca_bundle = ${join(dir, 'profile-ca.pem')}\n`);
    const base = { ...env, AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' };
    const fromEnv = await resolveS3Settings({ env: { ...base, AWS_CA_BUNDLE: join(dir, 'env-ca.pem') } });
    expect(fromEnv.network).toMatchObject({ proxy: 'env', tls: { verify: true } });
    expect(fromEnv.network?.tls.ca?.toString()).toBe(pem);
    expect((await resolveS3Settings({ env: base })).network?.tls.ca?.toString()).toContain('MIIC');
    await writeFile(join(dir, 'config'), '[default]\nregion = us-east-1\n');
    expect((await resolveS3Settings({ env: base })).network).toEqual({ proxy: 'env', tls: { verify: true } });
  });

  it('names AWS_CA_BUNDLE when the bundle it points at is missing or not PEM, without echoing the file', async () => {
    const base = { ...env, AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' };
    const missing = await resolveS3Settings({ env: { ...base, AWS_CA_BUNDLE: join(dir, 'nope.pem') } }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'E_USAGE', message: `AWS_CA_BUNDLE: cannot read the CA certificate ${join(dir, 'nope.pem')}: no such file`, target: join(dir, 'nope.pem') });
    await writeFile(join(dir, 'secret'), 'TOP-SECRET-VALUE\n');
    const notPem = await resolveS3Settings({ env: { ...base, AWS_CA_BUNDLE: join(dir, 'secret') } }).catch((e: unknown) => e);
    expect(notPem).toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/^AWS_CA_BUNDLE: .* is not a PEM file/) });
    await writeFile(join(dir, 'config'), `[default]\nca_bundle = ${join(dir, 'nope.pem')}\n`);
    expect(await resolveS3Settings({ env: base }).catch((e: unknown) => e)).toMatchObject({ message: expect.stringMatching(/^ca_bundle of profile default in .*config: cannot read/) });
    expect(JSON.stringify((notPem as { toJSON(): object }).toJSON())).not.toContain('TOP-SECRET');
  });
});
