import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeBlock } from '../runtime/decode.js';
import { Secret } from '../syntax/secret.js';
import type { BlockSchema } from '../runtime/types.js';
import { parse } from '../syntax/index.js';
import {
  authorizationHeader,
  authorizationSchema,
  basicAuthSchema,
  bearerTokenAttrs,
  httpClientBlocks,
  TLS_ATTRS,
  tlsClientOptions,
  tlsConfigSchema,
  tlsConfigSchemaOf,
  validateHttpAuth,
  validateTlsConfig,
} from './http-options.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'http-options-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

/** Decode an Alloy snippet against a schema, as the runtime does for a component block. */
function decode(src: string, schema: BlockSchema): Record<string, any> {
  const f = parse(src, 'test.alloy');
  return decodeBlock(f.body, schema, { lookup: () => undefined }, { file: 'test.alloy', line: 1, col: 1 });
}

const client: BlockSchema = { attrs: { ...bearerTokenAttrs }, blocks: httpClientBlocks() };

describe('schemas', () => {
  test('tls_config has Alloy names; insecure_skip_verify defaults to false; key_pem is a secret', () => {
    expect(Object.keys(tlsConfigSchema.attrs ?? {})).toEqual([...TLS_ATTRS]);
    const d = decode('tls_config { key_pem = "k" \n cert_pem = "c" }', client);
    expect(d.tls_config.insecure_skip_verify).toBe(false);
    expect(d.tls_config.key_pem).toBeInstanceOf(Secret);
    expect(d.tls_config.key_pem.reveal()).toBe('k');
  });

  test('a narrowed tls_config rejects attributes it does not offer', () => {
    const narrow = { blocks: { tls_config: { schema: tlsConfigSchemaOf(['ca_file', 'insecure_skip_verify']) } } };
    expect(decode('tls_config { ca_file = "/x" }', narrow).tls_config).toEqual({ ca_file: '/x', insecure_skip_verify: false });
    expect(() => decode('tls_config { min_version = "TLS12" }', narrow)).toThrow(/unrecognized attribute name "min_version"/);
  });

  test('authorization type defaults to Bearer; secrets decode as Secret', () => {
    const d = decode('authorization { credentials = "c" }', client);
    expect(d.authorization.type).toBe('Bearer');
    expect(d.authorization.credentials).toBeInstanceOf(Secret);
    expect(Object.keys(basicAuthSchema.attrs ?? {})).toEqual(['username', 'password', 'password_file']);
    expect(Object.keys(authorizationSchema.attrs ?? {})).toEqual(['type', 'credentials', 'credentials_file']);
  });

  test('block validation runs at decode time with the block position', () => {
    expect(() => decode('tls_config {\n ca_pem = "a"\n ca_file = "/b"\n}', client)).toThrow(/tls_config: at most one of 'ca_file' and 'ca_pem' may be set/);
    expect(() => decode('basic_auth {\n password = "a"\n password_file = "/b"\n}', client)).toThrow(/'password' and 'password_file'/);
    expect(() => decode('authorization {\n credentials = "a"\n credentials_file = "/b"\n}', client)).toThrow(/'credentials' and 'credentials_file'/);
  });
});

describe('validateTlsConfig', () => {
  test.each([
    [{ cert_pem: 'a', cert_file: '/b', key_file: '/k' }, /at most one of 'cert_file' and 'cert_pem'/],
    [{ key_pem: new Secret('a'), key_file: '/b', cert_file: '/c' }, /at most one of 'key_file' and 'key_pem'/],
    [{ cert_file: '/c' }, /'cert_file' and one of 'key_pem', 'key_file' must be set together/],
    [{ key_pem: new Secret('k') }, /'key_pem' and one of 'cert_pem', 'cert_file' must be set together/],
    [{ min_version: 'TLS14' }, /unknown min_version "TLS14" \(want one of TLS10, TLS11, TLS12, TLS13\)/],
  ])('%j is rejected', (cfg, re) => {
    expect(() => validateTlsConfig(cfg)).toThrow(re);
  });

  test('messages name only the attributes the surface offers', () => {
    expect(() => validateTlsConfig({ cert_file: '/c' }, ['cert_file', 'key_file'])).toThrow("tls_config: 'cert_file' and 'key_file' must be set together");
  });

  test('empty strings count as unset; a full valid block passes', () => {
    expect(() => validateTlsConfig({ ca_pem: '', ca_file: '/a' })).not.toThrow();
    expect(() => validateTlsConfig({ ca_file: '/a', cert_pem: 'c', key_file: '/k', server_name: 's', min_version: 'TLS13' })).not.toThrow();
    expect(() => validateTlsConfig(undefined)).not.toThrow();
  });
});

describe('validateHttpAuth', () => {
  test('names exactly the settings in conflict', () => {
    expect(() => validateHttpAuth({ bearer_token: 'a', bearer_token_file: '/t' })).toThrow("at most one of 'bearer_token' and 'bearer_token_file' may be set");
    expect(() => validateHttpAuth({ bearer_token: 'a', basic_auth: {}, authorization: {} })).toThrow(
      "at most one of 'bearer_token', 'basic_auth' and 'authorization' may be set",
    );
  });

  test('checks the nested blocks and refuses a Basic authorization type', () => {
    expect(() => validateHttpAuth({ basic_auth: { password: 'a', password_file: '/p' } })).toThrow(/basic_auth: at most one/);
    expect(() => validateHttpAuth({ authorization: { type: ' basic ', credentials: 'x' } })).toThrow(/use the basic_auth block/);
    expect(() => validateHttpAuth({ authorization: { type: 'Bearer', credentials: 'x' } })).not.toThrow();
    expect(() => validateHttpAuth({})).not.toThrow();
  });
});

describe('tlsClientOptions', () => {
  test('without tls_config: verify certificates, nothing else', () => {
    expect(tlsClientOptions(undefined)).toEqual({ rejectUnauthorized: true });
  });

  test('inline PEMs, a Secret key, server name, insecure flag and min_version map to Node options', () => {
    const o = tlsClientOptions({ ca_pem: 'CA', cert_pem: 'CERT', key_pem: new Secret('KEY'), server_name: 'kubelet', insecure_skip_verify: true, min_version: 'TLS13' });
    expect(o).toEqual({ ca: 'CA', cert: 'CERT', key: 'KEY', servername: 'kubelet', rejectUnauthorized: false, minVersion: 'TLSv1.3' });
  });

  test('files are read on every call, so rotated files are picked up', () => {
    const ca = file('ca.pem', 'CA-1');
    const cert = file('cert.pem', 'CERT-1');
    const key = file('key.pem', 'KEY-1');
    const cfg = { ca_file: ca, cert_file: cert, key_file: key };
    expect(tlsClientOptions(cfg)).toMatchObject({ ca: 'CA-1', cert: 'CERT-1', key: 'KEY-1' });
    fs.writeFileSync(ca, 'CA-2');
    fs.writeFileSync(key, 'KEY-2');
    expect(tlsClientOptions(cfg)).toMatchObject({ ca: 'CA-2', cert: 'CERT-1', key: 'KEY-2' });
  });

  test('an unreadable file names the attribute, the path and the cause', () => {
    const missing = path.join(dir, 'nope.pem');
    expect(() => tlsClientOptions({ ca_file: missing }, 'endpoint 1: tls_config')).toThrow(`endpoint 1: tls_config.ca_file ${missing}: cannot read: ENOENT`);
  });
});

describe('authorizationHeader', () => {
  test('no credentials: no header', async () => {
    expect(await authorizationHeader({})).toBeUndefined();
  });

  test('basic_auth with inline password or a password file (trimmed, re-read)', async () => {
    expect(await authorizationHeader({ basic_auth: { username: 'u', password: new Secret('p') } })).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    const pw = file('pw', 'one\n');
    const a = { basic_auth: { username: 'u', password_file: pw } };
    expect(await authorizationHeader(a)).toBe(`Basic ${Buffer.from('u:one').toString('base64')}`);
    fs.writeFileSync(pw, 'two');
    expect(await authorizationHeader(a)).toBe(`Basic ${Buffer.from('u:two').toString('base64')}`);
  });

  test('authorization uses its type (Bearer when empty) and re-reads credentials_file', async () => {
    expect(await authorizationHeader({ authorization: { type: 'Token', credentials: 'abc' } })).toBe('Token abc');
    const cf = file('cred', 'c1\n');
    const a = { authorization: { credentials_file: cf } };
    expect(await authorizationHeader(a)).toBe('Bearer c1');
    fs.writeFileSync(cf, 'c2\n');
    expect(await authorizationHeader(a)).toBe('Bearer c2');
  });

  test('bearer_token and a re-read bearer_token_file', async () => {
    expect(await authorizationHeader({ bearer_token: new Secret('tok') })).toBe('Bearer tok');
    const tf = file('token', 't1\n');
    expect(await authorizationHeader({ bearer_token_file: tf })).toBe('Bearer t1');
    fs.writeFileSync(tf, 't2');
    expect(await authorizationHeader({ bearer_token_file: tf })).toBe('Bearer t2');
  });

  test('an unreadable credential file is an error naming it', async () => {
    const missing = path.join(dir, 'gone');
    await expect(authorizationHeader({ bearer_token_file: missing })).rejects.toThrow(`bearer_token_file ${missing}: cannot read: ENOENT`);
    await expect(authorizationHeader({ basic_auth: { password_file: missing } })).rejects.toThrow(`basic_auth.password_file ${missing}`);
  });
});
