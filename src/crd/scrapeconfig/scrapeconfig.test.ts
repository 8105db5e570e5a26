// ScrapeConfig -> scrape job and target sources; the target group format
// of HTTP and file SD; refusals naming the field.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JobOptions } from '../operator/job.js';
import type { RefStore } from '../operator/secrets.js';
import { expandFilePattern, parseTargetGroups } from './polled-sd.js';
import { scrapeConfigJobs } from './scrapeconfig.js';

const OPTS: JobOptions = { role: 'endpoints', scrape: {}, extraRules: [], allowFileAccess: false };
const refs = { value: () => 'v' } as unknown as RefStore;
const sc = (spec: object) => ({ metadata: { name: 'c', namespace: 'ns1' }, spec });

test('sources of every supported kind, with the operator job name and the CR settings', () => {
  const [job] = scrapeConfigJobs(
    sc({
      jobName: 'mine',
      metricsPath: '/m',
      scheme: 'HTTPS',
      scrapeInterval: '15s',
      scrapeTimeout: '5s',
      params: { a: ['1'] },
      honorLabels: true,
      staticConfigs: [{ targets: ['h:1', 'h:2'], labels: { l: 'v' } }],
      httpSDConfigs: [{ url: 'http://127.0.0.1:9/sd', refreshInterval: '30s' }],
      kubernetesSDConfigs: [{ role: 'EndpointSlice', namespaces: { names: ['x'], ownNamespace: true }, selectors: [{ role: 'Pod', label: 'app=a' }], attachMetadata: { node: true } }, { role: 'Node' }],
    }),
    OPTS,
    refs,
  );
  expect(job.name).toBe('scrapeConfig/ns1/c');
  expect(job.scrape).toMatchObject({ metricsPath: '/m', scheme: 'https', intervalMs: 15_000, timeoutMs: 5000, params: { a: ['1'] }, honorLabels: true });
  expect(job.sources).toEqual([
    { kind: 'static', targets: [{ l: 'v', __address__: 'h:1' }, { l: 'v', __address__: 'h:2' }] },
    { kind: 'http', url: 'http://127.0.0.1:9/sd', refreshMs: 30_000, client: {}, where: 'spec.httpSDConfigs[0]' },
    { kind: 'kubernetes', role: 'endpointslice', namespaces: ['x', 'ns1'], attachNode: true, selectors: [{ role: 'pod', label: 'app=a', field: undefined }] },
    { kind: 'kubernetes', role: 'node', namespaces: undefined, attachNode: false, selectors: undefined },
  ]);
});

test('file SD needs allow_arbitrary_file_access; unsupported discovery and other API servers are refused', () => {
  const file = sc({ fileSDConfigs: [{ files: ['/etc/t/*.json'] }] });
  expect(() => scrapeConfigJobs(file, OPTS, refs)).toThrow(/spec\.fileSDConfigs\[0\]\.files\[0\] references a file on the collector/);
  expect(scrapeConfigJobs(file, { ...OPTS, allowFileAccess: true }, refs)[0].sources).toEqual([{ kind: 'file', files: ['/etc/t/*.json'], refreshMs: 300_000, where: 'spec.fileSDConfigs[0]' }]);
  expect(() => scrapeConfigJobs(sc({ dnsSDConfigs: [{ names: ['x'] }] }), OPTS, refs)).toThrow(/spec\.dnsSDConfigs: this discovery mechanism is not supported/);
  expect(() => scrapeConfigJobs(sc({ kubernetesSDConfigs: [{ role: 'Pod', apiServer: 'https://other' }] }), OPTS, refs)).toThrow(/spec\.kubernetesSDConfigs\[0\]\.apiServer: not supported/);
  expect(() => scrapeConfigJobs(sc({ kubernetesSDConfigs: [{ role: 'Thing' }] }), OPTS, refs)).toThrow(/spec\.kubernetesSDConfigs\[0\]\.role: must be one of/);
  expect(() => scrapeConfigJobs(sc({ httpSDConfigs: [{ url: 'ftp://x' }] }), OPTS, refs)).toThrow(/spec\.httpSDConfigs\[0\]\.url/);
  expect(() => scrapeConfigJobs(sc({ relabelings: [{ action: 'keep', regex: '(' }] }), OPTS, refs)).toThrow(/spec\.relabelings/);
  expect(() => scrapeConfigJobs(sc({ scrapeInterval: '1x' }), OPTS, refs)).toThrow(/spec\.scrapeInterval/);
});

test('target groups: labels per group, the source meta label, bad shapes named', () => {
  expect(parseTargetGroups([{ targets: ['a:1'], labels: { x: 'y' } }, { targets: ['b:2'] }], 'u', { __meta_url: 'u' })).toEqual([
    { x: 'y', __meta_url: 'u', __address__: 'a:1' },
    { __meta_url: 'u', __address__: 'b:2' },
  ]);
  expect(() => parseTargetGroups({}, 'u', {})).toThrow('u: expected a list of target groups');
  expect(() => parseTargetGroups([{ targets: [1] }], 'u', {})).toThrow('u: group 0: a target must be a non-empty string');
  expect(() => parseTargetGroups([{ targets: ['a'], labels: { x: 1 } }], 'u', {})).toThrow('u: group 0: label x must be a string');
});

test('file patterns: a * in the last element', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-'));
  for (const f of ['a.json', 'b.json', 'c.yaml']) fs.writeFileSync(path.join(dir, f), '[]');
  expect(expandFilePattern(path.join(dir, '*.json'))).toEqual([path.join(dir, 'a.json'), path.join(dir, 'b.json')]);
  expect(expandFilePattern(path.join(dir, 'c.yaml'))).toEqual([path.join(dir, 'c.yaml')]);
  expect(expandFilePattern(path.join(dir, 'none.yaml'))).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('enableHTTP2: true is noted (HTTP/1.1 is used), false or unset is not; tlsConfig.maxVersion reaches the client', () => {
  const [on] = scrapeConfigJobs(sc({ enableHTTP2: true, staticConfigs: [{ targets: ['h:1'] }], tlsConfig: { maxVersion: 'TLS12' } }), OPTS, refs);
  expect(on.notes).toEqual(["spec.enableHTTP2 is true, but this collector's scrape client speaks HTTP/1.1 only: scrapes use HTTP/1.1"]);
  expect(on.scrape.client.tls_config).toMatchObject({ max_version: 'TLS12' });
  const [off] = scrapeConfigJobs(sc({ enableHTTP2: false, staticConfigs: [{ targets: ['h:1'] }] }), OPTS, refs);
  expect(off.notes).toEqual([]);
  expect(off.scrape.enableHttp2).toBe(false);
  expect(() => scrapeConfigJobs(sc({ tlsConfig: { minVersion: 'TLS13', maxVersion: 'TLS12' } }), OPTS, refs)).toThrow('spec.tlsConfig: maxVersion (TLS12) must be more than or equal to minVersion (TLS13)');
});
