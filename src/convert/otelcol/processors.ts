// Collector processors attributes, filter, transform and k8sattributes ->
// their otelcol.processor.* components, as Alloy's otelcolconvert maps them.
// Where the Collector's default differs from Alloy's the Collector's is
// written out (transform's error_mode, k8sattributes' metadata list); a
// setting without an equivalent is an error naming it.
import { type Block, bool, str, strArray } from '../builder.js';
import { DEFAULT_METADATA } from '../../otel/k8sattributes/config.js';
import { type Ctx, type Obj, anyValue, copy, ignoredKeys, obj, stringsOf, under, unsupported } from './helpers.js';

type Mapping = { component: string; hasOutput: boolean; build(block: Block, cfg: Obj, ctx: Ctx): void };

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

// ---------------------------------------------------------------- attributes

const ACTION_KEYS = ['key', 'value', 'pattern', 'from_attribute', 'from_context', 'converted_type', 'action'];
const MATCH_LISTS = ['services', 'span_names', 'span_kinds', 'log_bodies', 'log_severity_texts', 'metric_names'];
const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** A severity number (1..24) as the short name Alloy takes ("INFO", "WARN3"); names pass through. */
function severityName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 24) return undefined;
  const base = SEVERITY_NAMES[Math.floor((v - 1) / 4)];
  const n = ((v - 1) % 4) + 1;
  return n === 1 ? base : `${base}${n}`;
}

/** include / exclude (the Collector's filterconfig.MatchProperties) -> Alloy's match block. */
function matchBlock(into: Block, name: string, v: unknown, ctx: Ctx): void {
  if (v === undefined || v === null) return;
  const m = obj(v);
  const c = under(ctx, name);
  ignoredKeys(m, ['match_type', 'regexp', ...MATCH_LISTS, 'log_severity_number', 'attributes', 'resources', 'libraries'], c);
  const b = into.block(name);
  copy(b, m, ['match_type'], c);
  for (const k of MATCH_LISTS) {
    const l = stringsOf(m, k, c);
    if (l) b.attr(k, strArray(l));
  }
  if (m.regexp !== undefined) {
    const r = obj(m.regexp);
    ignoredKeys(r, ['cacheenabled', 'cachemaxnumentries'], under(c, 'regexp'));
    copy(b.block('regexp'), r, [['cacheenabled', 'cache_enabled'], ['cachemaxnumentries', 'cache_max_num_entries']], c);
  }
  if (m.log_severity_number !== undefined) {
    const s = obj(m.log_severity_number);
    const min = severityName(s.min);
    if (min === undefined) c.diags.error(`${c.what}: log_severity_number.min ${JSON.stringify(s.min)} is not a severity (a name such as INFO or a number 1 to 24)`);
    else b.block('log_severity').attr('min', str(min)).attr('match_undefined', bool(s.match_undefined === true));
  }
  for (const [from, to] of [['attributes', 'attribute'], ['resources', 'resource']] as const) {
    for (const a of list(m[from])) {
      const kv = obj(a);
      b.block(to).attr('key', str(String(kv.key ?? ''))).attr('value', anyValue(kv.value));
    }
  }
  for (const l of list(m.libraries)) {
    const lib = obj(l);
    b.block('library').attr('name', str(String(lib.name ?? ''))).attr('version', typeof lib.version === 'string' ? str(lib.version) : undefined);
  }
}

const attributes: Mapping = {
  component: 'otelcol.processor.attributes',
  hasOutput: true,
  build(block, cfg, ctx) {
    ignoredKeys(cfg, ['actions', 'include', 'exclude'], ctx);
    list(cfg.actions).forEach((raw, i) => {
      const a = obj(raw);
      const c = under(ctx, `actions[${i}]`);
      ignoredKeys(a, ACTION_KEYS, c);
      const b = block.block('action');
      copy(b, a, ['key'], c);
      b.attr('value', anyValue(a.value));
      copy(b, a, ['pattern', 'from_attribute', 'from_context', 'converted_type', 'action'], c);
    });
    matchBlock(block, 'include', cfg.include, ctx);
    matchBlock(block, 'exclude', cfg.exclude, ctx);
  },
};

// ---------------------------------------------------------------- filter

const FILTER_LEGACY = {
  traces: { block: 'traces', conditions: 'trace_conditions', lists: [['span', 'span'], ['spanevent', 'spanevent']] },
  metrics: { block: 'metrics', conditions: 'metric_conditions', lists: [['metric', 'metric'], ['datapoint', 'datapoint']] },
  logs: { block: 'logs', conditions: 'log_conditions', lists: [['log_record', 'log']] },
} as const;

/** trace_conditions etc.: strings (context inferred, the flat form) or {context, conditions} groups. */
function conditionGroups(block: Block, name: string, v: unknown, ctx: Ctx): void {
  const items = list(v);
  const flat = items.filter((x) => typeof x === 'string') as string[];
  if (flat.length) block.block(name).attr('conditions', strArray(flat));
  items.forEach((raw, i) => {
    if (typeof raw === 'string') return;
    const g = obj(raw);
    const c = under(ctx, `${name}[${i}]`);
    ignoredKeys(g, ['context', 'conditions', 'error_mode'], c);
    unsupported(g, 'error_mode', c, 'otelcol.processor.filter has one error_mode for all conditions; set it at the top level');
    const b = block.block(name);
    copy(b, g, ['context'], c);
    b.attr('conditions', strArray(stringsOf(g, 'conditions', c) ?? []));
  });
}

const filter: Mapping = {
  component: 'otelcol.processor.filter',
  hasOutput: true,
  build(block, cfg, ctx) {
    ignoredKeys(cfg, ['error_mode', 'spans', 'traces', 'metrics', 'logs', 'profiles', 'trace_conditions', 'metric_conditions', 'log_conditions', 'profile_conditions'], ctx);
    // ignore has been the Collector's default since v0.150 and is Alloy's.
    if (typeof cfg.error_mode === 'string' && cfg.error_mode !== 'ignore') block.attr('error_mode', str(cfg.error_mode));
    const legacyMatch = 'the include/exclude match properties are not supported by otelcol.processor.filter; rewrite them as OTTL conditions';
    unsupported(cfg, 'spans', ctx, legacyMatch);
    for (const k of ['profiles', 'profile_conditions']) unsupported(cfg, k, ctx, 'profiles are not a signal of this build');
    for (const [signal, spec] of Object.entries(FILTER_LEGACY)) {
      const raw = cfg[signal];
      if (raw === undefined || raw === null) continue;
      const l = obj(raw);
      const c = under(ctx, signal);
      const known = ['resource', ...spec.lists.map(([from]) => from), ...(signal === 'traces' ? [] : ['include', 'exclude']), ...(signal === 'metrics' ? ['regexp'] : [])];
      ignoredKeys(l, known, c);
      for (const k of ['include', 'exclude', 'regexp']) if (signal !== 'traces') unsupported(l, k, c, legacyMatch);
      if (l.resource !== undefined) {
        // Our traces/metrics/logs blocks have no resource list: the same conditions as context groups (checked resource first, as the Collector does).
        const groups = [['resource', 'resource'], ...spec.lists] as const;
        for (const [from, context] of groups) {
          const conds = stringsOf(l, from, c);
          if (conds?.length) block.block(spec.conditions).attr('context', str(context)).attr('conditions', strArray(conds));
        }
        continue;
      }
      const b = block.block(spec.block);
      for (const [from] of spec.lists) {
        const conds = stringsOf(l, from, c);
        if (conds) b.attr(from, strArray(conds));
      }
    }
    for (const spec of Object.values(FILTER_LEGACY)) conditionGroups(block, spec.conditions, cfg[spec.conditions], ctx);
  },
};

// ---------------------------------------------------------------- transform

const STATEMENT_LISTS = [['trace_statements', 'trace'], ['metric_statements', 'metric'], ['log_statements', 'log']] as const;

const transform: Mapping = {
  component: 'otelcol.processor.transform',
  hasOutput: true,
  build(block, cfg, ctx) {
    ignoredKeys(cfg, ['error_mode', 'trace_statements', 'metric_statements', 'log_statements', 'profile_statements', 'flatten_data'], ctx);
    // The Collector's transform processor propagates errors unless told otherwise; Alloy's default is ignore.
    const mode = typeof cfg.error_mode === 'string' ? cfg.error_mode : 'propagate';
    if (mode !== 'ignore') block.attr('error_mode', str(mode));
    unsupported(cfg, 'profile_statements', ctx, 'profiles are not a signal of this build');
    if (cfg.flatten_data === true) ctx.diags.error(`${ctx.what}: setting "flatten_data" cannot be converted: otelcol.processor.transform has no flatten_data`);
    const flat: Partial<Record<'trace' | 'metric' | 'log', string[]>> = {};
    for (const [key, short] of STATEMENT_LISTS) {
      list(cfg[key]).forEach((raw, i) => {
        // The flat form: statements whose context is inferred from their paths.
        if (typeof raw === 'string') {
          (flat[short] ??= []).push(raw);
          return;
        }
        const s = obj(raw);
        const c = under(ctx, `${key}[${i}]`);
        ignoredKeys(s, ['context', 'statements', 'conditions', 'error_mode'], c);
        const b = block.block(key);
        if (typeof s.context === 'string') b.attr('context', str(s.context));
        else {
          c.diags.error(`${c.what}: context is required for a group of statements`);
          b.attr('context', str(''));
        }
        b.attr('statements', strArray(stringsOf(s, 'statements', c) ?? []));
        const conds = stringsOf(s, 'conditions', c);
        if (conds?.length) b.attr('conditions', strArray(conds));
        copy(b, s, ['error_mode'], c);
      });
    }
    if (Object.keys(flat).length) {
      const b = block.block('statements');
      for (const [, short] of STATEMENT_LISTS) if (flat[short]) b.attr(short, strArray(flat[short]!));
    }
  },
};

// ---------------------------------------------------------------- k8sattributes

const FIELD_EXTRACT = ['tag_name', 'key', 'key_regex', 'from'];
const FIELD_FILTER = ['key', 'value', 'op'];

const k8sattributes: Mapping = {
  component: 'otelcol.processor.k8sattributes',
  hasOutput: true,
  build(block, cfg, ctx) {
    const top = ['auth_type', 'context', 'passthrough', 'extract', 'filter', 'pod_association', 'exclude', 'wait_for_metadata', 'wait_for_metadata_timeout', 'watch_sync_period', 'pod_delete_grace_period'];
    ignoredKeys(cfg, top, ctx);
    unsupported(cfg, 'context', ctx, 'otelcol.processor.k8sattributes uses the current context of the kubeconfig file');
    if (cfg.auth_type === 'tls') ctx.diags.error(`${ctx.what}: auth_type "tls" cannot be converted: otelcol.processor.k8sattributes here authenticates with "serviceAccount", "kubeConfig" or "none"`);
    // Alloy's converter writes the auth type even when it is the default.
    block.attr('auth_type', str(typeof cfg.auth_type === 'string' ? cfg.auth_type : 'serviceAccount'));
    if (cfg.passthrough !== false) copy(block, cfg, ['passthrough'], ctx);

    const ex = obj(cfg.extract);
    const exCtx = under(ctx, 'extract');
    ignoredKeys(ex, ['metadata', 'annotations', 'labels', 'otel_annotations', 'deployment_name_from_replicaset', 'service_attributes'], exCtx);
    if (obj(ex.service_attributes).enabled === true) exCtx.diags.error(`${exCtx.what}: setting "service_attributes" cannot be converted: otelcol.processor.k8sattributes does not derive service attributes`);
    const e = block.block('extract');
    // The Collector's default list when metadata is not set (Alloy writes it, sorted).
    e.attr('metadata', strArray(stringsOf(ex, 'metadata', exCtx) ?? [...DEFAULT_METADATA].sort()));
    if (ex.otel_annotations === true) e.attr('otel_annotations', bool(true));
    if (ex.deployment_name_from_replicaset === false) e.attr('deployment_name_from_replicaset', bool(false));
    for (const [from, to] of [['annotations', 'annotation'], ['labels', 'label']] as const) {
      list(ex[from]).forEach((raw, i) => {
        const f = obj(raw);
        const c = under(exCtx, `${from}[${i}]`);
        ignoredKeys(f, FIELD_EXTRACT, c);
        copy(e.block(to), f, FIELD_EXTRACT, c);
      });
    }

    if (cfg.filter !== undefined) {
      const f = obj(cfg.filter);
      const fc = under(ctx, 'filter');
      ignoredKeys(f, ['node', 'node_from_env_var', 'namespace', 'fields', 'labels'], fc);
      const b = block.block('filter');
      // node_from_env_var: the Collector reads the node name from that variable; so does sys.env.
      if (typeof f.node_from_env_var === 'string' && f.node_from_env_var !== '') b.attr('node', str(`\${env:${f.node_from_env_var}}`));
      else copy(b, f, ['node'], fc);
      copy(b, f, ['namespace'], fc);
      for (const [from, to] of [['fields', 'field'], ['labels', 'label']] as const) {
        list(f[from]).forEach((raw, i) => {
          const x = obj(raw);
          const c = under(fc, `${from}[${i}]`);
          ignoredKeys(x, FIELD_FILTER, c);
          copy(b.block(to), x, FIELD_FILTER, c);
        });
      }
    }

    list(cfg.pod_association).forEach((raw, i) => {
      const a = obj(raw);
      const c = under(ctx, `pod_association[${i}]`);
      ignoredKeys(a, ['sources'], c);
      const b = block.block('pod_association');
      list(a.sources).forEach((s, j) => {
        const src = obj(s);
        ignoredKeys(src, ['from', 'name'], under(c, `sources[${j}]`));
        copy(b.block('source'), src, ['from', 'name'], c);
      });
    });

    if (cfg.exclude !== undefined) {
      const x = obj(cfg.exclude);
      ignoredKeys(x, ['pods'], under(ctx, 'exclude'));
      const b = block.block('exclude');
      for (const p of list(x.pods)) copy(b.block('pod'), obj(p), ['name'], ctx);
    }
    if (cfg.wait_for_metadata !== false) copy(block, cfg, ['wait_for_metadata'], ctx);
    copy(block, cfg, ['wait_for_metadata_timeout', 'watch_sync_period', 'pod_delete_grace_period'], ctx);
  },
};

export const PROCESSOR_MAPPINGS: Record<string, Mapping> = { attributes, filter, transform, k8sattributes };
