// One mapping per OTel Collector component type we ship an Alloy component
// for, following Alloy's otelcolconvert: settings the YAML sets are carried
// over under Alloy's argument names, and the Collector defaults that differ
// from Alloy's (receiver endpoints on localhost, HTTP server timeouts of 0)
// are written out so the converted config behaves like the Collector did.
import { type Block, bool, expr, num, str, strArray, strMap } from '../builder.js';
import { Block as B } from '../builder.js';
import { BRIDGE_EXPORTERS, BRIDGE_RECEIVERS } from './bridges.js';
import { type Ctx, type Obj, authRef, copy, ignoredKeys, numberOf, obj, queueBlock, retryBlock, tlsBlock } from './helpers.js';
import { hasEnvRef } from './env.js';
import { LOADBALANCING } from './loadbalancing.js';
import { PROCESSOR_MAPPINGS } from './processors.js';

export type { Ctx } from './helpers.js';

export interface Mapping {
  /** The Alloy component this type becomes. */
  component: string;
  /** Fills the block's arguments (the converter adds the output block); returns extra blocks to write after it. */
  build(block: Block, cfg: Obj, ctx: Ctx, label: string): Block[] | void;
  /** Whether the component has an output block (exporters do not). */
  hasOutput: boolean;
  /** The attribute of the component's exports other components send to ("input" unless said). */
  input?: string;
}

const CLIENT_KEYS = ['endpoint', 'compression', 'headers', 'tls', 'auth', 'timeout', 'sending_queue', 'retry_on_failure'];

/** The `client` block and the queue/retry blocks of the OTLP exporters. */
function exporterClient(block: Block, cfg: Obj, ctx: Ctx, extraClientKeys: string[]): void {
  copy(block, cfg, ['timeout'], ctx);
  const c = block.block('client');
  copy(c, cfg, ['endpoint', ...extraClientKeys, 'compression'], ctx);
  if (cfg.headers !== undefined) c.attr('headers', strMap(Object.fromEntries(Object.entries(obj(cfg.headers)).map(([k, v]) => [k, String(v)]))));
  c.append(tlsBlock(cfg.tls, ctx));
  c.attr('auth', authRef(cfg, ctx));
  queueBlock(block, 'sending_queue', cfg.sending_queue, ctx);
  retryBlock(block, 'retry_on_failure', cfg.retry_on_failure, ctx);
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
        copy(b, g, ['max_recv_msg_size_mib', 'max_concurrent_streams', 'read_buffer_size', 'write_buffer_size', 'include_metadata'], ctx);
        b.append(tlsBlock(g.tls, ctx));
        b.attr('auth', authRef(g, ctx));
      }
      if ('http' in p) {
        const h = obj(p.http);
        const b = block.block('http');
        b.attr('endpoint', str(typeof h.endpoint === 'string' ? h.endpoint : 'localhost:4318'));
        // The Collector's HTTP server has no timeouts unless set; Alloy's defaults differ.
        for (const k of ['idle_timeout', 'write_timeout', 'read_header_timeout']) b.attr(k, str(typeof h[k] === 'string' ? (h[k] as string) : '0s'));
        copy(b, h, ['include_metadata', 'traces_url_path', 'metrics_url_path', 'logs_url_path'], ctx);
        b.append(tlsBlock(h.tls, ctx));
        b.attr('auth', authRef(h, ctx));
      }
    },
  },
  ...BRIDGE_RECEIVERS,
};

export const PROCESSORS: Record<string, Mapping> = {
  batch: {
    component: 'otelcol.processor.batch',
    hasOutput: true,
    build(block, cfg, ctx) {
      ignoredKeys(cfg, ['timeout', 'send_batch_size', 'send_batch_max_size', 'metadata_keys', 'metadata_cardinality_limit'], ctx);
      copy(block, cfg, ['timeout'], ctx);
      block.attr('send_batch_size', num(numberOf(cfg, 'send_batch_size', ctx) ?? 8192));
      block.attr('send_batch_max_size', num(numberOf(cfg, 'send_batch_max_size', ctx) ?? 0));
      if (Array.isArray(cfg.metadata_keys)) block.attr('metadata_keys', strArray(cfg.metadata_keys.map(String)));
      copy(block, cfg, ['metadata_cardinality_limit'], ctx);
    },
  },
  memory_limiter: {
    component: 'otelcol.processor.memory_limiter',
    hasOutput: true,
    build(block, cfg, ctx) {
      const keys = ['check_interval', 'limit_mib', 'spike_limit_mib', 'limit_percentage', 'spike_limit_percentage'];
      ignoredKeys(cfg, keys, ctx);
      copy(block, cfg, ['check_interval', 'limit_percentage', 'spike_limit_percentage'], ctx);
      // Alloy takes sizes with units: limit_mib 400 -> limit = "400MiB".
      const limit = numberOf(cfg, 'limit_mib', ctx);
      const spike = numberOf(cfg, 'spike_limit_mib', ctx);
      if (limit !== undefined) block.attr('limit', str(`${limit}MiB`));
      if (spike !== undefined) block.attr('spike_limit', str(`${spike}MiB`));
    },
  },
  ...PROCESSOR_MAPPINGS,
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
      copy(block, cfg, [...endpoints, 'encoding'], ctx);
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
      const v = cfg.verbosity;
      copy(block, { ...cfg, verbosity: typeof v === 'string' && !hasEnvRef(v) ? v.toLowerCase() : v }, keys, ctx);
    },
  },
  loadbalancing: LOADBALANCING,
  ...BRIDGE_EXPORTERS,
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
