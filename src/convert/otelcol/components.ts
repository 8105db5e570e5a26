// One mapping per OTel Collector component type we ship an Alloy component
// for, following Alloy's otelcolconvert: settings the YAML sets are carried
// over under Alloy's argument names, and the Collector defaults that differ
// from Alloy's (receiver endpoints on localhost, HTTP server timeouts of 0)
// are written out so the converted config behaves like the Collector did.
import { type Block, type Value, bool, expr, num, str, strArray, strMap } from '../builder.js';
import { Block as B } from '../builder.js';
import type { Diagnostics } from '../diagnostics.js';

type Obj = Record<string, unknown>;

export interface Ctx {
  diags: Diagnostics;
  /** The Alloy component id ("otelcol.auth.basic.default") of an activated extension. */
  extension(id: string): string | undefined;
  /** Describes the component in diagnostics: `exporter "otlp/edge"`. */
  what: string;
}

export interface Mapping {
  /** The Alloy component this type becomes. */
  component: string;
  /** Fills the block's arguments (the converter adds the output block). */
  build(block: Block, cfg: Obj, ctx: Ctx): void;
  /** Whether the component has an output block (exporters do not). */
  hasOutput: boolean;
}

const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const scalar = (v: unknown): Value | undefined =>
  typeof v === 'string' ? str(v) : typeof v === 'number' ? num(v) : typeof v === 'boolean' ? bool(v) : undefined;

/** Copies the listed YAML keys that are set (same name on both sides unless renamed). */
function copy(block: Block, cfg: Obj, keys: (string | [from: string, to: string])[]): void {
  for (const k of keys) {
    const [from, to] = typeof k === 'string' ? [k, k] : k;
    block.attr(to, scalar(cfg[from]));
  }
}

/** Tells the user about keys this mapping does not carry over (never a silent drop). */
function ignoredKeys(cfg: Obj, known: string[], ctx: Ctx): void {
  for (const k of Object.keys(cfg)) if (!known.includes(k)) ctx.diags.warn(`${ctx.what}: setting ${JSON.stringify(k)} is not converted and was left out`);
}

/** The authenticator reference of an `auth: {authenticator: X}` setting. */
function authRef(cfg: Obj, ctx: Ctx): Value | undefined {
  const a = obj(cfg.auth).authenticator;
  if (a === undefined) return undefined;
  const id = typeof a === 'string' ? ctx.extension(a) : undefined;
  if (!id) {
    ctx.diags.error(`${ctx.what}: authenticator ${JSON.stringify(a)} is not an extension listed in service.extensions that the converter supports`);
    return undefined;
  }
  return expr(`${id}.handler`);
}

function tlsBlock(tls: unknown): Block | undefined {
  if (tls === undefined) return undefined;
  const t = obj(tls);
  const b = new B('tls');
  copy(b, t, ['insecure', 'insecure_skip_verify', 'ca_file', 'cert_file', 'key_file', 'server_name_override', 'min_version', 'max_version']);
  return b;
}

const CLIENT_KEYS = ['endpoint', 'compression', 'headers', 'tls', 'auth', 'timeout', 'sending_queue', 'retry_on_failure'];

/** The `client` block and the queue/retry blocks of the OTLP exporters. */
function exporterClient(block: Block, cfg: Obj, ctx: Ctx, extraClientKeys: string[]): void {
  copy(block, cfg, ['timeout']);
  const c = block.block('client');
  copy(c, cfg, ['endpoint', ...extraClientKeys, 'compression']);
  if (cfg.headers !== undefined) c.attr('headers', strMap(Object.fromEntries(Object.entries(obj(cfg.headers)).map(([k, v]) => [k, String(v)]))));
  c.append(tlsBlock(cfg.tls));
  c.attr('auth', authRef(cfg, ctx));
  if (cfg.sending_queue !== undefined) copy(block.block('sending_queue'), obj(cfg.sending_queue), ['enabled', 'num_consumers', 'queue_size']);
  if (cfg.retry_on_failure !== undefined) {
    copy(block.block('retry_on_failure'), obj(cfg.retry_on_failure), ['enabled', 'initial_interval', 'randomization_factor', 'multiplier', 'max_interval', 'max_elapsed_time']);
  }
}

export const RECEIVERS: Record<string, Mapping> = {
  otlp: {
    component: 'otelcol.receiver.otlp',
    hasOutput: true,
    build(block, cfg, ctx) {
      ignoredKeys(cfg, ['protocols'], ctx);
      const p = obj(cfg.protocols);
      ignoredKeys(p, ['grpc', 'http'], { ...ctx, what: `${ctx.what} protocols` });
      if ('grpc' in p) {
        const g = obj(p.grpc);
        const b = block.block('grpc');
        b.attr('endpoint', str(typeof g.endpoint === 'string' ? g.endpoint : 'localhost:4317'));
        copy(b, g, ['max_recv_msg_size_mib', 'max_concurrent_streams', 'read_buffer_size', 'write_buffer_size', 'include_metadata']);
        b.append(tlsBlock(g.tls));
        b.attr('auth', authRef(g, ctx));
      }
      if ('http' in p) {
        const h = obj(p.http);
        const b = block.block('http');
        b.attr('endpoint', str(typeof h.endpoint === 'string' ? h.endpoint : 'localhost:4318'));
        // The Collector's HTTP server has no timeouts unless set; Alloy's defaults differ.
        for (const k of ['idle_timeout', 'write_timeout', 'read_header_timeout']) b.attr(k, str(typeof h[k] === 'string' ? (h[k] as string) : '0s'));
        copy(b, h, ['include_metadata', 'traces_url_path', 'metrics_url_path', 'logs_url_path']);
        b.append(tlsBlock(h.tls));
        b.attr('auth', authRef(h, ctx));
      }
    },
  },
};

export const PROCESSORS: Record<string, Mapping> = {
  batch: {
    component: 'otelcol.processor.batch',
    hasOutput: true,
    build(block, cfg, ctx) {
      ignoredKeys(cfg, ['timeout', 'send_batch_size', 'send_batch_max_size', 'metadata_keys', 'metadata_cardinality_limit'], ctx);
      copy(block, cfg, ['timeout']);
      block.attr('send_batch_size', num(typeof cfg.send_batch_size === 'number' ? cfg.send_batch_size : 8192));
      block.attr('send_batch_max_size', num(typeof cfg.send_batch_max_size === 'number' ? cfg.send_batch_max_size : 0));
      if (Array.isArray(cfg.metadata_keys)) block.attr('metadata_keys', strArray(cfg.metadata_keys.map(String)));
      copy(block, cfg, ['metadata_cardinality_limit']);
    },
  },
  memory_limiter: {
    component: 'otelcol.processor.memory_limiter',
    hasOutput: true,
    build(block, cfg, ctx) {
      const keys = ['check_interval', 'limit_mib', 'spike_limit_mib', 'limit_percentage', 'spike_limit_percentage'];
      ignoredKeys(cfg, keys, ctx);
      copy(block, cfg, ['check_interval', 'limit_percentage', 'spike_limit_percentage']);
      // Alloy takes sizes with units: limit_mib 400 -> limit = "400MiB".
      if (typeof cfg.limit_mib === 'number') block.attr('limit', str(`${cfg.limit_mib}MiB`));
      if (typeof cfg.spike_limit_mib === 'number') block.attr('spike_limit', str(`${cfg.spike_limit_mib}MiB`));
    },
  },
};

export const EXPORTERS: Record<string, Mapping> = {
  otlp: {
    component: 'otelcol.exporter.otlp',
    hasOutput: false,
    build(block, cfg, ctx) {
      // round_robin is Alloy's default and the converter writes nothing for it; any other balancer is reported.
      const rest = cfg.balancer_name === 'round_robin' ? { ...cfg, balancer_name: undefined } : cfg;
      ignoredKeys(Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)), CLIENT_KEYS, ctx);
      exporterClient(block, cfg, ctx, []);
    },
  },
  otlphttp: {
    component: 'otelcol.exporter.otlphttp',
    hasOutput: false,
    build(block, cfg, ctx) {
      const endpoints = ['traces_endpoint', 'metrics_endpoint', 'logs_endpoint'];
      ignoredKeys(cfg, [...CLIENT_KEYS, ...endpoints, 'encoding'], ctx);
      copy(block, cfg, [...endpoints, 'encoding']);
      exporterClient(block, cfg, ctx, []);
    },
  },
  debug: {
    component: 'otelcol.exporter.debug',
    hasOutput: false,
    build(block, cfg, ctx) {
      const keys = ['verbosity', 'sampling_initial', 'sampling_thereafter', 'use_internal_logger'];
      ignoredKeys(cfg, keys, ctx);
      // The Collector reads the level case-insensitively; our component takes it in lower case.
      copy(block, { ...cfg, verbosity: typeof cfg.verbosity === 'string' ? cfg.verbosity.toLowerCase() : cfg.verbosity }, keys);
    },
  },
};

/** Extensions: each may add helper blocks (local.file) before its own block. */
export interface ExtensionMapping {
  component: string;
  build(block: Block, cfg: Obj, ctx: Ctx, label: string): Block[];
}

export const EXTENSIONS: Record<string, ExtensionMapping> = {
  basicauth: {
    component: 'otelcol.auth.basic',
    build(block, cfg, ctx) {
      ignoredKeys(cfg, ['client_auth', 'htpasswd'], ctx);
      if (cfg.htpasswd !== undefined) ctx.diags.error(`${ctx.what}: htpasswd (server-side basic auth) is not supported by otelcol.auth.basic; only client_auth converts`);
      copy(block, obj(cfg.client_auth), ['username', 'password']);
      return [];
    },
  },
  bearertokenauth: {
    component: 'otelcol.auth.bearer',
    build(block, cfg, ctx, label) {
      ignoredKeys(cfg, ['scheme', 'token', 'filename'], ctx);
      copy(block, cfg, ['scheme']);
      if (typeof cfg.filename === 'string') {
        // The Collector reads the token from the file; Alloy's converter does so with local.file.
        const file = new B('local.file', label).attr('filename', str(cfg.filename)).attr('is_secret', bool(true));
        block.attr('token', expr(`local.file.${label}.content`));
        return [file];
      }
      copy(block, cfg, ['token']);
      return [];
    },
  },
  headers_setter: {
    component: 'otelcol.auth.headers',
    build(block, cfg, ctx) {
      ignoredKeys(cfg, ['headers'], ctx);
      for (const raw of Array.isArray(cfg.headers) ? cfg.headers : []) {
        const h = obj(raw);
        const b = block.block('header');
        copy(b, h, ['key', 'value', 'default_value', 'from_context', 'from_attribute']);
        // upsert is the default action on both sides.
        if (typeof h.action === 'string' && h.action !== 'upsert') b.attr('action', str(h.action));
      }
      return [];
    },
  },
};
