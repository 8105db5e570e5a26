// Where the sigv4 block's credentials and region come from, in the order the
// AWS SDK for Go (which Prometheus and Alloy use) looks: the block's
// access_key/secret_key; else a named profile (the block's `profile` or
// AWS_PROFILE) from the shared files; else AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); else the "default" profile.
// Region: the block, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`.
// Then, as the SDK's default chain continues: web identity (IRSA on EKS),
// container (ECS/EKS Pod Identity) and EC2 instance credentials
// (aws-instance-credentials.ts).
// With role_arn those credentials call STS AssumeRole (endpoint
// sts[-fips].<region>.amazonaws.com, or AWS_ENDPOINT_URL_STS /
// AWS_ENDPOINT_URL as the SDKs allow) and the temporary ones are used until
// shortly before they expire. Not covered: SSO and credential_process
// profiles (an error says so).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signV4, type AwsCredentials } from './sigv4-sign.js';
import { instanceCredentials } from './aws-instance-credentials.js';
import { tokenHttp } from './token-http.js';
import { stsEndpoint, xmlField } from './aws-sts.js';
export { stsEndpoint, xmlField };

export interface AwsSourceConfig {
  region?: string;
  access_key?: string;
  secret_key?: string;
  profile?: string;
  role_arn?: string;
  external_id?: string;
  use_fips_sts_endpoint?: boolean;
}

export interface AwsEnvOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

type IniSections = Record<string, Record<string, string>>;

function parseIni(text: string): IniSections {
  const out: IniSections = {};
  let cur: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      cur = out[sec[1]!.trim()] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (cur && eq > 0) cur[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return out;
}

function readIni(file: string): IniSections {
  try {
    return parseIni(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/** The merged settings of a profile from the shared credentials and config files. */
function profileSettings(name: string, env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  const home = env.HOME ?? os.homedir();
  const credFile = env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials');
  const confFile = env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config');
  const creds = readIni(credFile)[name];
  const conf = readIni(confFile)[name === 'default' ? 'default' : `profile ${name}`];
  if (!creds && !conf) return undefined;
  return { ...(conf ?? {}), ...(creds ?? {}) };
}

export function resolveRegion(c: AwsSourceConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (c.region) return c.region;
  if (env.AWS_REGION) return env.AWS_REGION;
  if (env.AWS_DEFAULT_REGION) return env.AWS_DEFAULT_REGION;
  return profileSettings(c.profile || env.AWS_PROFILE || 'default', env)?.region || undefined;
}

/** The base (non-assumed) credentials, or an error saying where they were looked for. */
export function baseCredentials(c: AwsSourceConfig, env: NodeJS.ProcessEnv = process.env): AwsCredentials {
  const found = configuredCredentials(c, env);
  if (!found) throw new Error(NO_CREDENTIALS);
  return found;
}

const NO_CREDENTIALS =
  'sigv4: no AWS credentials: set access_key and secret_key, a profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a default profile, web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN), or run where container or instance credentials are served';

/** The block's keys, a profile or the AWS_* keys; undefined when none is configured (instance chain next). */
export function configuredCredentials(c: AwsSourceConfig, env: NodeJS.ProcessEnv = process.env): AwsCredentials | undefined {
  if (c.access_key && c.secret_key) return { accessKeyId: c.access_key, secretAccessKey: c.secret_key };
  const named = c.profile || env.AWS_PROFILE;
  const fromProfile = (name: string): AwsCredentials | undefined => {
    const p = profileSettings(name, env);
    if (!p) return undefined;
    if (p.aws_access_key_id && p.aws_secret_access_key) {
      return { accessKeyId: p.aws_access_key_id, secretAccessKey: p.aws_secret_access_key, sessionToken: p.aws_session_token || undefined };
    }
    throw new Error(`sigv4: profile ${JSON.stringify(name)} has no aws_access_key_id/aws_secret_access_key (SSO, credential_process and source_profile profiles are not supported)`);
  };
  if (named) {
    const p = fromProfile(named);
    if (!p) throw new Error(`sigv4: profile ${JSON.stringify(named)} not found in the shared AWS credentials or config file`);
    return p;
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined };
  }
  return fromProfile('default');
}


/** STS AssumeRole (Query API, version 2011-06-15), signed with `base`. */
export async function assumeRole(c: AwsSourceConfig, base: AwsCredentials, region: string, env: NodeJS.ProcessEnv, now: number): Promise<AwsCredentials> {
  const url = stsEndpoint(region, c.use_fips_sts_endpoint === true, env);
  const form = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: c.role_arn!, RoleSessionName: `alloy-ts-${now}` });
  if (c.external_id) form.set('ExternalId', c.external_id);
  const body = form.toString();
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) };
  Object.assign(headers, signV4({ method: 'POST', url, headers, body }, base, region, 'sts', new Date(now)));
  delete headers['Content-Length']; // tokenHttp sets it
  const res = await tokenHttp({ method: 'POST', url, headers, body, what: 'sigv4 AssumeRole' });
  if (res.status !== 200) {
    const code = xmlField(res.body, 'Code');
    const msg = xmlField(res.body, 'Message');
    throw new Error(`sigv4: AssumeRole ${c.role_arn} failed: HTTP ${res.status}${code ? ` ${code}` : ''}${msg ? `: ${msg}` : ''}`);
  }
  const accessKeyId = xmlField(res.body, 'AccessKeyId');
  const secretAccessKey = xmlField(res.body, 'SecretAccessKey');
  const sessionToken = xmlField(res.body, 'SessionToken');
  const expiration = xmlField(res.body, 'Expiration');
  if (!accessKeyId || !secretAccessKey || !sessionToken) throw new Error(`sigv4: AssumeRole ${c.role_arn}: the answer has no credentials`);
  const expiresAt = expiration ? Date.parse(expiration) : NaN;
  return { accessKeyId, secretAccessKey, sessionToken, expiresAt: Number.isFinite(expiresAt) ? expiresAt : now + 15 * 60_000 };
}

/** Temporary credentials are replaced this long before they expire (Prometheus's sigv4: 30 s). */
const EXPIRY_WINDOW_MS = 30_000;

/** The credentials to sign with, cached (and re-assumed before expiry with role_arn). */
export class AwsCredentialSource {
  #cached: AwsCredentials | undefined;
  #inflight: Promise<AwsCredentials> | undefined;
  readonly #env: NodeJS.ProcessEnv;
  readonly #now: () => number;
  /** STS calls so far. */
  assumeCalls = 0;

  constructor(
    private readonly cfg: AwsSourceConfig,
    readonly region: string,
    o: AwsEnvOptions = {},
  ) {
    this.#env = o.env ?? process.env;
    this.#now = o.now ?? Date.now;
  }

  async get(): Promise<AwsCredentials> {
    const c = this.#cached;
    if (c && (c.expiresAt === undefined || c.expiresAt - EXPIRY_WINDOW_MS > this.#now())) return c;
    this.#inflight ??= this.#load().finally(() => (this.#inflight = undefined));
    this.#cached = await this.#inflight;
    return this.#cached;
  }

  async #load(): Promise<AwsCredentials> {
    const base = configuredCredentials(this.cfg, this.#env) ?? (await instanceCredentials(this.region, this.#env, this.#now()));
    if (!base) throw new Error(NO_CREDENTIALS);
    if (!this.cfg.role_arn) return base;
    this.assumeCalls++;
    return assumeRole(this.cfg, base, this.region, this.#env, this.#now());
  }
}
