import { homedir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, isOvirtRepoError, OvirtRepoError } from '../errors/index.js';
import { readRegularFile } from '../fs/regular-file.js';
import { parseIni, type IniDocument } from '../ini/parse.js';
import { clientNetwork, type ClientNetwork } from '../uri/network.js';
import { redactUrl } from '../uri/redact.js';
import { silentLogger } from '../log/logger.js';
import type { S3Credentials } from './sigv4.js';

/** Where and as whom S3 requests go. */
export interface S3Settings {
  credentials: S3Credentials;
  region: string;
  /** A custom endpoint (Ceph RGW, MinIO...): requests use path-style addressing. Absent: AWS. */
  endpoint?: URL;
  /** Where the credentials came from, for messages (`environment`, `profile ci in ~/.aws/credentials`); never a secret. */
  credentialSource: string;
  /**
   * How requests reach the endpoint, as the AWS CLI does: HTTP(S)_PROXY/NO_PROXY from the environment, and
   * the CA bundle of AWS_CA_BUNDLE or the profile's `ca_bundle` instead of the system's CAs. Absent: no proxy,
   * the system's CAs (settings built by hand, tests).
   */
  network?: ClientNetwork;
}

export interface S3SettingsOptions {
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** A profile chosen by the caller: wins over AWS_PROFILE and over the AWS_ACCESS_KEY_ID pair. */
  profile?: string;
  region?: string;
  endpoint?: string;
}

/** Shared credentials and config files are a few lines; a larger one is not what it should be. */
const MAX_AWS_FILE_BYTES = 1024 * 1024;

/**
 * The standard AWS environment, as the AWS CLI reads it:
 * - credentials: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the profile's
 *   (options.profile, AWS_PROFILE, or `default`) in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
 *   ~/.aws/credentials), else in the config file (AWS_CONFIG_FILE, ~/.aws/config, section `[profile NAME]`
 *   or `[default]`). A profile named by the caller wins over the variables.
 * - region: options, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, else us-east-1;
 * - endpoint: options, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's `endpoint_url`, else AWS;
 * - network: proxies from HTTP(S)_PROXY/NO_PROXY; the CAs of AWS_CA_BUNDLE, else the profile's `ca_bundle`
 *   (a relative path as the AWS CLI takes it: from the working directory), else the system's.
 * Errors name the variable or the file and line, never a value read from a credentials file.
 */
export async function resolveS3Settings(options: S3SettingsOptions = {}): Promise<S3Settings> {
  const env = options.env ?? process.env;
  const profile = options.profile ?? env.AWS_PROFILE ?? 'default';
  const home = () => env.HOME ?? homedir();
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? join(home(), '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE ?? join(home(), '.aws', 'config');
  const fromCredentials = section(await readAwsFile(credentialsFile), profile);
  const fromConfig = section(await readAwsFile(configFile), profile === 'default' ? 'default' : `profile ${profile}`);

  let credentials: S3Credentials | undefined;
  let credentialSource = '';
  if (!options.profile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
    credentialSource = 'environment (AWS_ACCESS_KEY_ID)';
  } else {
    for (const [values, file] of [
      [fromCredentials, credentialsFile],
      [fromConfig, configFile],
    ] as const) {
      const id = values?.get('aws_access_key_id');
      const secret = values?.get('aws_secret_access_key');
      if (!id || !secret) continue;
      const token = values?.get('aws_session_token');
      credentials = { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
      credentialSource = `profile ${profile} in ${file}`;
      break;
    }
  }
  if (!credentials) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `no S3 credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and profile "${profile}" has no keys in ${credentialsFile} or ${configFile}`, {
      target: credentialsFile,
      hint: 'export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put the keys in ~/.aws/credentials under [PROFILE] and set AWS_PROFILE',
      data: { profile, credentialsFile, configFile },
    });
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? fromConfig?.get('region') ?? 'us-east-1';
  if (!/^[a-z0-9-]{1,64}$/.test(region)) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `"${region}" is not an S3 region name`, { hint: 'set AWS_REGION to a region such as us-east-1 (any name a custom endpoint accepts)', data: { region } });
  }
  const [endpointText, endpointSource] =
    options.endpoint !== undefined
      ? [options.endpoint, 'the endpoint option']
      : env.AWS_ENDPOINT_URL_S3
        ? [env.AWS_ENDPOINT_URL_S3, 'AWS_ENDPOINT_URL_S3']
        : env.AWS_ENDPOINT_URL
          ? [env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL']
          : [fromConfig?.get('endpoint_url'), `endpoint_url of profile ${profile} in ${configFile}`];
  const [caBundle, caSource] = env.AWS_CA_BUNDLE ? [env.AWS_CA_BUNDLE, 'AWS_CA_BUNDLE'] : [fromConfig?.get('ca_bundle'), `ca_bundle of profile ${profile} in ${configFile}`];
  const network = await clientNetwork(caBundle ? { caCert: caBundle } : {}, caSource, silentLogger, 'env').catch((e: unknown) => {
    if (!isOvirtRepoError(e)) throw e;
    throw new OvirtRepoError(e.code, `${caSource}: ${e.message}`, { ...(e.target ? { target: e.target } : {}), hint: 'point it at the PEM file of the CA that signed the S3 endpoint\'s certificate, or unset it to use the system\'s CAs', cause: e });
  });
  return { credentials, region, credentialSource, network, ...(endpointText ? { endpoint: parseEndpoint(endpointText, endpointSource) } : {}) };
}

function parseEndpoint(text: string, source: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash) {
    throw new OvirtRepoError(ErrorCodes.USAGE, `${source} is not an http(s) URL of an S3 endpoint: ${url ? redactUrl(url.href) : 'not a URL'}`, {
      hint: 'give the endpoint as http(s)://HOST[:PORT] (for Ceph RGW, for example http://rgw.example.com:7480); keys never go in it',
      data: { source },
    });
  }
  return url;
}

/** An AWS credentials or config file, or undefined when there is none. */
async function readAwsFile(path: string): Promise<IniDocument | undefined> {
  let text: string;
  try {
    const limit = {
      max: MAX_AWS_FILE_BYTES,
      exceeded: () => new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${path} is larger than ${MAX_AWS_FILE_BYTES} bytes: not an AWS credentials or config file`, { target: path, hint: 'check AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE' }),
    };
    text = (await readRegularFile(path, limit)).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (isOvirtRepoError(e)) throw e;
    throw new OvirtRepoError(ErrorCodes.IO, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { target: path, hint: 'check the file and its permissions', cause: e });
  }
  try {
    return parseIni(text, path);
  } catch (e) {
    // The parser quotes a line it cannot read; in a credentials file that line may hold a secret.
    const line = isOvirtRepoError(e) ? e.data?.line : undefined;
    throw new OvirtRepoError(ErrorCodes.CONFIG_INVALID, `${path}${typeof line === 'number' ? `:${line}` : ''}: not a valid line of an AWS credentials or config file`, {
      target: path,
      hint: 'each line is a [section] header, "key = value", a comment or blank; fix the named line (it is not shown: it may hold a key)',
      data: { file: path, ...(typeof line === 'number' ? { line } : {}) },
    });
  }
}

/** The options of section `name`, by lower-case key. */
function section(doc: IniDocument | undefined, name: string): Map<string, string> | undefined {
  const found = doc?.sections.find((s) => s.name === name);
  return found ? new Map(found.options.map((o) => [o.name, o.value])) : undefined;
}
