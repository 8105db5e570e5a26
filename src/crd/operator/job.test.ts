// Worker settings of a monitor endpoint resolved from Secrets and ConfigMaps:
// bearer token, authorization, basic auth, OAuth2, TLS material; missing
// references and still-loading namespaces.
import { targetDefaults, wireConfig } from '../../scrape/wire.js';
import { buildJob, type JobOptions } from './job.js';
import { parseMonitor } from './monitor.js';
import { PendingError, type RefStore } from './secrets.js';

const OPTS: JobOptions = { role: 'endpoints', scrape: { intervalMs: 30_000, timeoutMs: 10_000, sampleLimit: 500 }, extraRules: [], allowFileAccess: false };

/** A RefStore over fixed objects; namespace "loading" is still syncing. */
function refs(objs: Record<string, Record<string, string>>): RefStore {
  return {
    value(kind: string, ns: string, ref: { name: string; key: string; optional: boolean }) {
      if (ns === 'loading') throw new PendingError('waiting');
      const o = objs[`${kind}/${ns}/${ref.name}`];
      if (!o) {
        if (ref.optional) return undefined;
        throw new Error(`${kind} ${ns}/${ref.name} not found`);
      }
      return o[ref.key];
    },
  } as unknown as RefStore;
}

const sm = (ns: string, endpoint: object, spec: object = {}) => parseMonitor('ServiceMonitor', { metadata: { name: 'm', namespace: ns }, spec: { selector: {}, endpoints: [endpoint], ...spec } });

test('TLS from a ConfigMap CA, a Secret cert and key; authorization credentials; limits and defaults', () => {
  const store = refs({
    'ConfigMap/a/ca': { 'ca.crt': 'CA-PEM' },
    'Secret/a/client': { 'tls.crt': 'CERT-PEM', 'tls.key': 'KEY-PEM' },
    'Secret/a/auth': { token: 's3cret' },
  });
  const m = sm(
    'a',
    {
      port: 'https',
      scheme: 'HTTPS',
      authorization: { type: 'Token', credentials: { name: 'auth', key: 'token' } },
      tlsConfig: {
        ca: { configMap: { name: 'ca', key: 'ca.crt' } },
        cert: { secret: { name: 'client', key: 'tls.crt' } },
        keySecret: { name: 'client', key: 'tls.key' },
        serverName: 'svc.a',
      },
      followRedirects: false,
    },
    { labelLimit: 30, targetLimit: 4 },
  );
  const job = buildJob(m, m.endpoints[0], OPTS, store);
  expect(targetDefaults(job.scrape)).toMatchObject({ jobName: 'serviceMonitor/a/m/0', scheme: 'https', intervalMs: 30_000, timeoutMs: 10_000 });
  expect(wireConfig(job.scrape).http).toMatchObject({ followRedirects: false });
  expect(wireConfig(job.scrape).http.client).toEqual({
    authorization: { type: 'Token', credentials: 's3cret' },
    tls_config: { ca_pem: 'CA-PEM', cert_pem: 'CERT-PEM', key_pem: 'KEY-PEM', server_name: 'svc.a', insecure_skip_verify: false },
  });
  expect(wireConfig(job.scrape)).toMatchObject({ sampleLimit: 500, labelLimit: 30 });
  expect(job.scrape.limits.target).toBe(4);
});

test('basic auth from Secrets; missing Secret and missing key name the field; pending namespaces are PendingError', () => {
  const store = refs({ 'Secret/a/basic': { user: 'u', pass: 'p' } });
  const m = sm('a', { port: 'x', basicAuth: { username: { name: 'basic', key: 'user' }, password: { name: 'basic', key: 'pass' } } });
  expect(wireConfig(buildJob(m, m.endpoints[0], OPTS, store).scrape).http.client).toEqual({ basic_auth: { username: 'u', password: 'p' } });
  const missing = sm('a', { port: 'x', bearerTokenSecret: { name: 'nope', key: 't' } });
  expect(() => buildJob(missing, missing.endpoints[0], OPTS, store)).toThrow('spec.endpoints[0].bearerTokenSecret: Secret a/nope not found');
  const loading = sm('loading', { port: 'x', bearerTokenSecret: { name: 'nope', key: 't' } });
  expect(() => buildJob(loading, loading.endpoints[0], OPTS, store)).toThrow(PendingError);
});

test('ProxyConfig maps to the client block: proxyUrl, noProxy, proxyFromEnvironment, proxyConnectHeader from Secrets', () => {
  const store = refs({ 'Secret/a/proxy': { token: 't1' } });
  const proxied = sm('a', { port: 'x', proxyUrl: 'http://proxy:3128', noProxy: '10.0.0.0/8', proxyConnectHeader: { 'X-Proxy-Token': [{ name: 'proxy', key: 'token' }] } });
  expect(wireConfig(buildJob(proxied, proxied.endpoints[0], OPTS, store).scrape).http.client).toEqual({
    proxy_url: 'http://proxy:3128',
    no_proxy: '10.0.0.0/8',
    proxy_connect_header: { 'X-Proxy-Token': ['t1'] },
  });
  const env = sm('a', { port: 'x', proxyFromEnvironment: true });
  expect(wireConfig(buildJob(env, env.endpoints[0], OPTS, store).scrape).http.client).toEqual({ proxy_from_environment: true });
  const both = sm('a', { port: 'x', proxyUrl: 'http://proxy:3128', proxyFromEnvironment: true });
  expect(() => buildJob(both, both.endpoints[0], OPTS, store)).toThrow(/spec\.endpoints\[0\]: .*proxy_from_environment/);
  const missing = sm('a', { port: 'x', proxyUrl: 'http://proxy:3128', proxyConnectHeader: { 'X-T': [{ name: 'gone', key: 'k' }] } });
  expect(() => buildJob(missing, missing.endpoints[0], OPTS, store)).toThrow('spec.endpoints[0].proxyConnectHeader.X-T[0]: Secret a/gone not found');
});

test('unsupported settings are refused with a reason, not ignored', () => {
  const store = refs({});
  expect(() => sm('a', { port: 'x', basicAuth: {}, authorization: {} })).toThrow(/^spec\.endpoints\[0\]: at most one of/);
});

test('oauth2: client id from a ConfigMap or Secret, secret from a Secret, token URL, scopes, endpoint params, token TLS', () => {
  const store = refs({ 'ConfigMap/a/oauth': { id: 'my-client' }, 'Secret/a/oauth': { id: 'secret-client', secret: 'p@ss', ca: 'CA-PEM' } });
  const base = { tokenUrl: 'https://auth.a/token', clientSecret: { name: 'oauth', key: 'secret' } };
  const m = sm('a', {
    port: 'x',
    oauth2: { ...base, clientId: { configMap: { name: 'oauth', key: 'id' } }, scopes: ['metrics', 'read'], endpointParams: { audience: 'prom' }, tlsConfig: { ca: { secret: { name: 'oauth', key: 'ca' } } } },
  });
  expect(wireConfig(buildJob(m, m.endpoints[0], OPTS, store).scrape).http.client).toEqual({
    oauth2: {
      client_id: 'my-client',
      client_secret: 'p@ss',
      token_url: 'https://auth.a/token',
      scopes: ['metrics', 'read'],
      endpoint_params: { audience: 'prom' },
      tls_config: { ca_pem: 'CA-PEM', insecure_skip_verify: false },
    },
  });
  const fromSecret = sm('a', { port: 'x', oauth2: { ...base, clientId: { secret: { name: 'oauth', key: 'id' } } } });
  expect(wireConfig(buildJob(fromSecret, fromSecret.endpoints[0], OPTS, store).scrape).http.client.oauth2).toMatchObject({ client_id: 'secret-client', client_secret: 'p@ss' });
});

test('oauth2: missing references, bad token URLs and proxies name the field', () => {
  const store = refs({ 'Secret/a/oauth': { id: 'c', secret: 's' } });
  const ep = (o2: object) => sm('a', { port: 'x', oauth2: { clientId: { secret: { name: 'oauth', key: 'id' } }, clientSecret: { name: 'oauth', key: 'secret' }, tokenUrl: 'http://auth/token', ...o2 } });
  const build = (m: ReturnType<typeof sm>) => () => buildJob(m, m.endpoints[0], OPTS, store);
  expect(build(ep({ clientSecret: { name: 'gone', key: 'secret' } }))).toThrow('spec.endpoints[0].oauth2.clientSecret: Secret a/gone not found');
  expect(build(ep({ clientId: { configMap: { name: 'gone', key: 'id' } } }))).toThrow('spec.endpoints[0].oauth2.clientId.configMap: ConfigMap a/gone not found');
  expect(build(ep({ tokenUrl: 'not a url' }))).toThrow('spec.endpoints[0].oauth2.tokenUrl: "not a url" is not a valid URL');
  expect(build(ep({ tokenUrl: 'ftp://auth/token' }))).toThrow(/spec\.endpoints\[0\]\.oauth2: token_url must be http or https/);
  const viaProxy = ep({ proxyUrl: 'http://proxy:3128' });
  expect(wireConfig(buildJob(viaProxy, viaProxy.endpoints[0], OPTS, store).scrape).http.client.oauth2).toMatchObject({ proxy_url: 'http://proxy:3128' });
  expect(build(ep({ clientId: { secret: { name: 'gone', key: 'id', optional: true } } }))).toThrow('spec.endpoints[0].oauth2: clientId resolved to an empty value');
  expect(() => ep({ tokenUrl: '' })).toThrow(/oauth2\.tokenUrl: is required/);
  expect(() => sm('a', { port: 'x', oauth2: { tokenUrl: 'http://t', clientId: { secret: { name: 'o', key: 'i' } }, clientSecret: { name: 'o', key: 's' } }, authorization: {} })).toThrow(/at most one of/);
  const loading = sm('loading', { port: 'x', oauth2: { clientId: { secret: { name: 'oauth', key: 'id' } }, clientSecret: { name: 'oauth', key: 'secret' }, tokenUrl: 'http://auth/token' } });
  expect(() => buildJob(loading, loading.endpoints[0], OPTS, store)).toThrow(PendingError);
});

test('tlsConfig.minVersion and maxVersion become min_version and max_version (oauth2 too); enableHttp2: true is noted, not claimed', () => {
  const m = sm('a', { port: 'x', enableHttp2: true, tlsConfig: { minVersion: 'TLS12', maxVersion: 'TLS13', serverName: 's' } });
  const job = buildJob(m, m.endpoints[0], OPTS, refs({}));
  expect(wireConfig(job.scrape).http.client.tls_config).toEqual({ server_name: 's', insecure_skip_verify: false, min_version: 'TLS12', max_version: 'TLS13' });
  expect(job.notes).toEqual(["spec.endpoints[0].enableHttp2 is true, but this collector's scrape client speaks HTTP/1.1 only: scrapes use HTTP/1.1"]);
  const off = sm('a', { port: 'x', enableHttp2: false, tlsConfig: { maxVersion: 'TLS12' } });
  const offJob = buildJob(off, off.endpoints[0], OPTS, refs({}));
  expect(offJob.notes).toEqual([]);
  expect(offJob.scrape.enableHttp2).toBe(false);
  expect(wireConfig(offJob.scrape).http.client.tls_config).toEqual({ insecure_skip_verify: false, max_version: 'TLS12' });
  const store = refs({ 'Secret/a/oauth': { id: 'c', secret: 's' } });
  const o2 = sm('a', { port: 'x', oauth2: { clientId: { secret: { name: 'oauth', key: 'id' } }, clientSecret: { name: 'oauth', key: 'secret' }, tokenUrl: 'https://auth/token', tlsConfig: { maxVersion: 'TLS12' } } });
  expect(wireConfig(buildJob(o2, o2.endpoints[0], OPTS, store).scrape).http.client.oauth2!.tls_config).toEqual({ insecure_skip_verify: false, max_version: 'TLS12' });
  expect(() => sm('a', { port: 'x', tlsConfig: { minVersion: 'TLS13', maxVersion: 'TLS12' } })).toThrow('spec.endpoints[0].tlsConfig: maxVersion (TLS12) must be more than or equal to minVersion (TLS13)');
  const bad = sm('a', { port: 'x', tlsConfig: { minVersion: 'TLS9' } });
  expect(() => buildJob(bad, bad.endpoints[0], OPTS, refs({}))).toThrow(/unknown min_version "TLS9"/);
});

test('v1 limit and protocol fields reach the scrape loop; serviceDiscoveryRole picks the discovery role', () => {
  const m = sm(
    'a',
    { port: 'metrics', trackTimestampsStaleness: true },
    {
      labelNameLengthLimit: 40,
      labelValueLengthLimit: 200,
      bodySizeLimit: '2MiB',
      scrapeProtocols: ['PrometheusText0.0.4', 'OpenMetricsText1.0.0'],
      serviceDiscoveryRole: 'EndpointSlice',
    },
  );
  const job = buildJob(m, m.endpoints[0], OPTS, refs({}));
  const w = wireConfig(job.scrape);
  expect(w).toMatchObject({ labelNameLengthLimit: 40, labelValueLengthLimit: 200, trackTimestampsStaleness: true });
  expect(w.http.bodySizeLimit).toBe(2 * 1024 * 1024);
  // The Accept header lists the CR's protocols in its order, the first preferred.
  const accept = w.http.accept.split(',');
  expect(accept[0]).toMatch(/^text\/plain;version=0\.0\.4/);
  expect(accept[1]).toMatch(/^application\/openmetrics-text;version=1\.0\.0/);
  expect(job.role).toBe('endpointslice');
  // Without the field the component's kubernetes_role decides; PodMonitors always use the pod role.
  const plain = sm('a', { port: 'metrics' });
  expect(buildJob(plain, plain.endpoints[0], OPTS, refs({})).role).toBe('endpoints');
  expect(wireConfig(buildJob(plain, plain.endpoints[0], OPTS, refs({})).scrape).trackTimestampsStaleness).toBeFalsy();
  // Bad values refuse the CR with the field named.
  expect(() => sm('a', { port: 'metrics' }, { serviceDiscoveryRole: 'Pods' })).toThrow('spec.serviceDiscoveryRole: must be Endpoints or EndpointSlice, got "Pods"');
  const badProto = sm('a', { port: 'metrics' }, { scrapeProtocols: ['Gopher'] });
  expect(() => buildJob(badProto, badProto.endpoints[0], OPTS, refs({}))).toThrow(/spec\.scrapeProtocols/);
  const badBody = sm('a', { port: 'metrics' }, { bodySizeLimit: 'lots' });
  expect(() => buildJob(badBody, badBody.endpoints[0], OPTS, refs({}))).toThrow(/spec\.bodySizeLimit/);
});
