// Annotation-driven auto-scrape: turns discovery.kubernetes pod or service
// targets into scrape-ready targets following the prometheus.io and
// k8s.grafana.com annotation conventions. The full rule table is in
// docs/components/discovery.annotations.md; each step below names its row.
import type { Target } from '../relabel/targets.js';
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

/** pod and service targets; endpoints/endpointslice/node/ingress targets are not handled here. */
function roleOf(t: Target): ObjectRole | undefined {
  if (t[`${M}endpoints_name`] !== undefined || t[`${M}endpointslice_name`] !== undefined) return undefined;
  if (t[`${M}pod_name`] !== undefined && t[`${M}service_name`] === undefined) return 'pod';
  if (t[`${M}service_name`] !== undefined && t[`${M}pod_name`] === undefined) return 'service';
  return undefined;
}

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
  const r = new Reader(t, role, opts.conventions);

  const decision = r.scrape(opts.scrapeByDefault);
  if (decision === 'no') return 'not_annotated';
  if (decision === 'opted_out') return 'opted_out';

  const namespace = r.label(`${M}namespace`);
  const out: Target = { ...t };
  let portNumberLabel: string;
  let portNameLabel: string;
  let protocolLabel: string;
  let name: string;

  if (role === 'pod') {
    if (r.label(`${M}pod_phase`) !== 'Running') return 'pod_not_running';
    if (r.label(`${M}pod_ready`) !== 'true') return 'pod_not_ready';
    if (r.label(`${M}pod_container_init`) !== 'false') return 'init_container';
    const container = r.label(`${M}pod_container_name`);
    const wanted = r.setting('container');
    if (wanted !== '' && wanted !== container) return 'container_mismatch';
    name = r.label(`${M}pod_name`);
    setOrDelete(out, 'pod', name);
    setOrDelete(out, 'container', container);
    portNumberLabel = `${M}pod_container_port_number`;
    portNameLabel = `${M}pod_container_port_name`;
    protocolLabel = `${M}pod_container_port_protocol`;
  } else {
    name = r.label(`${M}service_name`);
    setOrDelete(out, 'service', name);
    portNumberLabel = `${M}service_port_number`;
    portNameLabel = `${M}service_port_name`;
    protocolLabel = `${M}service_port_protocol`;
  }
  setOrDelete(out, 'namespace', namespace);

  // Port by name: keep only the declared port with that name.
  const portName = r.setting('portName');
  if (portName !== '' && r.label(portNameLabel) !== portName) return 'port_name_mismatch';

  // Port by number: rewrite the address (the port need not be declared).
  const annotatedPort = parsePort(r.setting('portNumber'));
  const declaredPort = r.label(portNumberLabel);
  const protocol = r.label(protocolLabel).toUpperCase();
  if (annotatedPort === undefined && protocol !== '' && protocol !== 'TCP') return 'not_tcp';
  let address = r.label('__address__');
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
  setParams(t, out, role, opts.conventions);

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

/** job: job annotation -> app.kubernetes.io/name label -> app label -> container (pods) / service name. */
function pickJob(r: Reader, role: ObjectRole): string {
  return (
    r.setting('job') ||
    r.label(objectLabel(role, 'app.kubernetes.io/name')) ||
    r.label(objectLabel(role, 'app')) ||
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
