// azuread and google_iam token sources against fake token services on
// 127.0.0.1 (their hosts moved the way the Azure and Google libraries allow:
// AZURE_AUTHORITY_HOST, AZURE_POD_IDENTITY_AUTHORITY_HOST, the key file's
// token_uri, GCE_METADATA_HOST). Each fake checks what the protocol demands:
// form fields and scope, IMDS query and Metadata header, the JWT's RS256
// signature with the service account's public key and its claims.
import { createVerify, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Secret } from '../syntax/secret.js';
import { AzureAdTokenSource, validateAzureAd } from './azuread.js';
import { GOOGLE_MONITORING_WRITE_SCOPE, GoogleIamTokenSource } from './google-iam.js';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  form: URLSearchParams;
}

class FakeTokenService {
  readonly seen: Seen[] = [];
  reply: (s: Seen) => { status: number; body: unknown } = () => ({ status: 200, body: { access_token: `tok${this.seen.length}`, token_type: 'Bearer', expires_in: 3600 } });
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const u = new URL(req.url!, 'http://x');
      const s: Seen = { method: req.method!, path: u.pathname, query: u.searchParams, headers: req.headers, form: new URLSearchParams(body) };
      this.seen.push(s);
      const r = this.reply(s);
      res.writeHead(r.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(r.body));
    });
  });
  origin = '';
  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const CLIENT = '00000000-0000-4000-8000-000000000001';
const TENANT = '00000000-0000-4000-8000-0000000000aa';

let svc: FakeTokenService;
let dir: string;
beforeEach(async () => {
  svc = await new FakeTokenService().start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-tok-'));
});
afterEach(async () => {
  await svc.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('azuread', () => {
  it('validates as Alloy does', () => {
    expect(() => validateAzureAd({ cloud: 'AzureMars', managed_identity: { client_id: CLIENT } })).toThrow(/must provide a cloud/);
    expect(() => validateAzureAd({})).toThrow(/must provide an Azure Managed Identity, Azure Workload Identity, Azure OAuth or Azure SDK/);
    expect(() => validateAzureAd({ managed_identity: { client_id: CLIENT }, sdk: { tenant_id: 't' } })).toThrow(/multiple authentication methods/);
    expect(() => validateAzureAd({ managed_identity: { client_id: 'not-a-uuid' } })).toThrow(/Managed Identity client_id is invalid/);
    expect(() => validateAzureAd({ oauth: { client_id: CLIENT, client_secret: new Secret('s'), tenant_id: 'bad tenant!' } })).toThrow(/tenant_id is invalid/);
    expect(() => validateAzureAd({ sdk: { tenant_id: TENANT }, scope: 'bad"scope' })).toThrow(/scope contains invalid characters/);
    expect(() => validateAzureAd({ managed_identity: { client_id: `{${CLIENT}}` } })).not.toThrow();
  });

  it('oauth: client credentials at <authority>/<tenant>/oauth2/v2.0/token for the cloud audience, cached to half its lifetime', async () => {
    let now = 1_000_000;
    const src = new AzureAdTokenSource(
      { cloud: 'AzureChina', oauth: { client_id: CLIENT, client_secret: new Secret('shh'), tenant_id: TENANT } },
      { env: { AZURE_AUTHORITY_HOST: svc.origin }, now: () => now },
    );
    expect(await src.header()).toBe('Bearer tok1');
    const s = svc.seen[0]!;
    expect(s.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(Object.fromEntries(s.form)).toEqual({ grant_type: 'client_credentials', client_id: CLIENT, client_secret: 'shh', scope: 'https://monitor.azure.cn//.default' });
    now += 1799_000;
    expect(await src.header()).toBe('Bearer tok1');
    now += 2000;
    expect(await src.header()).toBe('Bearer tok2');
    expect(svc.seen).toHaveLength(2);
  });

  it('managed_identity: IMDS with api-version, resource (scope without /.default), client_id and Metadata: true', async () => {
    svc.reply = () => ({ status: 200, body: { access_token: 'mi-token', expires_in: '3599', token_type: 'Bearer' } });
    const src = new AzureAdTokenSource({ managed_identity: { client_id: CLIENT } }, { env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: svc.origin } });
    expect(await src.header()).toBe('Bearer mi-token');
    const s = svc.seen[0]!;
    expect(s.method).toBe('GET');
    expect(s.path).toBe('/metadata/identity/oauth2/token');
    expect(s.headers.metadata).toBe('true');
    expect(Object.fromEntries(s.query)).toEqual({ 'api-version': '2018-02-01', resource: 'https://monitor.azure.com/', client_id: CLIENT });
  });

  it('workload_identity: the token file as client_assertion, re-read at every fetch; a custom scope', async () => {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'projected-jwt-1\n');
    svc.reply = () => ({ status: 200, body: { access_token: `wi${svc.seen.length}`, expires_in: 1 } });
    let now = 0;
    const src = new AzureAdTokenSource(
      { scope: 'api://my-app/.default', workload_identity: { client_id: CLIENT, tenant_id: TENANT, token_file_path: file } },
      { env: { AZURE_AUTHORITY_HOST: svc.origin }, now: () => now },
    );
    await src.header();
    fs.writeFileSync(file, 'projected-jwt-2');
    now += 1000;
    expect(await src.header()).toBe('Bearer wi2');
    expect(svc.seen.map((s) => s.form.get('client_assertion'))).toEqual(['projected-jwt-1', 'projected-jwt-2']);
    expect(svc.seen[0]!.form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(svc.seen[0]!.form.get('scope')).toBe('api://my-app/.default');
  });

  it('sdk: the environment client secret first, else managed identity', async () => {
    const env = { AZURE_AUTHORITY_HOST: svc.origin, AZURE_POD_IDENTITY_AUTHORITY_HOST: svc.origin, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 'envsecret' };
    await new AzureAdTokenSource({ sdk: { tenant_id: TENANT } }, { env }).header();
    expect(svc.seen[0]!.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(svc.seen[0]!.form.get('client_secret')).toBe('envsecret');
    await new AzureAdTokenSource({ sdk: { tenant_id: TENANT } }, { env: { ...env, AZURE_CLIENT_SECRET: '' } }).header();
    expect(svc.seen[1]!.path).toBe('/metadata/identity/oauth2/token');
    expect(svc.seen[1]!.query.get('client_id')).toBe(CLIENT);
  });

  it('sdk: falls through an unreachable managed identity to the Azure CLI', async () => {
    const az = path.join(dir, 'az');
    fs.writeFileSync(az, `#!/bin/sh\necho "$@" > "${dir}/az-args"\necho '{"accessToken":"cli-token","expires_on":${Math.floor(Date.now() / 1000) + 3600}}'\n`, { mode: 0o755 });
    const env = { PATH: dir, AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:1' };
    const src = new AzureAdTokenSource({ sdk: { tenant_id: TENANT } }, { env });
    expect(await src.header()).toBe('Bearer cli-token');
    expect(fs.readFileSync(path.join(dir, 'az-args'), 'utf8').trim()).toBe(`account get-access-token --output json --resource https://monitor.azure.com/ --tenant ${TENANT}`);
    // Nothing in the chain works: every step's reason is reported.
    fs.rmSync(az);
    await expect(new AzureAdTokenSource({ sdk: { tenant_id: TENANT } }, { env }).header()).rejects.toThrow(/managed identity: .*Azure CLI: /);
  });

  it('reports a refused token request with the status and body', async () => {
    svc.reply = () => ({ status: 401, body: { error: 'invalid_client' } });
    const src = new AzureAdTokenSource({ oauth: { client_id: CLIENT, client_secret: 'x', tenant_id: TENANT } }, { env: { AZURE_AUTHORITY_HOST: svc.origin } });
    await expect(src.header()).rejects.toThrow(/azuread.*HTTP 401.*invalid_client/);
  });
});

describe('google_iam', () => {
  it('exchanges an RS256 JWT of the service account key at its token_uri', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = path.join(dir, 'sa.json');
    fs.writeFileSync(
      keyFile,
      JSON.stringify({ type: 'service_account', client_email: 'writer@proj.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), private_key_id: 'kid1', token_uri: `${svc.origin}/token` }),
    );
    const src = new GoogleIamTokenSource({ credentials_file: keyFile }, { env: {} });
    expect(await src.header()).toBe('Bearer tok1');
    const form = svc.seen[0]!.form;
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [h, c, sig] = form.get('assertion')!.split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid1' });
    const claims = JSON.parse(Buffer.from(c!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: 'writer@proj.iam.gserviceaccount.com', scope: GOOGLE_MONITORING_WRITE_SCOPE, aud: `${svc.origin}/token` });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(createVerify('RSA-SHA256').update(`${h}.${c}`).verify(publicKey, Buffer.from(sig!, 'base64url'))).toBe(true);
    await src.header();
    expect(svc.seen).toHaveLength(1);
  });

  it('without credentials_file asks the metadata server', async () => {
    const src = new GoogleIamTokenSource({}, { env: { GCE_METADATA_HOST: svc.origin.replace('http://', '') } });
    expect(await src.header()).toBe('Bearer tok1');
    expect(svc.seen[0]!.path).toBe('/computeMetadata/v1/instance/service-accounts/default/token');
    expect(svc.seen[0]!.headers['metadata-flavor']).toBe('Google');
    expect(svc.seen[0]!.query.get('scopes')).toBe(GOOGLE_MONITORING_WRITE_SCOPE);
  });

  it('refuses a key file that is not a service account key', async () => {
    const keyFile = path.join(dir, 'user.json');
    fs.writeFileSync(keyFile, JSON.stringify({ type: 'authorized_user' }));
    await expect(new GoogleIamTokenSource({ credentials_file: keyFile }, { env: {} }).header()).rejects.toThrow(/not a service account key/);
  });
});
