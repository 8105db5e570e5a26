// The end of the AWS SDK's default credential chain, for sigv4 when nothing is
// configured: web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN: STS
// AssumeRoleWithWebIdentity with the projected token, as IRSA on EKS sets up),
// container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on
// 169.254.170.2, or AWS_CONTAINER_CREDENTIALS_FULL_URI with
// AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]: ECS and EKS Pod Identity), then
// EC2 instance metadata (IMDSv2: a session token, the role name, its
// credentials; AWS_EC2_METADATA_SERVICE_ENDPOINT moves it,
// AWS_EC2_METADATA_DISABLED=true skips it). Undefined when none applies.
import fs from 'node:fs/promises';
import type { AwsCredentials } from './sigv4-sign.js';
import { jsonBody, tokenHttp } from './token-http.js';
import { stsEndpoint, xmlField } from './aws-sts.js';

function fromJson(doc: Record<string, unknown>, what: string, now: number): AwsCredentials {
  const { AccessKeyId, SecretAccessKey, Token, Expiration } = doc as Record<string, string | undefined>;
  if (!AccessKeyId || !SecretAccessKey) throw new Error(`sigv4: ${what} answered no AccessKeyId/SecretAccessKey`);
  const exp = Expiration ? Date.parse(Expiration) : NaN;
  return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: Token || undefined, expiresAt: Number.isFinite(exp) ? exp : now + 15 * 60_000 };
}

async function webIdentity(region: string, env: NodeJS.ProcessEnv, now: number): Promise<AwsCredentials> {
  const token = (await fs.readFile(env.AWS_WEB_IDENTITY_TOKEN_FILE!, 'utf8')).trim();
  const form = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: env.AWS_ROLE_ARN!,
    RoleSessionName: env.AWS_ROLE_SESSION_NAME || `alloy-ts-${now}`,
    WebIdentityToken: token,
  });
  // Not signed: the web identity token is the credential.
  const res = await tokenHttp({ method: 'POST', url: stsEndpoint(region, false, env), headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: form.toString(), what: 'sigv4 AssumeRoleWithWebIdentity' });
  if (res.status !== 200) throw new Error(`sigv4: AssumeRoleWithWebIdentity ${env.AWS_ROLE_ARN} failed: HTTP ${res.status}${xmlField(res.body, 'Message') ? `: ${xmlField(res.body, 'Message')}` : ''}`);
  const f = (n: string) => xmlField(res.body, n);
  return fromJson({ AccessKeyId: f('AccessKeyId'), SecretAccessKey: f('SecretAccessKey'), Token: f('SessionToken'), Expiration: f('Expiration') }, 'AssumeRoleWithWebIdentity', now);
}

async function container(env: NodeJS.ProcessEnv, now: number): Promise<AwsCredentials> {
  const url = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ? new URL(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, 'http://169.254.170.2') : new URL(env.AWS_CONTAINER_CREDENTIALS_FULL_URI!);
  const headers: Record<string, string> = {};
  const auth = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ? (await fs.readFile(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, 'utf8')).trim() : env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  if (auth) headers.Authorization = auth;
  const res = await tokenHttp({ method: 'GET', url, headers, what: 'sigv4 container credentials', timeoutMs: 5000 });
  return fromJson(jsonBody(res, 'sigv4: container credentials'), 'the container credentials endpoint', now);
}

async function ec2(env: NodeJS.ProcessEnv, now: number): Promise<AwsCredentials> {
  const base = env.AWS_EC2_METADATA_SERVICE_ENDPOINT || 'http://169.254.169.254';
  const at = (p: string) => new URL(p, base);
  const what = 'sigv4 EC2 instance metadata';
  const tok = await tokenHttp({ method: 'PUT', url: at('/latest/api/token'), headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' }, body: '', what, timeoutMs: 1000 });
  if (tok.status !== 200) throw new Error(`${what}: token request answered HTTP ${tok.status}`);
  const headers = { 'X-aws-ec2-metadata-token': tok.body.trim() };
  const roles = await tokenHttp({ method: 'GET', url: at('/latest/meta-data/iam/security-credentials/'), headers, what, timeoutMs: 1000 });
  const role = roles.status === 200 ? roles.body.split('\n')[0]?.trim() : undefined;
  if (!role) throw new Error(`${what}: no instance role (HTTP ${roles.status})`);
  const res = await tokenHttp({ method: 'GET', url: at(`/latest/meta-data/iam/security-credentials/${encodeURIComponent(role)}`), headers, what, timeoutMs: 1000 });
  return fromJson(jsonBody(res, `${what} for role ${role}`), 'the EC2 instance metadata service', now);
}

export async function instanceCredentials(region: string, env: NodeJS.ProcessEnv, now: number): Promise<AwsCredentials | undefined> {
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return webIdentity(region, env, now);
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return container(env, now);
  if ((env.AWS_EC2_METADATA_DISABLED ?? '').toLowerCase() === 'true') return undefined;
  try {
    return await ec2(env, now);
  } catch (e) {
    throw new Error(`sigv4: no AWS credentials configured, and ${(e as Error).message}`);
  }
}
