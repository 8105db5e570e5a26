// Writes the CustomResourceDefinitions our operator-free components read as
// structural OpenAPI v3 schemas: the prometheus-operator's monitoring.coreos.com
// kinds (ServiceMonitor, PodMonitor, PrometheusRule, Probe, ScrapeConfig,
// AlertmanagerConfig), whose field list follows its documented API, and
// Grafana Alloy's PodLogs (monitoring.grafana.com/v1alpha2, read by
// loki.source.podlogs) with the fields of Alloy's CRD. Shared shapes (secret
// references, TLS, label selectors, relabel configs) are defined once here so
// the files agree.
//
//   node --import tsx manifests/crds/generate.ts      (rewrites the YAML files)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

type Schema = Record<string, unknown>;

const str = (description?: string, extra: Schema = {}): Schema => ({ type: 'string', ...(description ? { description } : {}), ...extra });
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
const int = (description?: string, extra: Schema = {}): Schema => ({ type: 'integer', format: 'int64', ...(description ? { description } : {}), ...extra });
const arr = (items: Schema, description?: string, extra: Schema = {}): Schema => ({ type: 'array', items, ...(description ? { description } : {}), ...extra });
const obj = (properties: Record<string, Schema>, description?: string, extra: Schema = {}): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
  ...extra,
});
const strMap = (description?: string): Schema => ({ type: 'object', additionalProperties: { type: 'string' }, ...(description ? { description } : {}) });
const intOrString = (description?: string): Schema => ({
  'x-kubernetes-int-or-string': true,
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  ...(description ? { description } : {}),
});
const DURATION = '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';
const duration = (description: string): Schema => str(description, { pattern: DURATION });

const keySelector = (what: string): Schema =>
  obj(
    {
      key: str(`The key of the ${what} to select from. Must be a valid key.`),
      name: str(`Name of the referent.`, { default: '' }),
      optional: bool(`Specify whether the ${what} or its key must be defined.`),
    },
    `Selects a key of a ${what} in the namespace of the monitor.`,
    { required: ['key'], 'x-kubernetes-map-type': 'atomic' },
  );
const secretKey = (d: string) => ({ ...keySelector('Secret'), description: d });
const secretOrConfigMap = (d: string): Schema => obj({ configMap: keySelector('ConfigMap'), secret: keySelector('Secret') }, d);

const labelSelector = (d: string): Schema =>
  obj(
    {
      matchExpressions: arr(
        obj(
          {
            key: str('The label key that the selector applies to.'),
            operator: str('In, NotIn, Exists or DoesNotExist.'),
            values: arr(str(), 'Values for In and NotIn; empty for Exists and DoesNotExist.', { 'x-kubernetes-list-type': 'atomic' }),
          },
          undefined,
          { required: ['key', 'operator'] },
        ),
        'A list of label selector requirements, ANDed.',
        { 'x-kubernetes-list-type': 'atomic' },
      ),
      matchLabels: strMap('Exact label matches, ANDed.'),
    },
    d,
    { 'x-kubernetes-map-type': 'atomic' },
  );

/** Actions of PodLogs relabelings: Alloy's CRD carries the operator's older list (no keepequal/dropequal). */
const PODLOGS_RELABEL_ACTIONS = ['replace', 'Replace', 'keep', 'Keep', 'drop', 'Drop', 'hashmod', 'HashMod', 'labelmap', 'LabelMap', 'labeldrop', 'LabelDrop', 'labelkeep', 'LabelKeep', 'lowercase', 'Lowercase', 'uppercase', 'Uppercase'];
const RELABEL_ACTIONS = [...PODLOGS_RELABEL_ACTIONS, 'keepequal', 'KeepEqual', 'dropequal', 'DropEqual'];
const relabelConfig = (d: string, actions: string[] = RELABEL_ACTIONS): Schema =>
  arr(
    obj({
      action: str('Action to perform based on the regex matching.', { default: 'replace', enum: actions }),
      modulus: int('Modulus to take of the hash of the source label values (hashmod).'),
      regex: str('Regular expression against which the extracted value is matched (RE2, anchored).'),
      replacement: str('Replacement value against which a replace action is performed if the regex matches.'),
      separator: str('Separator placed between concatenated source label values.'),
      sourceLabels: arr(str(undefined, { pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' }), 'The source labels select values from existing labels.'),
      targetLabel: str('Label to which the resulting string is written in a replacement.'),
    }),
    d,
  );

const safeTLS = (withFiles: boolean): Schema =>
  obj(
    {
      ca: secretOrConfigMap('Certificate authority used when verifying server certificates.'),
      cert: secretOrConfigMap('Client certificate to present when doing client-authentication.'),
      keySecret: secretKey('Secret containing the client key file for the targets.'),
      serverName: str('Used to verify the hostname for the targets.'),
      insecureSkipVerify: bool('Disable target certificate validation.'),
      minVersion: str('Minimum acceptable TLS version.', { enum: ['TLS10', 'TLS11', 'TLS12', 'TLS13'] }),
      maxVersion: str('Maximum acceptable TLS version.', { enum: ['TLS10', 'TLS11', 'TLS12', 'TLS13'] }),
      ...(withFiles
        ? {
            caFile: str('Path to the CA cert in the Prometheus container (refused unless file access is allowed).'),
            certFile: str('Path to the client cert file in the Prometheus container (refused unless file access is allowed).'),
            keyFile: str('Path to the client key file in the Prometheus container (refused unless file access is allowed).'),
          }
        : {}),
    },
    'TLS configuration to use when scraping the target.',
  );

const oauth2 = obj(
  {
    clientId: secretOrConfigMap('The client ID.'),
    clientSecret: secretKey('The client secret.'),
    endpointParams: strMap('Parameters to append to the token URL.'),
    scopes: arr(str(), 'OAuth2 scopes used for the token request.'),
    tokenUrl: str('The URL to fetch the token from.', { minLength: 1 }),
  },
  'OAuth2 client credentials used to fetch a token for the targets.',
  { required: ['clientId', 'clientSecret', 'tokenUrl'] },
);

/** Fields shared by ServiceMonitor endpoints and PodMonitor podMetricsEndpoints. */
function endpointFields(): Record<string, Schema> {
  return {
    path: str('HTTP path from which to scrape for metrics.'),
    scheme: str('HTTP scheme to use for scraping.', { enum: ['http', 'https', 'HTTP', 'HTTPS'] }),
    params: { type: 'object', additionalProperties: arr(str()), description: 'Optional HTTP URL parameters.' },
    interval: duration('Interval at which Prometheus scrapes the metrics from the target.'),
    scrapeTimeout: duration('Timeout after which Prometheus considers the scrape to be failed.'),
    honorLabels: bool('When true, honorLabels preserves the metric labels when they collide with the target labels.'),
    honorTimestamps: bool('Controls whether Prometheus preserves the timestamps when exposed by the target.'),
    trackTimestampsStaleness: bool('Whether Prometheus tracks staleness of the metrics that have an explicit timestamp.'),
    bearerTokenSecret: secretKey('Secret (in the namespace of the monitor) holding the bearer token for scraping (deprecated: use authorization).'),
    authorization: obj(
      { type: str('Defines the authentication type (case-insensitive), default "Bearer".'), credentials: secretKey('Selects a key of a Secret holding the credentials.') },
      'Authorization section for the endpoint.',
    ),
    basicAuth: obj({ username: secretKey('Secret key holding the username.'), password: secretKey('Secret key holding the password.') }, 'BasicAuth for the endpoint.'),
    oauth2,
    tlsConfig: safeTLS(true),
    metricRelabelings: relabelConfig('Relabeling applied to the samples before ingestion.'),
    relabelings: relabelConfig('Relabeling applied to the target labels before scraping.'),
    proxyUrl: str('HTTP proxy server to use.'),
    followRedirects: bool('Whether the scrape requests follow HTTP 3xx redirects.'),
    enableHttp2: bool('Whether to enable HTTP2.'),
    filterRunning: bool('Drop pods that are not running (Failed, Succeeded). Default true.'),
  };
}

const limits: Record<string, Schema> = {
  sampleLimit: int('Per-scrape limit on the number of scraped samples that will be accepted.'),
  targetLimit: int('Limit on the number of scraped targets that will be accepted.'),
  labelLimit: int('Per-scrape limit on number of labels that will be accepted for a sample.'),
  labelNameLengthLimit: int('Per-scrape limit on length of labels name that will be accepted for a sample.'),
  labelValueLengthLimit: int('Per-scrape limit on length of labels value that will be accepted for a sample.'),
  keepDroppedTargets: int('Per-scrape limit on the number of targets dropped by relabeling that will be kept in memory.'),
  bodySizeLimit: str('Maximum size of the uncompressed response body (e.g. "10MB").'),
  scrapeProtocols: arr(str(undefined, { enum: ['PrometheusProto', 'OpenMetricsText0.0.1', 'OpenMetricsText1.0.0', 'PrometheusText0.0.4', 'PrometheusText1.0.0'] }), 'Protocols to negotiate during a scrape.', {
    'x-kubernetes-list-type': 'set',
  }),
  scrapeClass: str('The scrape class to apply.', { minLength: 1 }),
  // The operator's inlined NativeHistogramConfig.
  scrapeNativeHistograms: bool('Whether to scrape native histograms.'),
  scrapeClassicHistograms: bool('Whether to scrape a classic histogram that is also exposed as a native histogram.'),
  nativeHistogramBucketLimit: int('Buckets of a native histogram above this many are merged.'),
  nativeHistogramMinBucketFactor: intOrString('Buckets of a native histogram growing by less than this factor are merged (a quantity, e.g. "1.1").'),
  convertClassicHistogramsToNHCB: bool('Whether to convert classic histograms into native histograms with custom buckets.'),
  attachMetadata: obj({ node: bool('When true, adds node metadata to the discovered targets.') }, 'Metadata to add to the discovered targets.'),
};

const namespaceSelector = obj(
  { any: bool('Select all namespaces (the opposite of matchNames).'), matchNames: arr(str(), 'List of namespace names to select from.') },
  'Namespaces to discover targets in; default: the namespace of the monitor.',
);

/**
 * status: what upstream writes (bindings) plus what we write (conditions with
 * Accepted, observedTargets); served as the status subresource.
 */
const crStatus = obj(
  {
    bindings: arr({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, 'Workload resources selecting this resource (written by the prometheus-operator).'),
    conditions: arr(
      obj(
        {
          type: str('Type of the condition: Accepted.'),
          status: str('True, False or Unknown.'),
          reason: str('Reason of the last transition (Accepted, InvalidConfiguration).'),
          message: str('Why, in words.'),
          lastTransitionTime: str('Time of the last True/False change.', { format: 'date-time' }),
          observedGeneration: int('The metadata.generation the condition was set for.'),
        },
        undefined,
        { required: ['type', 'status'] },
      ),
      'Conditions written by the collector that reads this resource (its cluster owner only).',
    ),
    observedTargets: int('Targets this resource yields after relabeling, as the collector last saw them.'),
  },
  'Status of the resource.',
);

interface CrdOptions {
  version?: string;
  group?: string;
  categories?: string[];
  /** Whether the kind has our status (and the status subresource); PodLogs, as in Alloy, has none. */
  status?: boolean;
  /** Whether the root requires .spec (Alloy's PodLogs does not; its spec requires selector). */
  specRequired?: boolean;
}

function crd(kind: string, plural: string, singular: string, shortNames: string[], description: string, spec: Schema, required: string[] = [], version = 'v1', o: CrdOptions = {}): Schema {
  const group = o.group ?? 'monitoring.coreos.com';
  const status = o.status ?? true;
  const rootRequired = [...(o.specRequired ?? true ? ['spec'] : []), ...required.filter((r) => r !== 'spec')];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}`, annotations: { 'alloy-ts/generated-by': 'manifests/crds/generate.ts' } },
    spec: {
      group,
      names: { categories: o.categories ?? ['prometheus-operator'], kind, listKind: `${kind}List`, plural, singular, ...(shortNames.length > 0 ? { shortNames } : {}) },
      scope: 'Namespaced',
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          ...(status ? { subresources: { status: {} } } : {}),
          schema: {
            openAPIV3Schema: obj(
              {
                apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
                kind: str('Kind is a string value representing the REST resource this object represents.'),
                metadata: { type: 'object' },
                spec,
                ...(status ? { status: crStatus } : {}),
              },
              description,
              rootRequired.length > 0 ? { required: rootRequired } : {},
            ),
          },
        },
      ],
    },
  };
}

const serviceMonitor = crd(
  'ServiceMonitor',
  'servicemonitors',
  'servicemonitor',
  ['smon'],
  'ServiceMonitor defines monitoring for a set of services.',
  obj(
    {
      endpoints: arr(
        obj({
          port: str('Name of the Service port which this endpoint refers to.'),
          targetPort: intOrString('Name or number of the target port of the Pod object behind the Service (deprecated: use port).'),
          bearerTokenFile: str('File to read bearer token for scraping the target (deprecated, refused unless file access is allowed).'),
          ...endpointFields(),
        }),
        'List of endpoints part of this ServiceMonitor.',
      ),
      jobLabel: str('The label of the Service whose value is used as the job label.'),
      targetLabels: arr(str(), 'Labels transferred from the Service onto the target.'),
      podTargetLabels: arr(str(), 'Labels transferred from the Pod onto the target.'),
      selector: labelSelector('Label selector to select the Service objects.'),
      selectorMechanism: str('Relabel (default) or RoleSelector.', { enum: ['RelabelConfig', 'RoleSelector'] }),
      namespaceSelector,
      serviceDiscoveryRole: str('Endpoints or EndpointSlice.', { enum: ['Endpoints', 'EndpointSlice'] }),
      fallbackScrapeProtocol: str('Protocol used when the target returns a blank or invalid Content-Type.'),
      ...limits,
    },
    'Specification of desired Service selection for target discovery by Prometheus.',
    { required: ['selector'] },
  ),
);

const podMonitor = crd(
  'PodMonitor',
  'podmonitors',
  'podmonitor',
  ['pmon'],
  'PodMonitor defines monitoring for a set of pods.',
  obj(
    {
      podMetricsEndpoints: arr(
        obj({
          port: str('Name of the Pod port which this endpoint refers to.'),
          portNumber: { type: 'integer', format: 'int32', minimum: 1, maximum: 65535, description: 'Number of the Pod port which this endpoint refers to.' },
          targetPort: intOrString('Name or number of the target port of the Pod object (deprecated: use port or portNumber).'),
          ...endpointFields(),
        }),
        'List of endpoints part of this PodMonitor.',
      ),
      jobLabel: str('The label of the Pod whose value is used as the job label.'),
      podTargetLabels: arr(str(), 'Labels transferred from the Pod onto the target.'),
      selector: labelSelector('Label selector to select the Pod objects.'),
      selectorMechanism: str('Relabel (default) or RoleSelector.', { enum: ['RelabelConfig', 'RoleSelector'] }),
      namespaceSelector,
      fallbackScrapeProtocol: str('Protocol used when the target returns a blank or invalid Content-Type.'),
      ...limits,
    },
    'Specification of desired Pod selection for target discovery by Prometheus.',
    { required: ['selector'] },
  ),
);

const ruleSchema = obj(
  {
    record: str('Name of the time series to output to. Must be a valid metric name. Exactly one of record and alert.'),
    alert: str('Name of the alert. Exactly one of record and alert.'),
    expr: intOrString('PromQL (or LogQL for Loki) expression to evaluate.'),
    for: duration('Alerts are considered firing once they have been returned for this long.'),
    keep_firing_for: str('How long an alert continues firing after the condition has cleared.', { minLength: 1, pattern: DURATION }),
    labels: strMap('Labels to add or overwrite.'),
    annotations: strMap('Annotations to add to each alert (alerting rules only).'),
  },
  'Rule describes an alerting or recording rule.',
  { required: ['expr'] },
);

const prometheusRule = crd(
  'PrometheusRule',
  'prometheusrules',
  'prometheusrule',
  ['promrule'],
  'PrometheusRule defines recording and alerting rules for a Prometheus instance.',
  obj(
    {
      groups: arr(
        obj(
          {
            name: str('Name of the rule group.', { minLength: 1 }),
            interval: duration('Interval determines how often rules in the group are evaluated.'),
            limit: { type: 'integer', description: 'Number of alerts an alerting rule and series a recording rule can produce. 0 is no limit.' },
            query_offset: duration('Offset the rule evaluation timestamp of this group by this duration into the past.'),
            partial_response_strategy: str('PartialResponseStrategy is only used by ThanosRuler.', { pattern: '^(?i)(abort|warn)?$' }),
            labels: strMap('Labels to add or overwrite before storing the result for its rules.'),
            rules: arr(ruleSchema, 'List of alerting and recording rules.'),
          },
          undefined,
          { required: ['name'] },
        ),
        'Content of Prometheus rule file.',
        { 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map' },
      ),
    },
    'Specification of desired alerting rule definitions for Prometheus.',
  ),
);

/** Scrape-level HTTP client fields of Probes and ScrapeConfigs (safe references, no files). */
const httpClientFields = (): Record<string, Schema> => ({
  authorization: obj(
    { type: str('Defines the authentication type (case-insensitive), default "Bearer".'), credentials: secretKey('Selects a key of a Secret holding the credentials.') },
    'Authorization section for the scrape requests.',
  ),
  basicAuth: obj({ username: secretKey('Secret key holding the username.'), password: secretKey('Secret key holding the password.') }, 'BasicAuth for the scrape requests.'),
  oauth2,
  tlsConfig: safeTLS(false),
});

const probe = crd(
  'Probe',
  'probes',
  'probe',
  ['prb'],
  'Probe defines monitoring for a set of static targets or ingresses through a prober (such as the blackbox exporter).',
  obj(
    {
      jobName: str('The job name assigned to scraped metrics by default.'),
      prober: obj(
        {
          url: str('Mandatory URL of the prober: host or host:port.', { minLength: 1 }),
          scheme: str('HTTP scheme to use for scraping the prober.', { enum: ['http', 'https', 'HTTP', 'HTTPS'] }),
          path: str('Path to collect metrics from the prober.', { default: '/probe' }),
          proxyUrl: str('HTTP proxy server to use.'),
        },
        'Specification for the prober to use for probing targets.',
        { required: ['url'] },
      ),
      module: str('The module to use for probing specifying how to probe the target (the module parameter).'),
      targets: obj(
        {
          staticConfig: obj(
            {
              static: arr(str(), 'The list of hosts to probe.'),
              labels: strMap('Labels assigned to all metrics scraped from the targets.'),
              relabelingConfigs: relabelConfig('Relabelings to apply to the label set of the targets before scraping.'),
            },
            'Static targets to probe (takes precedence over ingress).',
          ),
          ingress: obj(
            {
              selector: labelSelector('Selector to select the Ingress objects.'),
              namespaceSelector,
              relabelingConfigs: relabelConfig('Relabelings to apply to the label set of the targets before scraping.'),
            },
            'Ingress objects to probe.',
          ),
        },
        'Targets defines a set of static or dynamically discovered targets to probe.',
      ),
      interval: duration('Interval at which targets are probed using the configured prober.'),
      scrapeTimeout: duration('Timeout for scraping metrics from the prober.'),
      metricRelabelings: relabelConfig('Relabeling applied to the samples before ingestion.'),
      params: arr(obj({ name: str('Parameter name.', { minLength: 1 }), values: arr(str(undefined, { minLength: 1 }), 'Parameter values.', { minItems: 1 }) }, undefined, { required: ['name'] }), 'URL parameters of the prober request.', {
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
      }),
      bearerTokenSecret: secretKey('Secret holding the bearer token for the prober (deprecated: use authorization).'),
      ...httpClientFields(),
      ...limits,
    },
    'Specification of desired Ingress selection for target discovery by Prometheus.',
  ),
);

const KUBERNETES_ROLES = ['Pod', 'Endpoints', 'Ingress', 'Service', 'Node', 'EndpointSlice'];

const scrapeConfig = crd(
  'ScrapeConfig',
  'scrapeconfigs',
  'scrapeconfig',
  ['scfg'],
  'ScrapeConfig defines a namespaced Prometheus scrape_config to be aggregated across multiple namespaces into the Prometheus configuration.',
  obj(
    {
      jobName: str('The value of the job label assigned to the scraped metrics by default.', { minLength: 1 }),
      staticConfigs: arr(obj({ targets: arr(str(), 'List of targets for this static configuration.'), labels: strMap('Labels assigned to all metrics scraped from the targets.') }), 'List of static configurations.'),
      fileSDConfigs: arr(
        obj(
          { files: arr(str(undefined, { pattern: '^[^*]*(\\*[^/]*)?\\.(json|yml|yaml|JSON|YML|YAML)$' }), 'Files from which target groups are extracted (refused unless file access is allowed).', { minItems: 1 }), refreshInterval: duration('Refresh interval to re-read the files.') },
          undefined,
          { required: ['files'] },
        ),
        'List of file service discovery configurations.',
      ),
      httpSDConfigs: arr(
        obj(
          {
            url: str('URL from which the targets are fetched.', { minLength: 1, pattern: '^http(s)?://.+$' }),
            refreshInterval: duration('Refresh interval to re-query the endpoint.'),
            followRedirects: bool('Whether the HTTP requests follow HTTP 3xx redirects.'),
            enableHTTP2: bool('Whether to enable HTTP2.'),
            ...httpClientFields(),
          },
          undefined,
          { required: ['url'] },
        ),
        'List of HTTP service discovery configurations.',
      ),
      kubernetesSDConfigs: arr(
        obj(
          {
            apiServer: str('The API server address (not supported here: the component client is used).'),
            role: str('Role of the Kubernetes entities that should be discovered.', { enum: KUBERNETES_ROLES }),
            namespaces: obj({ ownNamespace: bool('Includes the namespace of the ScrapeConfig.'), names: arr(str(), 'List of namespaces where to watch for resources.') }, 'Optional namespace discovery; default: all namespaces.'),
            attachMetadata: obj({ node: bool('Attaches node metadata to discovered targets.') }, 'Metadata to attach to discovered targets.'),
            selectors: arr(obj({ role: str('Role of the selector.', { enum: KUBERNETES_ROLES }), label: str('Label selector.'), field: str('Field selector.') }, undefined, { required: ['role'] }), 'Selector to select objects.'),
          },
          undefined,
          { required: ['role'] },
        ),
        'List of Kubernetes service discovery configurations.',
      ),
      relabelings: relabelConfig('Relabeling applied to the target labels before scraping.'),
      metricRelabelings: relabelConfig('Relabeling applied to the samples before ingestion.'),
      metricsPath: str('The HTTP path to scrape for metrics (default /metrics).'),
      scrapeInterval: duration('How frequently to scrape the targets.'),
      scrapeTimeout: duration('Timeout of a scrape.'),
      honorTimestamps: bool('Whether to honor the timestamps of the scraped data.'),
      trackTimestampsStaleness: bool('Whether Prometheus tracks staleness of the metrics that have an explicit timestamp.'),
      honorLabels: bool('Whether to keep labels of the scraped data on conflicts with target labels.'),
      params: { type: 'object', additionalProperties: arr(str()), description: 'Optional HTTP URL parameters.' },
      scheme: str('The protocol scheme used for requests.', { enum: ['http', 'https', 'HTTP', 'HTTPS'] }),
      enableHTTP2: bool('Whether to enable HTTP2.'),
      followRedirects: bool('Whether the scrape requests follow HTTP 3xx redirects.'),
      proxyUrl: str('HTTP proxy server to use.'),
      ...httpClientFields(),
      ...limits,
    },
    'ScrapeConfigSpec is a specification of the desired configuration for a scrape configuration.',
  ),
  [],
  'v1alpha1',
);

// Grafana Alloy's PodLogs: pods picked by a label selector and a namespace
// label selector, their container streams relabeled before they are tailed.
const podLogs = crd(
  'PodLogs',
  'podlogs',
  'podlogs',
  [],
  'PodLogs defines how to collect logs for a Pod.',
  obj(
    {
      selector: labelSelector('Selector to select Pod objects (an empty selector selects every pod). Required.'),
      namespaceSelector: labelSelector('Selector to select which namespaces the Pod objects are discovered from (empty: every namespace).'),
      relabelings: relabelConfig('Relabel rules applied to the discovered labels of each container stream before delivery.', PODLOGS_RELABEL_ACTIONS),
    },
    'PodLogsSpec defines how to collect logs for a Pod.',
    { required: ['selector'] },
  ),
  [],
  'v1alpha2',
  { group: 'monitoring.grafana.com', categories: ['grafana-alloy', 'alloy'], status: false, specRequired: false },
);

// AlertmanagerConfig (v1alpha1): read by mimir.alerts.kubernetes. Routes nest
// without limit (child routes are free-form, as upstream's schema has them);
// the receiver kinds the merge converts field by field are spelled out, the
// others are kept as given.
const amMatcher = obj(
  {
    name: str('Label to match.', { minLength: 1 }),
    value: str('Label value to match.'),
    matchType: str('Match operation (Alertmanager >= 0.22); takes precedence over regex.', { enum: ['!=', '=', '=~', '!~'] }),
    regex: bool('Whether to match on equality (false) or regular-expression (true). Deprecated: use matchType.'),
  },
  'Matcher defines how to match on alert labels.',
  { required: ['name'] },
);
const amHttpConfig = obj(
  {
    authorization: obj({ type: str('Authentication type, default "Bearer".'), credentials: secretKey('Secret key holding the credentials.') }, 'Authorization header configuration.'),
    basicAuth: obj({ username: secretKey('Secret key holding the username.'), password: secretKey('Secret key holding the password.') }, 'BasicAuth for the client.'),
    oauth2,
    bearerTokenSecret: secretKey('Secret key holding the bearer token (deprecated: use authorization).'),
    tlsConfig: safeTLS(false),
    proxyURL: str('Optional proxy URL (deprecated spelling of proxyUrl).'),
    proxyUrl: str('HTTP proxy server to use.'),
    noProxy: str('Comma-separated IPs, CIDRs and domain names not to proxy.'),
    proxyFromEnvironment: bool('Use the proxy URL indicated by environment variables.'),
    followRedirects: bool('Whether the client follows HTTP 3xx redirects.'),
    enableHttp2: bool('Whether to enable HTTP2.'),
  },
  'HTTP client configuration of the notifier.',
);
const keyValues = (d: string): Schema => arr(obj({ key: str('Key of the tuple.', { minLength: 1 }), value: str('Value of the tuple.') }, undefined, { required: ['key', 'value'] }), d);
const freeForm = (d: string): Schema => arr({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, d);
const amReceiver = obj(
  {
    name: str('Name of the receiver; unique within the resource.', { minLength: 1 }),
    webhookConfigs: arr(
      obj(
        {
          sendResolved: bool('Whether to notify about resolved alerts.'),
          url: str('The URL to send HTTP POST requests to (urlSecret takes precedence).'),
          urlSecret: secretKey('Secret key holding the webhook URL.'),
          httpConfig: amHttpConfig,
          maxAlerts: { type: 'integer', format: 'int32', minimum: 0, description: 'Maximum number of alerts in one message; 0 is all.' },
          timeout: str('Maximum time to wait for a webhook request to complete.', { pattern: DURATION }),
        },
      ),
      'List of webhook configurations.',
    ),
    slackConfigs: arr(
      obj(
        {
          sendResolved: bool('Whether to notify about resolved alerts.'),
          apiURL: secretKey('Secret key holding the Slack webhook URL.'),
          channel: str('The channel or user to send notifications to.'),
          username: str('Slack user name.'),
          color: str('Color of the message.'),
          title: str('Title of the message.'),
          titleLink: str('Link of the title.'),
          pretext: str('Pretext of the message.'),
          text: str('Text of the message.'),
          iconEmoji: str('Icon emoji.'),
          iconURL: str('Icon URL.'),
          imageURL: str('Image URL.'),
          footer: str('Footer of the message.'),
          fallback: str('Fallback text.'),
          callbackId: str('Callback id.'),
          linkNames: bool('Whether to link names.'),
          shortFields: bool('Whether fields are short.'),
          mrkdwnIn: arr(str(), 'Fields formatted as markdown.'),
          fields: freeForm('Slack fields (title, value, short).'),
          actions: freeForm('Slack actions (type, text, url, style, name, value, confirm).'),
          httpConfig: amHttpConfig,
        },
      ),
      'List of Slack configurations.',
    ),
    pagerdutyConfigs: arr(
      obj(
        {
          sendResolved: bool('Whether to notify about resolved alerts.'),
          routingKey: secretKey('Secret key holding the PagerDuty integration key (Events API v2).'),
          serviceKey: secretKey('Secret key holding the PagerDuty service key (Prometheus integration).'),
          url: str('The URL to send requests to.'),
          client: str('Client identification.'),
          clientURL: str('Backlink to the sender of the notification.'),
          description: str('Description of the incident.'),
          severity: str('Severity of the incident.'),
          class: str('The class/type of the event.'),
          group: str('A cluster or grouping of sources.'),
          component: str('The part or component of the affected system that is broken.'),
          source: str('Unique location of the affected system.'),
          details: keyValues('Arbitrary key/value pairs that provide further detail about the incident.'),
          pagerDutyImageConfigs: freeForm('Images to attach to the incident (src, href, alt).'),
          pagerDutyLinkConfigs: freeForm('Links to attach to the incident (href, alt).'),
          httpConfig: amHttpConfig,
        },
      ),
      'List of PagerDuty configurations.',
    ),
    emailConfigs: arr(
      obj(
        {
          sendResolved: bool('Whether to notify about resolved alerts.'),
          to: str('The email address to send notifications to.'),
          from: str('The sender address.'),
          hello: str('The hostname to identify to the SMTP server.'),
          smarthost: str('The SMTP host and port through which emails are sent, e.g. example.com:25.'),
          authUsername: str('SMTP authentication username.'),
          authPassword: secretKey('Secret key holding the SMTP password.'),
          authSecret: secretKey('Secret key holding the CRAM-MD5 secret.'),
          authIdentity: str('The identity to use for authentication.'),
          headers: keyValues('Further headers email header key/value pairs.'),
          html: str('The HTML body of the email notification.'),
          text: str('The text body of the email notification.'),
          requireTLS: bool('The SMTP TLS requirement.'),
          tlsConfig: safeTLS(false),
        },
      ),
      'List of Email configurations.',
    ),
    opsgenieConfigs: freeForm('List of OpsGenie configurations.'),
    discordConfigs: freeForm('List of Discord configurations.'),
    wechatConfigs: freeForm('List of WeChat configurations.'),
    victoropsConfigs: freeForm('List of VictorOps configurations.'),
    pushoverConfigs: freeForm('List of Pushover configurations.'),
    snsConfigs: freeForm('List of SNS configurations.'),
    telegramConfigs: freeForm('List of Telegram configurations.'),
    webexConfigs: freeForm('List of Webex configurations.'),
    msteamsConfigs: freeForm('List of MS Teams configurations.'),
    msteamsv2Configs: freeForm('List of MS Teams (v2) configurations.'),
    rocketchatConfigs: freeForm('List of RocketChat configurations.'),
  },
  'Receiver defines one or more notification integrations.',
  { required: ['name'] },
);

const alertmanagerConfig = crd(
  'AlertmanagerConfig',
  'alertmanagerconfigs',
  'alertmanagerconfig',
  ['amcfg'],
  'AlertmanagerConfig configures the Prometheus Alertmanager, specifying how alerts should be grouped, inhibited and notified to external systems.',
  obj(
    {
      route: obj(
        {
          receiver: str('Name of the receiver for this route; must be one of this resource\'s receivers. Required on the top-level route.'),
          groupBy: arr(str(), 'List of labels to group by ("..." groups by every label).'),
          groupWait: str('How long to wait before sending the initial notification.', { pattern: DURATION }),
          groupInterval: str('How long to wait before sending an updated notification.', { pattern: DURATION }),
          repeatInterval: str('How long to wait before repeating the last notification.', { pattern: DURATION }),
          matchers: arr(amMatcher, 'Matchers the alert labels must satisfy; the namespace matcher is added to the top-level route.'),
          continue: bool('Whether an alert should continue matching subsequent sibling nodes (always true for the top-level route).'),
          routes: arr({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, 'Child routes (the same fields as this route).'),
          muteTimeIntervals: arr(str(), 'Names of this resource\'s muteTimeIntervals that mute the route.'),
          activeTimeIntervals: arr(str(), 'Names of this resource\'s muteTimeIntervals outside which the route is muted.'),
        },
        'The Alertmanager route for the alerts of the resource\'s namespace: a first-level route of the generated configuration.',
      ),
      receivers: arr(amReceiver, 'List of receivers.'),
      inhibitRules: arr(
        obj(
          {
            sourceMatch: arr(amMatcher, 'Matchers for which one or more alerts have to exist for the inhibition to take effect.'),
            targetMatch: arr(amMatcher, 'Matchers that have to be fulfilled in the alerts to be muted.'),
            equal: arr(str(), 'Labels that must have an equal value in the source and target alert.'),
          },
        ),
        'List of inhibition rules; they only apply to alerts of the resource\'s namespace.',
      ),
      muteTimeIntervals: arr(
        obj(
          {
            name: str('Name of the time interval.', { minLength: 1 }),
            timeIntervals: arr(
              obj({
                times: arr(obj({ startTime: str('Start time (HH:MM).', { pattern: '^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)' }), endTime: str('End time (HH:MM).', { pattern: '^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)' }) }), 'Ranges of times of the day.'),
                weekdays: arr(str(), 'Weekdays or ranges (e.g. monday:friday).'),
                daysOfMonth: arr(obj({ start: { type: 'integer', minimum: -31, maximum: 31, description: 'Start day, inclusive.' }, end: { type: 'integer', minimum: -31, maximum: 31, description: 'End day, inclusive.' } }), 'Days of the month or ranges.'),
                months: arr(str(), 'Months or ranges (e.g. january:march).'),
                years: arr(str(), 'Years or ranges (e.g. 2024:2026).'),
              }),
              'TimeIntervals is a list of TimeInterval.',
            ),
          },
          undefined,
          { required: ['name'] },
        ),
        'List of named time intervals that routes can refer to.',
      ),
    },
    'AlertmanagerConfigSpec is a specification of the desired behavior of the Alertmanager configuration.',
  ),
  [],
  'v1alpha1',
);

export const CRDS: Record<string, Schema> = {
  'monitoring.coreos.com_servicemonitors.yaml': serviceMonitor,
  'monitoring.coreos.com_podmonitors.yaml': podMonitor,
  'monitoring.coreos.com_prometheusrules.yaml': prometheusRule,
  'monitoring.coreos.com_probes.yaml': probe,
  'monitoring.coreos.com_scrapeconfigs.yaml': scrapeConfig,
  'monitoring.coreos.com_alertmanagerconfigs.yaml': alertmanagerConfig,
  'monitoring.grafana.com_podlogs.yaml': podLogs,
};

const HEADER = '# Generated by manifests/crds/generate.ts: edit the generator, not this file.\n';

export function renderCrd(doc: Schema): string {
  return HEADER + '---\n' + YAML.stringify(doc, { lineWidth: 0 });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  for (const [file, doc] of Object.entries(CRDS)) fs.writeFileSync(path.join(dir, file), renderCrd(doc));
  // One file with all of them, for a single `kubectl apply -f`.
  fs.writeFileSync(path.join(dir, 'all.yaml'), HEADER + Object.values(CRDS).map((d) => '---\n' + YAML.stringify(d, { lineWidth: 0 })).join(''));
}
