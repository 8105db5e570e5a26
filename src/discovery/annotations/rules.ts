// Annotation-driven auto-scrape: turns discovery.kubernetes pod, service,
// endpoints or endpointslice targets into scrape-ready targets following the prometheus.io and
// k8s.grafana.com annotation conventions. The full rule table is in
// docs/components/discovery.annotations.md; each step below names its row.
import type { Target } from '../../relabel/targets.js';
import { joinHostPort, parsePort, splitHostPort, withPort } from './address.js';
import { annotationLabel, type Convention, type ObjectRole, objectLabel, type Setting, SPECS } from './conventions.js';

export interface AnnotationOptions {
  /** In precedence order (see parseConventions). */
  conventions: readonly Convention[];
  scrapeByDefault: boolean;
}

/** Why a target was left out (for debug info). */
export type SkipReason =
  | 'unsupported_role'
  | 'not_an_endpoint'
  | 'endpoint_not_ready'
  | 'not_annotated'
  | 'opted_out'
  | 'pod_not_running'
  | 'pod_not_ready'
  | 'init_container'
  | 'container_mismatch'
  | 'port_name_mismatch'
  | 'not_tcp'
  | 'portless_duplicate'
  | 'duplicate';

export interface AnnotationResult {
  targets: Target[];
  skipped: Partial<Record<SkipReason, number>>;
}

const M = '__meta_kubernetes_';

/** Which discovery role produced a target; node and ingress targets are not handled. */
type TargetRole = 'pod' | 'service' | 'endpoints' | 'endpointslice';

function roleOf(t: Target): TargetRole | undefined {
  if (Object.hasOwn(t, `${M}endpointslice_name`)) return 'endpointslice';
  if (Object.hasOwn(t, `${M}endpoints_name`)) return 'endpoints';
  if (Object.hasOwn(t, `${M}pod_name`) && !Object.hasOwn(t, `${M}service_name`)) return 'pod';
  if (Object.hasOwn(t, `${M}service_name`) && !Object.hasOwn(t, `${M}pod_name`)) return 'service';
  return undefined;
}

/** Where a role keeps the port name, protocol and readiness of a target. */
const PORT_LABELS: Record<TargetRole, { name: string; number: string | undefined; protocol: string; ready: string | undefined }> = {
  pod: { name: `${M}pod_container_port_name`, number: `${M}pod_container_port_number`, protocol: `${M}pod_container_port_protocol`, ready: undefined },
  service: { name: `${M}service_port_name`, number: `${M}service_port_number`, protocol: `${M}service_port_protocol`, ready: undefined },
  // Endpoint ports are only in the address.
  endpoints: { name: `${M}endpoint_port_name`, number: undefined, protocol: `${M}endpoint_port_protocol`, ready: `${M}endpoint_ready` },
  endpointslice: {
    name: `${M}endpointslice_port_name`,
    number: undefined,
    protocol: `${M}endpointslice_port_protocol`,
    ready: `${M}endpointslice_endpoint_conditions_ready`,
  },
};

class Reader {
  constructor(
    private readonly t: Target,
    readonly role: ObjectRole,
    private readonly conventions: readonly Convention[],
  ) {}

  label(name: string): string {
    return Object.hasOwn(this.t, name) ? this.t[name]! : '';
  }

  /** The value of a setting from the first convention (in precedence order) that sets it non-empty. */
  setting(s: Setting): string {
    for (const c of this.conventions) {
      const annotation = SPECS[c].settings[s];
      if (!annotation) continue;
      const v = this.label(annotationLabel(this.role, annotation));
      if (v !== '') return v;
    }
    return '';
  }

  /** Scrape decision: any "true" scrapes; else any "false" opts out; else the default. */
  scrape(byDefault: boolean): 'yes' | 'no' | 'opted_out' {
    let sawFalse = false;
    for (const c of this.conventions) {
      const v = this.label(annotationLabel(this.role, SPECS[c].settings.scrape!)).toLowerCase();
      if (v === 'true') return 'yes';
      if (v === 'false') sawFalse = true;
    }
    if (sawFalse) return 'opted_out';
    return byDefault ? 'yes' : 'no';
  }
}

interface Candidate {
  target: Target;
  /** Identity of the scrape: one target per object and address. */
  key: string;
  /** Object identity (namespace/name) for the port-less rule. */
  object: string;
  hasPort: boolean;
  /** Its declared port equals the annotated port: preferred among duplicates. */
  preferred: boolean;
}

type Step = Candidate | SkipReason;

function annotateOne(t: Target, opts: AnnotationOptions): Step {
  const role = roleOf(t);
  if (!role) return 'unsupported_role';
  // Endpoints carry the annotations of their Service.
  const objectRole: ObjectRole = role === 'pod' ? 'pod' : 'service';
  const r = new Reader(t, objectRole, opts.conventions);
  const ports = PORT_LABELS[role];

  const decision = r.scrape(opts.scrapeByDefault);
  if (decision === 'no') return 'not_annotated';
  if (decision === 'opted_out') return 'opted_out';

  const namespace = r.label(`${M}namespace`);
  const out: Target = { ...t };
  let name: string;

  if (role === 'pod') {
    if (r.label(`${M}pod_phase`) !== 'Running') return 'pod_not_running';
    if (r.label(`${M}pod_ready`) !== 'true') return 'pod_not_ready';
    if (r.label(`${M}pod_container_init`) !== 'false') return 'init_container';
  } else if (ports.ready) {
    // Endpoints roles also list pod container ports that back no endpoint: not what the Service serves.
    if (!Object.hasOwn(t, ports.ready)) return 'not_an_endpoint';
    if (r.label(ports.ready) !== 'true') return 'endpoint_not_ready';
  }
  if (role !== 'service') {
    const container = r.label(`${M}pod_container_name`);
    const wanted = r.setting('container');
    if (wanted !== '' && wanted !== container) return 'container_mismatch';
    setOrDelete(out, 'pod', r.label(`${M}pod_name`));
    setOrDelete(out, 'container', container);
  }
  if (role === 'pod') {
    name = r.label(`${M}pod_name`);
  } else {
    name = r.label(`${M}service_name`);
    setOrDelete(out, 'service', name);
  }
  setOrDelete(out, 'namespace', namespace);

  // Port by name: keep only the declared port with that name.
  const portName = r.setting('portName');
  if (portName !== '' && r.label(ports.name) !== portName) return 'port_name_mismatch';

  // Port by number: rewrite the address (the port need not be declared).
  const annotatedPort = parsePort(r.setting('portNumber'));
  let address = r.label('__address__');
  const declaredPort = ports.number ? r.label(ports.number) : splitHostPort(address).port;
  const protocol = r.label(ports.protocol).toUpperCase();
  if (annotatedPort === undefined && protocol !== '' && protocol !== 'TCP') return 'not_tcp';
  if (annotatedPort !== undefined) {
    const podIP = role === 'pod' ? r.label(`${M}pod_ip`) : '';
    address = address !== '' ? withPort(address, annotatedPort) : podIP !== '' ? joinHostPort(podIP, annotatedPort) : '';
    setOrDelete(out, '__address__', address);
  }

  const path = r.setting('path');
  if (path !== '') out.__metrics_path__ = path;
  const scheme = r.setting('scheme').toLowerCase();
  if (scheme === 'http' || scheme === 'https') out.__scheme__ = scheme;
  const interval = r.setting('scrapeInterval');
  if (interval !== '') out.__scrape_interval__ = interval;
  const timeout = r.setting('scrapeTimeout');
  if (timeout !== '') out.__scrape_timeout__ = timeout;
  setParams(t, out, objectRole, opts.conventions);

  out.job = pickJob(r, role);
  const instance = r.setting('instance');
  if (instance !== '') out.instance = instance;

  const object = `${role}/${namespace}/${name}`;
  return {
    target: out,
    key: `${object}/${address}`,
    object,
    hasPort: splitHostPort(address).port !== '',
    preferred: annotatedPort !== undefined && declaredPort === annotatedPort,
  };
}

function setOrDelete(t: Target, name: string, value: string): void {
  if (value === '') delete t[name];
  else t[name] = value;
}

/** `<param prefix><name>` annotations -> `__param_<name>`; the higher-precedence convention wins. */
function setParams(src: Target, out: Target, role: ObjectRole, conventions: readonly Convention[]): void {
  for (let i = conventions.length - 1; i >= 0; i--) {
    const prefix = annotationLabel(role, SPECS[conventions[i]!].paramPrefix);
    for (const [k, v] of Object.entries(src)) {
      if (v !== '' && k.length > prefix.length && k.startsWith(prefix)) out[`__param_${k.slice(prefix.length)}`] = v;
    }
  }
}

/** job: job annotation -> app.kubernetes.io/name label -> app label (of the pod, or the Service) -> container (pods) / service name. */
function pickJob(r: Reader, role: TargetRole): string {
  const object: ObjectRole = role === 'pod' ? 'pod' : 'service';
  return (
    r.setting('job') ||
    r.label(objectLabel(object, 'app.kubernetes.io/name')) ||
    r.label(objectLabel(object, 'app')) ||
    (role === 'pod' ? r.label(`${M}pod_container_name`) : r.label(`${M}service_name`))
  );
}

/** Applies the rules to every target, then keeps one target per object and address. */
export function annotateTargets(targets: readonly Target[], opts: AnnotationOptions): AnnotationResult {
  const skipped: Partial<Record<SkipReason, number>> = {};
  const skip = (why: SkipReason) => (skipped[why] = (skipped[why] ?? 0) + 1);

  const candidates: Candidate[] = [];
  const objectsWithPorts = new Set<string>();
  for (const t of targets) {
    const step = annotateOne(t, opts);
    if (typeof step === 'string') {
      skip(step);
      continue;
    }
    candidates.push(step);
    if (step.hasPort) objectsWithPorts.add(step.object);
  }

  const chosen = new Map<string, Candidate>();
  for (const c of candidates) {
    // A container without declared ports gets a port-less target; it is noise when the
    // same pod has targets with ports (it would be scraped on port 80).
    if (!c.hasPort && objectsWithPorts.has(c.object)) {
      skip('portless_duplicate');
      continue;
    }
    const prev = chosen.get(c.key);
    if (!prev) {
      chosen.set(c.key, c);
      continue;
    }
    skip('duplicate');
    if (c.preferred && !prev.preferred) chosen.set(c.key, c); // Map keeps the first insertion position
  }
  return { targets: [...chosen.values()].map((c) => c.target), skipped };
}
