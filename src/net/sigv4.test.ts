// SigV4: the signer against AWS's published example (IAM ListUsers, from the
// "create a signed request" guide), and the credential chain: the block's
// keys, AWS_* environment variables, a named profile in the shared files, a
// region from AWS_REGION, and role_arn through a fake STS on 127.0.0.1 whose
// AssumeRole request is checked (form fields, signed for "sts" with the base keys).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { verifySigV4 } from '../../e2e/lib/sigv4-verify.js';
import { Secret } from '../syntax/secret.js';
import { signV4, signingKey } from './sigv4-sign.js';
import { SigV4Signer, validateSigV4 } from './sigv4.js';
import { baseCredentials, resolveRegion } from './aws-credentials.js';

const EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

describe('SigV4 signing', () => {
  it("matches AWS's published example signature", () => {
    expect(signingKey(EXAMPLE_SECRET, '20150830', 'us-east-1', 'iam').toString('hex')).toBe('c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
    const added = signV4(
      {
        method: 'GET',
        url: new URL('https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08'),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: '',
      },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: EXAMPLE_SECRET },
      'us-east-1',
      'iam',
      new Date(Date.UTC(2015, 7, 30, 12, 36, 0)),
    );
    expect(added['X-Amz-Date']).toBe('20150830T123600Z');
    expect(added.Authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });

  it('signs a POST body and every header but User-Agent, verifiable independently', async () => {
    const s = new SigV4Signer({ region: 'eu-west-1', access_key: 'AKIA1', secret_key: new Secret('s3cret') }, { env: {} });
    const body = Buffer.from('payload bytes');
    const headers: Record<string, string> = { 'Content-Type': 'application/x-protobuf', 'User-Agent': 'x', 'Content-Length': String(body.length) };
    Object.assign(headers, await s.sign({ method: 'POST', url: new URL('https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write'), headers, body }));
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    lower.host = 'aps-workspaces.eu-west-1.amazonaws.com';
    expect(lower.authorization).toContain('SignedHeaders=content-length;content-type;host;x-amz-date,');
    expect(verifySigV4('POST', '/workspaces/ws-1/api/v1/remote_write', lower, body, 's3cret')).toEqual({ accessKey: 'AKIA1', region: 'eu-west-1', service: 'aps' });
    // A changed body no longer verifies.
    expect(() => verifySigV4('POST', '/workspaces/ws-1/api/v1/remote_write', lower, Buffer.from('other'), 's3cret')).toThrow(/mismatch/);
  });
});

describe('SigV4 credentials and region', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('validates as Alloy does', () => {
    expect(() => validateSigV4({ access_key: 'a' })).toThrow(/access key and secret key/);
    expect(() => validateSigV4({ external_id: 'x' })).toThrow(/external_id can only be used with role_arn/);
    expect(() => new SigV4Signer({}, { env: {} })).toThrow(/region not configured/);
  });

  it('reads AWS_* variables, else the profile named by the block or AWS_PROFILE', () => {
    const env = { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'envsecret', AWS_SESSION_TOKEN: 'tok', AWS_REGION: 'us-west-2' };
    expect(baseCredentials({}, env)).toEqual({ accessKeyId: 'ENVKEY', secretAccessKey: 'envsecret', sessionToken: 'tok' });
    expect(resolveRegion({}, env)).toBe('us-west-2');
    fs.writeFileSync(path.join(dir, 'credentials'), '[default]\naws_access_key_id = DEF\naws_secret_access_key = defsecret\n[team]\naws_access_key_id = TEAM\naws_secret_access_key = teamsecret\n');
    fs.writeFileSync(path.join(dir, 'config'), '[profile team]\nregion = ap-south-1\n');
    const files = { AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'), AWS_CONFIG_FILE: path.join(dir, 'config') };
    expect(baseCredentials({ profile: 'team' }, { ...files, ...env })).toEqual({ accessKeyId: 'TEAM', secretAccessKey: 'teamsecret', sessionToken: undefined });
    expect(resolveRegion({ profile: 'team' }, files)).toBe('ap-south-1');
    expect(baseCredentials({}, files).accessKeyId).toBe('DEF');
    expect(baseCredentials({}, { ...files, AWS_PROFILE: 'team' }).accessKeyId).toBe('TEAM');
    expect(() => baseCredentials({ profile: 'nope' }, files)).toThrow(/profile "nope" not found/);
  });

  it('assumes role_arn through STS (external_id passed) and signs with the temporary credentials', async () => {
    const seen: { form: URLSearchParams; signer: ReturnType<typeof verifySigV4> }[] = [];
    const sts = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const signer = verifySigV4(req.method!, req.url!, req.headers, body, 'basesecret');
        seen.push({ form: new URLSearchParams(body.toString()), signer });
        res.writeHead(200, { 'Content-Type': 'text/xml' }).end(
          `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIATEMP</AccessKeyId><SecretAccessKey>tempsecret</SecretAccessKey><SessionToken>sess-token</SessionToken><Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`,
        );
      });
    });
    await new Promise<void>((r) => sts.listen(0, '127.0.0.1', () => r()));
    try {
      const env = { AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${(sts.address() as AddressInfo).port}/` };
      const s = new SigV4Signer({ region: 'us-east-1', access_key: 'BASEKEY', secret_key: 'basesecret', role_arn: 'arn:aws:iam::123456789012:role/writer', external_id: 'ext-1' }, { env });
      const body = Buffer.from('x');
      const headers: Record<string, string> = { 'Content-Type': 'application/x-protobuf' };
      Object.assign(headers, await s.sign({ method: 'POST', url: new URL('https://aps.example/api/v1/remote_write'), headers, body }));
      await s.sign({ method: 'POST', url: new URL('https://aps.example/api/v1/remote_write'), headers: {}, body });
      expect(seen).toHaveLength(1); // cached until shortly before Expiration
      expect(seen[0]!.signer).toEqual({ accessKey: 'BASEKEY', region: 'us-east-1', service: 'sts' });
      expect(Object.fromEntries(seen[0]!.form)).toMatchObject({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: 'arn:aws:iam::123456789012:role/writer', ExternalId: 'ext-1' });
      expect(headers['X-Amz-Security-Token']).toBe('sess-token');
      const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
      lower.host = 'aps.example';
      expect(lower.authorization).toContain('x-amz-security-token');
      expect(verifySigV4('POST', '/api/v1/remote_write', lower, body, 'tempsecret').accessKey).toBe('ASIATEMP');
    } finally {
      await new Promise((r) => sts.close(r));
    }
  });
});

describe('SigV4 instance credential chain (nothing configured)', () => {
  let dir: string;
  let server: http.Server;
  let origin = '';
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  let reply: (s: (typeof seen)[number]) => { status: number; body: string } = () => ({ status: 404, body: '' });
  const creds = (key: string) => JSON.stringify({ AccessKeyId: key, SecretAccessKey: `${key}-secret`, Token: `${key}-token`, Expiration: new Date(Date.now() + 3600_000).toISOString() });

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-inst-'));
    seen.length = 0;
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const s = { method: req.method!, url: req.url!, headers: req.headers, body };
        seen.push(s);
        const r = reply(s);
        res.writeHead(r.status).end(r.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  // No shared files: HOME points at an empty directory.
  const base = () => ({ HOME: dir, AWS_REGION: 'us-east-1' });
  const sign = (env: NodeJS.ProcessEnv) => new SigV4Signer({}, { env }).sign({ method: 'POST', url: new URL('https://aps.example/x'), headers: {}, body: 'b' });

  it('web identity: AssumeRoleWithWebIdentity with the token file, unsigned', async () => {
    const tokenFile = path.join(dir, 'token');
    fs.writeFileSync(tokenFile, 'eks-projected-jwt\n');
    reply = () => ({
      status: 200,
      body: `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>web-secret</SecretAccessKey><SessionToken>web-token</SessionToken><Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`,
    });
    const h = await sign({ ...base(), AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: 'arn:aws:iam::1:role/irsa', AWS_ENDPOINT_URL_STS: origin });
    const form = Object.fromEntries(new URLSearchParams(seen[0]!.body));
    expect(form).toMatchObject({ Action: 'AssumeRoleWithWebIdentity', RoleArn: 'arn:aws:iam::1:role/irsa', WebIdentityToken: 'eks-projected-jwt' });
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(h.Authorization).toContain('Credential=ASIAWEB/');
    expect(h['X-Amz-Security-Token']).toBe('web-token');
  });

  it('container credentials: the full URI with its authorization token', async () => {
    reply = () => ({ status: 200, body: creds('ASIAECS') });
    const h = await sign({ ...base(), AWS_CONTAINER_CREDENTIALS_FULL_URI: `${origin}/v2/credentials/abc`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'pod-identity-token' });
    expect(seen[0]!.url).toBe('/v2/credentials/abc');
    expect(seen[0]!.headers.authorization).toBe('pod-identity-token');
    expect(h.Authorization).toContain('Credential=ASIAECS/');
  });

  it('EC2 IMDSv2: session token, role name, then the role credentials', async () => {
    reply = (s) => {
      if (s.method === 'PUT' && s.url === '/latest/api/token') return { status: 200, body: 'imds-session' };
      if (s.headers['x-aws-ec2-metadata-token'] !== 'imds-session') return { status: 401, body: '' };
      if (s.url === '/latest/meta-data/iam/security-credentials/') return { status: 200, body: 'node-role\n' };
      if (s.url === '/latest/meta-data/iam/security-credentials/node-role') return { status: 200, body: creds('ASIAEC2') };
      return { status: 404, body: '' };
    };
    const h = await sign({ ...base(), AWS_EC2_METADATA_SERVICE_ENDPOINT: origin });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['PUT /latest/api/token', 'GET /latest/meta-data/iam/security-credentials/', 'GET /latest/meta-data/iam/security-credentials/node-role']);
    expect(seen[0]!.headers['x-aws-ec2-metadata-token-ttl-seconds']).toBe('21600');
    expect(h['X-Amz-Security-Token']).toBe('ASIAEC2-token');
  });

  it('nothing at all: an error naming what was looked for', async () => {
    await expect(sign({ ...base(), AWS_EC2_METADATA_DISABLED: 'true' })).rejects.toThrow(/no AWS credentials: set access_key and secret_key/);
  });
});
