// ServiceMonitor / PodMonitor custom resources decoded into typed, checked
// values. Any problem, in the spec or in one endpoint, rejects the whole CR
// with its reason, as the operator's checkServiceMonitor/checkPodMonitor do
// (they stop at the first bad endpoint and select none of the CR).
import type { RawRule } from '../../relabel/index.js';
import type { LabelSelector, LabelSelectorRequirement } from '../selector.js';
import { validateSelector } from '../selector.js';
import { FieldError, Reader } from './reader.js';

export type MonitorKind = 'ServiceMonitor' | 'PodMonitor';

export interface KeyRef {
  name: string;
  key: string;
  optional: boolean;
}

export interface SecretOrConfigMapRef {
  secret?: KeyRef;
  configMap?: KeyRef;
}

export interface TlsSpec {
  ca?: SecretOrConfigMapRef;
  cert?: SecretOrConfigMapRef;
  keySecret?: KeyRef;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
  /** TLS10..TLS13. */
  minVersion?: string;
  /** TLS10..TLS13: the scrape client offers no version above it. */
  maxVersion?: string;
}

export interface OAuth2Spec {
  clientId: SecretOrConfigMapRef;
  clientSecret: KeyRef;
  tokenUrl: string;
  scopes: string[];
  endpointParams: Record<string, string>;
  /** TLS of the token request (the operator's SafeTLSConfig: references, no files). */
  tlsConfig?: TlsSpec;
  proxy?: ProxySpec;
}

/** The operator's ProxyConfig (endpoints and oauth2): proxyUrl, noProxy, proxyFromEnvironment, proxyConnectHeader. */
export interface ProxySpec {
  proxyUrl?: string;
  noProxy?: string;
  proxyFromEnvironment?: boolean;
  proxyConnectHeader?: Record<string, KeyRef[]>;
}

export interface EndpointSpec {
  index: number;
  port?: string;
  portNumber?: number;
  targetPort?: string | number;
  path?: string;
  scheme?: string;
  params?: Record<string, string[]>;
  interval?: string;
  scrapeTimeout?: string;
  honorLabels: boolean;
  honorTimestamps?: boolean;
  trackTimestampsStaleness?: boolean;
  bearerTokenFile?: string;
  bearerTokenSecret?: KeyRef;
  authorization?: { type: string; credentials?: KeyRef };
  basicAuth?: { username?: KeyRef; password?: KeyRef };
  oauth2?: OAuth2Spec;
  tlsConfig?: TlsSpec;
  relabelings: RawRule[];
  metricRelabelings: RawRule[];
  proxy?: ProxySpec;
  followRedirects?: boolean;
  enableHttp2?: boolean;
  filterRunning: boolean;
}

export interface MonitorSpec {
  kind: MonitorKind;
  namespace: string;
  name: string;
  uid: string;
  jobLabel?: string;
  targetLabels: string[];
  podTargetLabels: string[];
  selector: LabelSelector;
  /** undefined: any namespace. */
  namespaces: string[] | undefined;
  serviceDiscoveryRole?: 'endpoints' | 'endpointslice';
  /** attachMetadata.node; undefined when attachMetadata is absent (a scrape class may set it then). */
  attachNode?: boolean;
  /** RelabelConfig (default): the selector as keep/drop rules; RoleSelector: as discovery selectors. */
  selectorMechanism: 'RelabelConfig' | 'RoleSelector';
  /** spec.scrapeClass; undefined: the default scrape class, if any. */
  scrapeClass?: string;
  fallbackScrapeProtocol?: string;
  keepDroppedTargets?: number;
  /** The inlined NativeHistogramConfig. */
  nativeHistograms: {
    scrapeNativeHistograms?: boolean;
    scrapeClassicHistograms?: boolean;
    nativeHistogramBucketLimit?: number;
    nativeHistogramMinBucketFactor?: number;
    convertClassicHistogramsToNHCB?: boolean;
  };
  sampleLimit?: number;
  targetLimit?: number;
  labelLimit?: number;
  labelNameLengthLimit?: number;
  labelValueLengthLimit?: number;
  bodySizeLimit?: string;
  scrapeProtocols?: string[];
  endpoints: EndpointSpec[];
}

/** `ServiceMonitor/<ns>/<name>`: how every message names a CR. */
export function crName(kind: string, o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function proxyOf(r: Reader): ProxySpec | undefined {
  const p: ProxySpec = {};
  const url = r.str('proxyUrl');
  if (url) p.proxyUrl = url;
  const noProxy = r.str('noProxy');
  if (noProxy) p.noProxy = noProxy;
  if (r.bool('proxyFromEnvironment')) p.proxyFromEnvironment = true;
  const headers = r.obj('proxyConnectHeader');
  if (headers) {
    p.proxyConnectHeader = {};
    for (const name of Object.keys(headers.value)) p.proxyConnectHeader[name] = headers.objArray(name).map((x) => keyRef(x)!);
  }
  return Object.keys(p).length > 0 ? p : undefined;
}

function keyRef(r: Reader | undefined): KeyRef | undefined {
  if (!r) return undefined;
  const name = r.str('name') ?? '';
  const key = r.str('key');
  if (!key) throw new FieldError(`${r.path}.key`, 'is required');
  if (!name) throw new FieldError(`${r.path}.name`, 'is required');
  return { name, key, optional: r.bool('optional') ?? false };
}

function secretOrConfigMap(r: Reader | undefined): SecretOrConfigMapRef | undefined {
  if (!r) return undefined;
  const out = { secret: keyRef(r.obj('secret')), configMap: keyRef(r.obj('configMap')) };
  if (out.secret && out.configMap) throw new FieldError(r.path, 'at most one of secret and configMap may be set');
  return out.secret || out.configMap ? out : undefined;
}

function tlsOf(tls: Reader | undefined, files: boolean): TlsSpec | undefined {
  if (!tls) return undefined;
  const min = tls.str('minVersion');
  const max = tls.str('maxVersion');
  // As SafeTLSConfig.Validate: the versions compare as strings (TLS10 < TLS13).
  if (min && max && max < min) throw new FieldError(tls.path, `maxVersion (${max}) must be more than or equal to minVersion (${min})`);
  return {
    ca: secretOrConfigMap(tls.obj('ca')),
    cert: secretOrConfigMap(tls.obj('cert')),
    keySecret: keyRef(tls.obj('keySecret')),
    caFile: files ? tls.str('caFile') || undefined : undefined,
    certFile: files ? tls.str('certFile') || undefined : undefined,
    keyFile: files ? tls.str('keyFile') || undefined : undefined,
    serverName: tls.str('serverName') || undefined,
    insecureSkipVerify: tls.bool('insecureSkipVerify') ?? false,
    minVersion: tls.str('minVersion') || undefined,
    maxVersion: tls.str('maxVersion') || undefined,
  };
}

export function relabelings(r: Reader, key: string): RawRule[] {
  return r.objArray(key).map((c) => ({
    sourceLabels: c.has('sourceLabels') ? c.strArray('sourceLabels') : undefined,
    separator: c.str('separator'),
    regex: c.str('regex') || undefined,
    modulus: c.int('modulus') || undefined,
    targetLabel: c.str('targetLabel') || undefined,
    replacement: c.str('replacement'),
    action: c.str('action')?.toLowerCase() || undefined,
  }));
}

function paramsOf(r: Reader): Record<string, string[]> | undefined {
  const p = r.obj('params');
  if (!p) return undefined;
  const out: Record<string, string[]> = {};
  for (const k of Object.keys(p.value)) out[k] = p.strArray(k);
  return out;
}

function endpointOf(r: Reader, index: number, kind: MonitorKind): EndpointSpec {
  const scheme = r.str('scheme')?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') throw new FieldError(`${r.path}.scheme`, `must be http or https, got ${JSON.stringify(scheme)}`);
  const auth = r.obj('authorization');
  const basic = r.obj('basicAuth');
  const tls = r.obj('tlsConfig');
  const o2 = r.obj('oauth2');
  const ep: EndpointSpec = {
    index,
    port: r.str('port') || undefined,
    portNumber: kind === 'PodMonitor' ? r.int('portNumber', 1) : undefined,
    targetPort: r.intOrString('targetPort'),
    path: r.str('path') || undefined,
    scheme,
    params: paramsOf(r),
    interval: r.str('interval') || undefined,
    scrapeTimeout: r.str('scrapeTimeout') || undefined,
    honorLabels: r.bool('honorLabels') ?? false,
    honorTimestamps: r.bool('honorTimestamps'),
    trackTimestampsStaleness: r.bool('trackTimestampsStaleness'),
    bearerTokenFile: kind === 'ServiceMonitor' ? r.str('bearerTokenFile') || undefined : undefined,
    bearerTokenSecret: undefined,
    authorization: auth ? { type: auth.str('type') || 'Bearer', credentials: keyRef(auth.obj('credentials')) } : undefined,
    basicAuth: basic ? { username: keyRef(basic.obj('username')), password: keyRef(basic.obj('password')) } : undefined,
    oauth2: o2
      ? {
          clientId: secretOrConfigMap(o2.obj('clientId')) ?? {},
          clientSecret: keyRef(o2.obj('clientSecret'))!,
          tokenUrl: o2.str('tokenUrl') ?? '',
          scopes: o2.strArray('scopes'),
          endpointParams: o2.strMap('endpointParams'),
          tlsConfig: tlsOf(o2.obj('tlsConfig'), false),
          proxy: proxyOf(o2),
        }
      : undefined,
    tlsConfig: tlsOf(tls, true),
    relabelings: relabelings(r, 'relabelings'),
    metricRelabelings: relabelings(r, 'metricRelabelings'),
    proxy: proxyOf(r),
    followRedirects: r.bool('followRedirects'),
    enableHttp2: r.bool('enableHttp2'),
    filterRunning: r.bool('filterRunning') ?? true,
  };
  // The operator ignores a bearerTokenSecret with an empty name.
  const bts = r.obj('bearerTokenSecret');
  if (bts && bts.str('name')) ep.bearerTokenSecret = keyRef(bts);
  if (o2) {
    if (!ep.oauth2!.tokenUrl) throw new FieldError(`${o2.path}.tokenUrl`, 'is required');
    if (!ep.oauth2!.clientId.secret && !ep.oauth2!.clientId.configMap) throw new FieldError(`${o2.path}.clientId`, 'is required');
    if (!ep.oauth2!.clientSecret) throw new FieldError(`${o2.path}.clientSecret`, 'is required');
  }
  const auths = [ep.bearerTokenSecret || ep.bearerTokenFile, ep.authorization, ep.basicAuth, ep.oauth2].filter(Boolean).length;
  if (auths > 1) throw new FieldError(r.path, 'at most one of bearerTokenSecret/bearerTokenFile, authorization, basicAuth and oauth2 may be set');
  if (ep.authorization && ep.authorization.type.toLowerCase() === 'basic') throw new FieldError(`${auth!.path}.type`, 'authorization type "Basic" is not allowed, use basicAuth');
  return ep;
}

export function selectorOf(r: Reader | undefined): LabelSelector {
  if (!r) return {};
  const exprs: LabelSelectorRequirement[] = r.objArray('matchExpressions').map((e) => ({
    key: e.str('key') ?? '',
    operator: e.str('operator') ?? '',
    values: e.strArray('values'),
  }));
  const s: LabelSelector = { matchLabels: r.strMap('matchLabels'), matchExpressions: exprs };
  try {
    validateSelector(s);
  } catch (e) {
    throw new FieldError(r.path, (e as Error).message);
  }
  return s;
}

/** A resource.Quantity as JSON carries it: a number or a string such as "1.1" or "1100m". */
function quantity(r: Reader, key: string): number | undefined {
  const v = r.value[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const m = typeof v === 'string' ? /^([0-9]*\.?[0-9]+)(m)?$/.exec(v.trim()) : null;
  if (!m) throw new FieldError(r.path ? `${r.path}.${key}` : key, `expected a quantity such as "1.1", got ${JSON.stringify(v)}`);
  return Number(m[1]) / (m[2] ? 1000 : 1);
}

/** Decode a ServiceMonitor or PodMonitor; throws FieldError naming the first field that makes the CR unusable. */
export function parseMonitor(kind: MonitorKind, obj: unknown): MonitorSpec {
  const root = Reader.of(obj, '');
  const meta = root.obj('metadata') ?? Reader.of({}, 'metadata');
  const spec = Reader.of(root.value.spec, 'spec');
  const nsSel = spec.obj('namespaceSelector');
  const namespace = meta.str('namespace') ?? '';
  let namespaces: string[] | undefined = [namespace];
  if (nsSel?.bool('any')) namespaces = undefined;
  else if (nsSel && nsSel.strArray('matchNames').length > 0) namespaces = [...new Set(nsSel.strArray('matchNames'))];
  const role = spec.str('serviceDiscoveryRole');
  const mechanism = spec.str('selectorMechanism') ?? 'RelabelConfig';
  if (mechanism !== 'RelabelConfig' && mechanism !== 'RoleSelector') {
    throw new FieldError('spec.selectorMechanism', `must be RelabelConfig or RoleSelector, got ${JSON.stringify(mechanism)}`);
  }
  const attach = spec.obj('attachMetadata');
  if (role !== undefined && role !== 'Endpoints' && role !== 'EndpointSlice') {
    throw new FieldError('spec.serviceDiscoveryRole', `must be Endpoints or EndpointSlice, got ${JSON.stringify(role)}`);
  }
  const m: MonitorSpec = {
    kind,
    namespace,
    name: meta.str('name') ?? '',
    uid: meta.str('uid') ?? '',
    jobLabel: spec.str('jobLabel') || undefined,
    targetLabels: kind === 'ServiceMonitor' ? spec.strArray('targetLabels') : [],
    podTargetLabels: spec.strArray('podTargetLabels'),
    selector: selectorOf(spec.obj('selector')),
    namespaces,
    serviceDiscoveryRole: role === undefined ? undefined : role === 'Endpoints' ? 'endpoints' : 'endpointslice',
    attachNode: attach ? (attach.bool('node') ?? false) : undefined,
    selectorMechanism: mechanism,
    scrapeClass: spec.str('scrapeClass') || undefined,
    fallbackScrapeProtocol: spec.str('fallbackScrapeProtocol') || undefined,
    keepDroppedTargets: spec.int('keepDroppedTargets'),
    nativeHistograms: {
      scrapeNativeHistograms: spec.bool('scrapeNativeHistograms'),
      scrapeClassicHistograms: spec.bool('scrapeClassicHistograms'),
      nativeHistogramBucketLimit: spec.int('nativeHistogramBucketLimit'),
      nativeHistogramMinBucketFactor: quantity(spec, 'nativeHistogramMinBucketFactor'),
      convertClassicHistogramsToNHCB: spec.bool('convertClassicHistogramsToNHCB'),
    },
    sampleLimit: spec.int('sampleLimit'),
    targetLimit: spec.int('targetLimit'),
    labelLimit: spec.int('labelLimit'),
    labelNameLengthLimit: spec.int('labelNameLengthLimit'),
    labelValueLengthLimit: spec.int('labelValueLengthLimit'),
    bodySizeLimit: spec.str('bodySizeLimit') || undefined,
    scrapeProtocols: spec.has('scrapeProtocols') ? spec.strArray('scrapeProtocols') : undefined,
    endpoints: [],
  };
  const key = kind === 'ServiceMonitor' ? 'endpoints' : 'podMetricsEndpoints';
  // The first bad endpoint rejects the CR (its FieldError names the endpoint's index).
  spec.list(key).forEach((raw, i) => m.endpoints.push(endpointOf(Reader.of(raw, `spec.${key}[${i}]`), i, kind)));
  return m;
}
