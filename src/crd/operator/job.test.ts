// Worker settings of a monitor endpoint resolved from Secrets and ConfigMaps:
// bearer token, authorization, basic auth, TLS material; missing references
// and still-loading namespaces.
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
  expect(job.defaults).toMatchObject({ jobName: 'serviceMonitor/a/m/0', scheme: 'https', intervalMs: 30_000, timeoutMs: 10_000 });
  expect(job.wire.http).toMatchObject({
    followRedirects: false,
    authorization: { type: 'Token', credentials: 's3cret' },
    tls: { ca: 'CA-PEM', cert: 'CERT-PEM', key: 'KEY-PEM', serverName: 'svc.a', insecureSkipVerify: false },
  });
  expect(job.wire).toMatchObject({ sampleLimit: 500, labelLimit: 30 });
  expect(job.targetLimit).toBe(4);
});

test('basic auth from Secrets; missing Secret and missing key name the field; pending namespaces are PendingError', () => {
  const store = refs({ 'Secret/a/basic': { user: 'u', pass: 'p' } });
  const m = sm('a', { port: 'x', basicAuth: { username: { name: 'basic', key: 'user' }, password: { name: 'basic', key: 'pass' } } });
  expect(buildJob(m, m.endpoints[0], OPTS, store).wire.http.basicAuth).toEqual({ username: 'u', password: 'p' });
  const missing = sm('a', { port: 'x', bearerTokenSecret: { name: 'nope', key: 't' } });
  expect(() => buildJob(missing, missing.endpoints[0], OPTS, store)).toThrow('spec.endpoints[0].bearerTokenSecret: Secret a/nope not found');
  const loading = sm('loading', { port: 'x', bearerTokenSecret: { name: 'nope', key: 't' } });
  expect(() => buildJob(loading, loading.endpoints[0], OPTS, store)).toThrow(PendingError);
});

test('unsupported settings are refused with a reason, not ignored', () => {
  const store = refs({});
  const proxy = sm('a', { port: 'x', proxyUrl: 'http://proxy:3128' });
  expect(() => buildJob(proxy, proxy.endpoints[0], OPTS, store)).toThrow(/proxyUrl: scraping through a proxy is not supported/);
  const both = sm('a', { port: 'x', basicAuth: {}, authorization: {} });
  expect(both.endpointErrors.get(0)).toMatch(/at most one of/);
});
