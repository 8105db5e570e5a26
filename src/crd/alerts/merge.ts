// AlertmanagerConfig resources (monitoring.coreos.com/v1alpha1) merged into
// a base Alertmanager configuration, as the prometheus-operator's config
// builder does (and Alloy's mimir.alerts.kubernetes through it):
// - each CR's names (receivers, time intervals, route references) become
//   `<namespace>/<name>/<own name>`;
// - each CR's route becomes one sub-route of the root route, placed before
//   the base's own sub-routes, with `continue: true` and (strategy
//   OnNamespace) the matcher `namespace="<ns>"` appended;
// - each CR's inhibit rules get that matcher on both source and target and
//   follow the base's rules; a CR without a route adds inhibit rules only;
// - CRs are taken in `<namespace>/<name>` order.
// Matchers are written in the v2 form (Alertmanager >= 0.22, as Alloy's
// builder targets 0.29). Every CR is checked and converted on its own, so an
// invalid one is left out with its reason while the others still merge.
import YAML from 'yaml';

export type MatcherStrategy = 'OnNamespace' | 'OnNamespaceExceptForAlertmanagerNamespace' | 'None';
export const STRATEGIES: readonly MatcherStrategy[] = ['OnNamespace', 'OnNamespaceExceptForAlertmanagerNamespace', 'None'];

export interface SecretKeyRef {
  name: string;
  key: string;
  optional?: boolean;
}

/** Reads a key of a Secret (or ConfigMap) in the CR's namespace; throws Error(reason) when it cannot. */
export type RefResolver = (kind: 'Secret' | 'ConfigMap', namespace: string, ref: SecretKeyRef) => string | undefined;

export interface MergeOptions {
  strategy: MatcherStrategy;
  /** For OnNamespaceExceptForAlertmanagerNamespace: CRs of this namespace match every alert. */
  alertmanagerNamespace?: string;
}

type Obj = Record<string, any>;

/** What one CR contributes to the merged configuration. */
export interface CrPart {
  namespace: string;
  name: string;
  route?: Obj;
  receivers: Obj[];
  inhibitRules: Obj[];
  muteTimeIntervals: Obj[];
}

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

// ---------------------------------------------------------------- base config

/**
 * Parse and check the base (global) configuration: valid YAML holding a
 * mapping, a root route with a receiver that exists, and the root-route
 * restrictions the operator applies (no continue, matchers or time intervals).
 */
export function parseBaseConfig(text: string): Obj {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new Error(`global_config is not valid YAML: ${(e as Error).message}`);
  }
  if (!isObj(doc)) throw new Error('global_config must be a YAML mapping (an Alertmanager configuration)');
  const route = doc.route;
  if (!isObj(route)) throw new Error('global_config: root route must exist');
  if (route.continue) throw new Error('global_config: cannot have continue in root route');
  if (typeof route.receiver !== 'string' || !route.receiver) throw new Error("global_config: root route's receiver must exist");
  if ((Array.isArray(route.matchers) && route.matchers.length) || isObj(route.match) || isObj(route.match_re)) throw new Error("global_config: 'matchers' not permitted on root route");
  if (Array.isArray(route.mute_time_intervals) && route.mute_time_intervals.length) throw new Error("global_config: 'mute_time_intervals' not permitted on root route");
  if (Array.isArray(route.active_time_intervals) && route.active_time_intervals.length) throw new Error("global_config: 'active_time_intervals' not permitted on root route");
  const receivers = doc.receivers ?? [];
  if (!Array.isArray(receivers)) throw new Error('global_config: receivers must be a list');
  const names = new Set<string>();
  for (const [i, r] of receivers.entries()) {
    if (!isObj(r) || typeof r.name !== 'string' || !r.name) throw new Error(`global_config: receivers[${i}]: missing name`);
    if (names.has(r.name)) throw new Error(`global_config: notification config name "${r.name}" is not unique`);
    names.add(r.name);
  }
  for (const name of routeReceivers(route)) if (!names.has(name)) throw new Error(`global_config: undefined receiver "${name}" used in route`);
  return doc;
}

function routeReceivers(r: Obj): string[] {
  const out = typeof r.receiver === 'string' && r.receiver ? [r.receiver] : [];
  for (const c of Array.isArray(r.routes) ? r.routes : []) if (isObj(c)) out.push(...routeReceivers(c));
  return out;
}

// ------------------------------------------------------------------ matchers

const MATCH_TYPES = ['=', '!=', '=~', '!~'];

/** Alertmanager's OpenMetrics-style escaping of a matcher value. */
function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function matcherString(name: string, op: string, value: string): string {
  return `${name}${op}"${escapeValue(value)}"`;
}

/** CR matchers in the v2 string form: matchType wins; else the deprecated `regex` picks =~ or =. */
function convertMatchers(ms: unknown): string[] {
  if (!Array.isArray(ms)) return [];
  return ms.map((m: Obj) => matcherString(String(m.name), m.matchType ? String(m.matchType) : m.regex ? '=~' : '=', String(m.value ?? '')));
}

// ---------------------------------------------------------------- validation

function checkUrl(what: string, v: unknown): void {
  if (v === undefined || v === null || v === '') return;
  let u: URL;
  try {
    u = new URL(String(v));
  } catch {
    throw new Error(`invalid '${what}': ${JSON.stringify(v)} is not a valid URL`);
  }
  if (!u.protocol || !u.host) throw new Error(`invalid '${what}': ${JSON.stringify(v)} has no scheme or host`);
}

function checkMatchers(ms: unknown, where: string): void {
  if (ms === undefined) return;
  if (!Array.isArray(ms)) throw new Error(`${where}: matchers must be a list`);
  for (const [i, m] of ms.entries()) {
    if (!isObj(m) || typeof m.name !== 'string' || m.name.trim() === '') throw new Error(`${where}matcher[${i}]: matcher 'name' is required`);
    if (m.matchType !== undefined && m.matchType !== '' && !MATCH_TYPES.includes(m.matchType)) throw new Error(`${where}matcher[${i}]: invalid 'matchType' '${m.matchType}' provided`);
  }
}

const SECRET_REQUIRED: Record<string, (c: Obj) => string | undefined> = {
  webhookConfigs: (c) => (c.url === undefined && c.urlSecret === undefined ? "one of 'url' or 'urlSecret' must be specified" : undefined),
  pagerdutyConfigs: (c) => (c.routingKey === undefined && c.serviceKey === undefined ? "one of 'routingKey' or 'serviceKey' is required" : undefined),
  emailConfigs: (c) => (!c.to ? "missing 'to' address" : undefined),
  discordConfigs: (c) => (c.apiURL === undefined ? "missing 'apiURL'" : undefined),
  msteamsConfigs: (c) => (c.webhookUrl === undefined ? "missing 'webhookUrl'" : undefined),
};

/** The operator's semantic checks of a v1alpha1 AlertmanagerConfig (what the OpenAPI schema cannot say). */
export function validateAlertmanagerConfig(cr: Obj): void {
  const spec = isObj(cr.spec) ? cr.spec : {};
  const receivers = new Set<string>();
  for (const [i, r] of (Array.isArray(spec.receivers) ? spec.receivers : []).entries()) {
    if (!isObj(r) || typeof r.name !== 'string' || !r.name) throw new Error(`spec.receivers[${i}]: name is required`);
    if (receivers.has(r.name)) throw new Error(`"${r.name}" receiver is not unique`);
    receivers.add(r.name);
    for (const [kind, configs] of Object.entries(r)) {
      if (kind === 'name') continue;
      if (!RECEIVER_KINDS[kind]) throw new Error(`failed to validate receiver "${r.name}": unknown field "${kind}"`);
      if (!Array.isArray(configs)) throw new Error(`failed to validate receiver "${r.name}": '${kind}' must be a list`);
      for (const [j, c] of configs.entries()) {
        const why = isObj(c) ? SECRET_REQUIRED[kind]?.(c) : 'must be an object';
        if (why) throw new Error(`failed to validate receiver "${r.name}": '${kind}'[${j}]: ${why}`);
        for (const f of ['url', 'apiURL', 'clientURL']) {
          try {
            if (typeof c[f] === 'string' && !c[f].includes('{{')) checkUrl(f, c[f]);
          } catch (e) {
            throw new Error(`failed to validate receiver "${r.name}": '${kind}'[${j}]: ${(e as Error).message}`);
          }
        }
      }
    }
  }
  const intervals = new Set<string>();
  for (const [i, m] of (Array.isArray(spec.muteTimeIntervals) ? spec.muteTimeIntervals : []).entries()) {
    if (!isObj(m) || typeof m.name !== 'string' || !m.name) throw new Error(`mute time interval[${i}] is invalid: empty name field for mute time interval`);
    for (const [j, ti] of (Array.isArray(m.timeIntervals) ? m.timeIntervals : []).entries()) {
      for (const [k, t] of (Array.isArray(ti?.times) ? ti.times : []).entries()) {
        if (!/^([01]\d|2[0-4]):[0-5]\d$/.test(String(t?.startTime ?? '')) || !/^([01]\d|2[0-4]):[0-5]\d$/.test(String(t?.endTime ?? ''))) {
          throw new Error(`mute time interval[${i}] is invalid: time range[${j}][${k}]: times must be HH:MM, got ${JSON.stringify(t?.startTime)}-${JSON.stringify(t?.endTime)}`);
        }
      }
    }
    intervals.add(m.name);
  }
  validateRoute(spec.route, receivers, intervals, true, 'route');
  for (const [i, ir] of (Array.isArray(spec.inhibitRules) ? spec.inhibitRules : []).entries()) {
    checkMatchers(ir?.sourceMatch, `inhibitRules[${i}].sourceMatch: `);
    checkMatchers(ir?.targetMatch, `inhibitRules[${i}].targetMatch: `);
  }
}

function validateRoute(r: unknown, receivers: Set<string>, intervals: Set<string>, top: boolean, where: string): void {
  if (r === undefined || r === null) return;
  if (!isObj(r)) throw new Error(`${where}: must be an object`);
  if (!r.receiver) {
    if (top) throw new Error('root route must define a receiver');
  } else if (!receivers.has(r.receiver)) {
    throw new Error(`${top ? '' : `${where}: `}receiver "${r.receiver}" not found`);
  }
  const groupBy: string[] = Array.isArray(r.groupBy) ? r.groupBy : [];
  if (new Set(groupBy).size !== groupBy.length) throw new Error(`duplicate values not permitted in route 'groupBy': [${groupBy.join(' ')}]`);
  if (groupBy.includes('...') && groupBy.length > 1) throw new Error(`'...' must be a sole value in route 'groupBy': [${groupBy.join(' ')}]`);
  for (const m of Array.isArray(r.muteTimeIntervals) ? r.muteTimeIntervals : []) if (!intervals.has(m)) throw new Error(`mute time interval "${m}" not found`);
  for (const m of Array.isArray(r.activeTimeIntervals) ? r.activeTimeIntervals : []) if (!intervals.has(m)) throw new Error(`time interval "${m}" not found`);
  checkMatchers(r.matchers, top ? '' : `${where}: `);
  for (const [i, c] of (Array.isArray(r.routes) ? r.routes : []).entries()) validateRoute(c, receivers, intervals, false, `${top ? '' : `${where}: `}route[${i}]`);
}

// ---------------------------------------------------------------- conversion

const prefixed = (ns: string, name: string, s: string) => (s ? `${ns}/${name}/${s}` : '');

function convertRoute(r: Obj, ns: string, name: string): Obj {
  const out: Obj = {};
  if (r.receiver) out.receiver = prefixed(ns, name, r.receiver);
  if (Array.isArray(r.groupBy) && r.groupBy.length) out.group_by = [...r.groupBy];
  const matchers = convertMatchers(r.matchers);
  if (matchers.length) out.matchers = matchers;
  if (r.continue) out.continue = true;
  if (Array.isArray(r.routes) && r.routes.length) out.routes = r.routes.map((c: Obj) => convertRoute(c, ns, name));
  if (r.groupWait) out.group_wait = r.groupWait;
  if (r.groupInterval) out.group_interval = r.groupInterval;
  if (r.repeatInterval) out.repeat_interval = r.repeatInterval;
  if (Array.isArray(r.muteTimeIntervals) && r.muteTimeIntervals.length) out.mute_time_intervals = r.muteTimeIntervals.map((m: string) => prefixed(ns, name, m));
  if (Array.isArray(r.activeTimeIntervals) && r.activeTimeIntervals.length) out.active_time_intervals = r.activeTimeIntervals.map((m: string) => prefixed(ns, name, m));
  return out;
}

/** camelCase CR field names to the Alertmanager's snake_case ("apiURL" -> "api_url", "enableHttp2" -> "enable_http2"). */
export function snakeCase(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** CR receiver list fields and the Alertmanager's names for them. */
const RECEIVER_KINDS: Record<string, string> = {
  opsgenieConfigs: 'opsgenie_configs',
  pagerdutyConfigs: 'pagerduty_configs',
  discordConfigs: 'discord_configs',
  slackConfigs: 'slack_configs',
  webhookConfigs: 'webhook_configs',
  wechatConfigs: 'wechat_configs',
  emailConfigs: 'email_configs',
  victoropsConfigs: 'victorops_configs',
  pushoverConfigs: 'pushover_configs',
  snsConfigs: 'sns_configs',
  telegramConfigs: 'telegram_configs',
  webexConfigs: 'webex_configs',
  msteamsConfigs: 'msteams_configs',
  msteamsv2Configs: 'msteamsv2_configs',
  rocketchatConfigs: 'rocketchat_configs',
};

/** Fields renamed beyond the case change. */
const RENAMES: Record<string, string> = {
  urlSecret: 'url',
  bearerTokenSecret: 'bearer_token',
  pagerDutyImageConfigs: 'images',
  pagerDutyLinkConfigs: 'links',
  keySecret: 'key',
  proxyURL: 'proxy_url',
  webhookUrl: 'webhook_url',
  tokenUrl: 'token_url',
  clientId: 'client_id',
};

/** Fields whose keys are the user's (header names, label names), not field names. */
const FREE_MAPS = new Set(['endpointParams', 'proxyConnectHeader', 'attributes', 'httpHeaders']);
/** Lists of {key, value} that the Alertmanager takes as a mapping. */
const KV_LISTS = new Set(['details', 'headers', 'customFields']);

const isKeyRef = (v: unknown): v is SecretKeyRef => isObj(v) && typeof v.key === 'string' && typeof v.name === 'string' && Object.keys(v).every((k) => k === 'key' || k === 'name' || k === 'optional');

interface Ctx {
  ns: string;
  resolve: RefResolver;
}

function convertValue(field: string, v: unknown, c: Ctx): unknown {
  if (v === null || v === undefined) return undefined;
  if (isKeyRef(v)) return c.resolve('Secret', c.ns, v);
  if (isObj(v) && (isKeyRef(v.secret) || isKeyRef(v.configMap)) && Object.keys(v).every((k) => k === 'secret' || k === 'configMap')) {
    // SecretOrConfigMap (oauth2 clientId, TLS ca/cert): the value itself (Mimir cannot read the operator's mounted files).
    return isKeyRef(v.secret) ? c.resolve('Secret', c.ns, v.secret) : c.resolve('ConfigMap', c.ns, v.configMap as SecretKeyRef);
  }
  if (KV_LISTS.has(field) && Array.isArray(v)) {
    const m: Obj = {};
    for (const kv of v) if (isObj(kv) && typeof kv.key === 'string') m[kv.key] = kv.value ?? '';
    return m;
  }
  if (FREE_MAPS.has(field) && isObj(v)) {
    const m: Obj = {};
    for (const [k, x] of Object.entries(v)) m[k] = Array.isArray(x) ? x.map((y) => convertValue('', y, c)) : convertValue('', x, c);
    return m;
  }
  if (Array.isArray(v)) return v.map((x) => convertValue('', x, c));
  if (isObj(v)) return convertObject(v, c);
  return v;
}

/** Fields that give way to another spelling of the same setting (the operator's precedence). */
const YIELDS_TO: Record<string, string> = { url: 'urlSecret', proxyUrl: 'proxyURL' };

function convertObject(o: Obj, c: Ctx): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    const over = YIELDS_TO[k];
    if (over && o[over] !== undefined && o[over] !== null && o[over] !== '') continue;
    let x: unknown;
    try {
      x = convertValue(k, v, c);
    } catch (e) {
      throw new Error(`${k}: ${(e as Error).message}`);
    }
    if (x === undefined || x === '') continue;
    out[RENAMES[k] ?? snakeCase(k)] = x;
  }
  return out;
}

/** Where a notifier's Alertmanager field differs from its CR name beyond the case. */
const KIND_FIXUPS: Record<string, (o: Obj) => Obj> = {
  // Discord's apiURL is the Alertmanager's webhook_url.
  discordConfigs: ({ api_url, ...rest }) => (api_url === undefined ? rest : { ...rest, webhook_url: api_url }),
  // A PagerDuty link's alt is the Alertmanager's text.
  pagerdutyConfigs: (o) => (Array.isArray(o.links) ? { ...o, links: o.links.map(({ alt, ...l }: Obj) => (alt === undefined ? l : { ...l, text: alt })) } : o),
};

/** A CR receiver in the Alertmanager's form: prefixed name, each notifier's fields snake_case with Secret references read. */
function convertReceiver(r: Obj, ns: string, name: string, resolve: RefResolver): Obj {
  const out: Obj = { name: prefixed(ns, name, r.name) };
  for (const [kind, configs] of Object.entries(r)) {
    if (kind === 'name' || !Array.isArray(configs) || configs.length === 0) continue;
    out[RECEIVER_KINDS[kind]] = configs.map((cfg: Obj, i: number) => {
      try {
        // TLS ca / cert / keySecret become inline ca / cert / key: Mimir cannot read the files the operator mounts.
        const o = convertObject(cfg, { ns, resolve });
        return KIND_FIXUPS[kind]?.(o) ?? o;
      } catch (e) {
        throw new Error(`receiver "${r.name}": ${kind}[${i}]: ${(e as Error).message}`);
      }
    });
  }
  return out;
}

function convertInhibitRule(ir: Obj): Obj {
  const out: Obj = {};
  const src = convertMatchers(ir.sourceMatch);
  const dst = convertMatchers(ir.targetMatch);
  if (dst.length) out.target_matchers = dst;
  if (src.length) out.source_matchers = src;
  if (Array.isArray(ir.equal) && ir.equal.length) out.equal = [...ir.equal];
  return out;
}

function inclusiveRange(r: Obj): string {
  return r.start === r.end || r.end === undefined ? String(r.start) : `${r.start}:${r.end}`;
}

function convertTimeInterval(m: Obj, ns: string, name: string): Obj {
  return {
    name: prefixed(ns, name, m.name),
    time_intervals: (Array.isArray(m.timeIntervals) ? m.timeIntervals : []).map((ti: Obj) => {
      const o: Obj = {};
      if (Array.isArray(ti.times) && ti.times.length) o.times = ti.times.map((t: Obj) => ({ start_time: t.startTime, end_time: t.endTime }));
      if (Array.isArray(ti.weekdays) && ti.weekdays.length) o.weekdays = ti.weekdays.map((w: string) => String(w).toLowerCase());
      if (Array.isArray(ti.daysOfMonth) && ti.daysOfMonth.length) o.days_of_month = ti.daysOfMonth.map(inclusiveRange);
      if (Array.isArray(ti.months) && ti.months.length) o.months = ti.months.map((x: string) => String(x).toLowerCase());
      if (Array.isArray(ti.years) && ti.years.length) o.years = [...ti.years];
      return o;
    }),
  };
}

function hasNamespaceMatcher(list: string[], m: string): boolean {
  const bare = m.replace(/ /g, '');
  return list.some((x) => x.replace(/ /g, '') === bare);
}

/**
 * Validate and convert one CR. Throws Error(reason) when it is invalid or a
 * Secret it references cannot be read; the reason names the field.
 */
export function convertAlertmanagerConfig(cr: Obj, resolve: RefResolver, o: MergeOptions): CrPart {
  validateAlertmanagerConfig(cr);
  const ns = String(cr.metadata?.namespace ?? '');
  const name = String(cr.metadata?.name ?? '');
  const spec = isObj(cr.spec) ? cr.spec : {};
  const enforce = o.strategy === 'OnNamespace' || (o.strategy === 'OnNamespaceExceptForAlertmanagerNamespace' && ns !== o.alertmanagerNamespace);
  const nsMatcher = matcherString('namespace', '=', ns);
  const inhibitRules = (Array.isArray(spec.inhibitRules) ? spec.inhibitRules : []).map((ir: Obj) => {
    const r = convertInhibitRule(ir);
    if (enforce) {
      r.source_matchers = r.source_matchers ?? [];
      r.target_matchers = r.target_matchers ?? [];
      if (!hasNamespaceMatcher(r.source_matchers, nsMatcher)) r.source_matchers.push(nsMatcher);
      if (!hasNamespaceMatcher(r.target_matchers, nsMatcher)) r.target_matchers.push(nsMatcher);
    }
    return r;
  });
  const part: CrPart = { namespace: ns, name, inhibitRules, receivers: [], muteTimeIntervals: [] };
  // As the operator: without a route, only the inhibit rules count.
  if (!isObj(spec.route)) return part;
  const route = convertRoute(spec.route, ns, name);
  if (enforce) route.matchers = [...(route.matchers ?? []), nsMatcher];
  route.continue = true;
  part.route = route;
  part.receivers = (Array.isArray(spec.receivers) ? spec.receivers : []).map((r: Obj) => convertReceiver(r, ns, name, resolve));
  part.muteTimeIntervals = (Array.isArray(spec.muteTimeIntervals) ? spec.muteTimeIntervals : []).map((m: Obj) => convertTimeInterval(m, ns, name));
  return part;
}

/** The base configuration with the parts merged in (parts sorted by namespace/name). The base is not modified. */
export function mergeAlertmanagerConfig(base: Obj, parts: readonly CrPart[]): Obj {
  const out: Obj = structuredClone(base);
  const sorted = [...parts].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  const routes = sorted.filter((p) => p.route).map((p) => p.route!);
  out.route = { ...out.route };
  if (routes.length) out.route.routes = [...routes, ...(Array.isArray(base.route.routes) ? base.route.routes : [])];
  const inhibit = sorted.flatMap((p) => p.inhibitRules);
  if (inhibit.length) out.inhibit_rules = [...(Array.isArray(base.inhibit_rules) ? base.inhibit_rules : []), ...inhibit];
  const receivers = sorted.flatMap((p) => p.receivers);
  if (receivers.length) out.receivers = [...(Array.isArray(base.receivers) ? base.receivers : []), ...receivers];
  const mutes = sorted.flatMap((p) => p.muteTimeIntervals);
  if (mutes.length) out.mute_time_intervals = [...(Array.isArray(base.mute_time_intervals) ? base.mute_time_intervals : []), ...mutes];
  return out;
}

export function renderAlertmanagerConfig(cfg: Obj): string {
  return YAML.stringify(cfg, { lineWidth: 0 });
}
