import { kubeletArgsSchema, podsURL, validateKubeletArgs } from './arguments.js';

test('podsURL appends /pods to the base path (kubelet or API server node proxy)', () => {
  expect(podsURL('https://localhost:10250').href).toBe('https://localhost:10250/pods');
  expect(podsURL('https://10.0.0.1:10250/').href).toBe('https://10.0.0.1:10250/pods');
  expect(podsURL('https://kubernetes.default.svc:443/api/v1/nodes/node-1/proxy').href).toBe('https://kubernetes.default.svc/api/v1/nodes/node-1/proxy/pods');
});

test.each([
  [{ url: 'not a url' }, /url "not a url" is not a valid URL/],
  [{ url: 'ftp://x:1' }, /scheme must be http or https, not ftp/],
  [{ url: 'https://x:1/?a=b' }, /must not carry a query/],
  [{ bearer_token: 'a', bearer_token_file: '/t' }, /at most one of 'bearer_token' and 'bearer_token_file'/],
  [{ refresh_interval: 0 }, /refresh_interval must be positive/],
  [{ tls_config: { ca_file: '/a', ca_pem: 'b' } }, /tls_config: at most one of 'ca_file' and 'ca_pem'/],
  [{ tls_config: { cert_file: '/a' } }, /'cert_file' and one of 'key_pem', 'key_file' must be set together/],
  [{ tls_config: { cert_pem: 'C', key_pem: 'K', min_version: 'TLS9' } }, /unknown min_version "TLS9"/],
  [{ namespaces: [''] }, /namespaces: "" is not a namespace name/],
  [{ bearer_token_file: '/t', authorization: { credentials: 'c' } }, /at most one of 'bearer_token_file' and 'authorization' may be set/],
  [{ basic_auth: { username: 'u' }, authorization: { credentials: 'c' } }, /at most one of 'basic_auth' and 'authorization' may be set/],
  [{ authorization: { credentials: 'c', credentials_file: '/f' } }, /authorization: at most one of 'credentials' and 'credentials_file'/],
  [{ authorization: { type: 'Basic', credentials: 'c' } }, /authorization: type cannot be "Basic", use the basic_auth block instead/],
  [{ basic_auth: { username: 'u', password: 'p', password_file: '/f' } }, /basic_auth: at most one of 'password' and 'password_file'/],
])('rejects %j', (args, re) => {
  expect(() => validateKubeletArgs(args)).toThrow(re);
});

test('accepts the defaults and a full config', () => {
  expect(() => validateKubeletArgs({})).not.toThrow();
  expect(() =>
    validateKubeletArgs({ url: 'http://127.0.0.1:10255', bearer_token_file: '/t', refresh_interval: 1000, namespaces: ['a'], tls_config: { ca_pem: 'x', cert_file: 'c', key_file: 'k', server_name: 'n' } }),
  ).not.toThrow();
  expect(() => validateKubeletArgs({ authorization: { type: 'Bearer', credentials_file: '/t' } })).not.toThrow();
  expect(() => validateKubeletArgs({ basic_auth: { username: 'u', password_file: '/p' } })).not.toThrow();
});

test('the schema offers Alloy\'s authorization, basic_auth and oauth2 blocks next to tls_config', () => {
  expect(Object.keys(kubeletArgsSchema.blocks ?? {}).sort()).toEqual(['authorization', 'basic_auth', 'oauth2', 'tls_config']);
  expect(Object.keys(kubeletArgsSchema.blocks!.authorization.schema.attrs ?? {}).sort()).toEqual(['credentials', 'credentials_file', 'type']);
  expect(kubeletArgsSchema.blocks!.authorization.schema.attrs!.type.default).toBe('Bearer');
  expect(Object.keys(kubeletArgsSchema.blocks!.basic_auth.schema.attrs ?? {}).sort()).toEqual(['password', 'password_file', 'username']);
});
