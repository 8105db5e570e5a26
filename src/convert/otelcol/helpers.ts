// The readers every otelcol mapping shares: YAML values to Alloy values,
// typed settings that report a value of the wrong type (an environment
// reference in a number setting included) instead of falling back to a
// default, and the report of keys a mapping does not carry over.
import { type Block, type Value, array, bool, expr, num, object, str } from '../builder.js';
import { Block as B } from '../builder.js';
import type { Diagnostics } from '../diagnostics.js';
import { hasEnvRef } from './env.js';

export type Obj = Record<string, unknown>;

export interface Ctx {
  diags: Diagnostics;
  /** The Alloy component id ("otelcol.auth.basic.default") of an activated extension. */
  extension(id: string): string | undefined;
  /** The raw config of an activated extension (for bridges that inline credentials). */
  extensionConfig?(id: string): { type: string; cfg: Obj } | undefined;
  /** Describes the component in diagnostics: `exporter "otlp/edge"`. */
  what: string;
}

export const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

export const scalar = (v: unknown): Value | undefined =>
  typeof v === 'string' ? str(v) : typeof v === 'number' ? num(v) : typeof v === 'boolean' ? bool(v) : undefined;

/** Any YAML value (lists and mappings too, keys in their order) as an Alloy value. */
export function anyValue(v: unknown): Value | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return array(v.map((x) => anyValue(x) ?? expr('null')));
  if (typeof v === 'object') return object(Object.entries(v as Obj).map(([k, x]) => [k, anyValue(x) ?? expr('null')]));
  return scalar(v);
}

/**
 * Settings that are numbers or booleans wherever they appear in a Collector
 * config. An environment reference there cannot become `sys.env(...)` (a
 * string), so it is reported instead of written.
 */
const TYPED_KEYS = new Set([
  'enabled', 'insecure', 'insecure_skip_verify', 'include_metadata', 'num_consumers', 'queue_size', 'block_on_overflow', 'wait_for_result',
  'max_recv_msg_size_mib', 'max_concurrent_streams', 'randomization_factor', 'multiplier', 'metadata_cardinality_limit',
  'limit_percentage', 'spike_limit_percentage', 'sampling_initial', 'sampling_thereafter', 'use_internal_logger', 'wait_for_ready',
  'passthrough', 'wait_for_metadata', 'otel_annotations', 'deployment_name_from_replicaset', 'return_hostnames', 'permit_without_stream',
  'add_metric_suffixes', 'send_metadata', 'cacheenabled', 'cachemaxnumentries', 'match_undefined', 'send_batch_size', 'send_batch_max_size',
  'limit_mib', 'spike_limit_mib',
]);

function typedEnv(key: string, v: unknown, ctx: Ctx): boolean {
  if (typeof v === 'string' && TYPED_KEYS.has(key) && hasEnvRef(v)) {
    ctx.diags.error(`${ctx.what}: setting ${JSON.stringify(key)} = ${JSON.stringify(v)}: an environment variable in a number or boolean setting cannot be converted (sys.env gives a string); write the value`);
    return true;
  }
  return false;
}

/** Copies the listed YAML keys that are set (same name on both sides unless renamed). */
export function copy(block: Block, cfg: Obj, keys: (string | [from: string, to: string])[], ctx?: Ctx): void {
  for (const k of keys) {
    const [from, to] = typeof k === 'string' ? [k, k] : k;
    if (ctx && typedEnv(from, cfg[from], ctx)) continue;
    block.attr(to, scalar(cfg[from]));
  }
}

/** A number setting: undefined when unset; a value of another type is an error (never a silent default). */
export function numberOf(cfg: Obj, key: string, ctx: Ctx): number | undefined {
  const v = cfg[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (!typedEnv(key, v, ctx)) ctx.diags.error(`${ctx.what}: setting ${JSON.stringify(key)} must be a number, got ${JSON.stringify(v)}`);
  return undefined;
}

/** A list of strings: undefined when unset; anything else is an error. */
export function stringsOf(cfg: Obj, key: string, ctx: Ctx): string[] | undefined {
  const v = cfg[key];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) return v.map(String);
  ctx.diags.error(`${ctx.what}: setting ${JSON.stringify(key)} must be a list of strings`);
  return undefined;
}

/** Tells the user about keys this mapping does not carry over (never a silent drop). */
export function ignoredKeys(cfg: Obj, known: string[], ctx: Ctx): void {
  for (const k of Object.keys(cfg)) if (!known.includes(k)) ctx.diags.warn(`${ctx.what}: setting ${JSON.stringify(k)} is not converted and was left out`);
}

/** A setting that changes what the component does and has no equivalent: an error naming it. */
export function unsupported(cfg: Obj, key: string, ctx: Ctx, why: string): void {
  if (cfg[key] !== undefined && cfg[key] !== null) ctx.diags.error(`${ctx.what}: setting ${JSON.stringify(key)} cannot be converted: ${why}`);
}

/** A nested context for diagnostics: `exporter "x" protocol.otlp`. */
export const under = (ctx: Ctx, path: string): Ctx => ({ ...ctx, what: `${ctx.what} ${path}` });

/** The authenticator reference of an `auth: {authenticator: X}` setting. */
export function authRef(cfg: Obj, ctx: Ctx): Value | undefined {
  const a = obj(cfg.auth).authenticator;
  if (a === undefined) return undefined;
  const id = typeof a === 'string' ? ctx.extension(a) : undefined;
  if (!id) {
    ctx.diags.error(`${ctx.what}: authenticator ${JSON.stringify(a)} is not an extension listed in service.extensions that the converter supports`);
    return undefined;
  }
  return expr(`${id}.handler`);
}

export const TLS_KEYS = ['insecure', 'insecure_skip_verify', 'ca_file', 'cert_file', 'key_file', 'server_name_override', 'min_version', 'max_version'];

export function tlsBlock(tls: unknown, ctx?: Ctx): Block | undefined {
  if (tls === undefined) return undefined;
  const t = obj(tls);
  const b = new B('tls');
  if (ctx) ignoredKeys(t, TLS_KEYS, under(ctx, 'tls'));
  copy(b, t, TLS_KEYS, ctx);
  return b;
}

const QUEUE_KEYS = ['enabled', 'num_consumers', 'queue_size', 'block_on_overflow', 'sizer', 'wait_for_result'];
const RETRY_KEYS = ['enabled', 'initial_interval', 'randomization_factor', 'multiplier', 'max_interval', 'max_elapsed_time'];

/** A Collector `sending_queue` as Alloy's queue block (named `sending_queue` or `queue`). */
export function queueBlock(into: Block, name: string, v: unknown, ctx: Ctx, enableWhenSet = false): void {
  if (v === undefined) return;
  const q = obj(v);
  const c = under(ctx, 'sending_queue');
  unsupported(q, 'storage', c, 'persistent queues (otelcol.storage.file) are not available in this build');
  unsupported(q, 'batch', c, 'exporter-side batching is not available; put otelcol.processor.batch before the exporter');
  ignoredKeys(q, [...QUEUE_KEYS, 'storage', 'batch'], c);
  const b = into.block(name);
  // A block that is off unless enabled: writing it in the Collector's config turns it on.
  if (enableWhenSet && q.enabled === undefined) b.attr('enabled', bool(true));
  copy(b, q, QUEUE_KEYS, c);
}

/** A Collector `retry_on_failure` as Alloy's retry block (named `retry_on_failure` or `retry`). */
export function retryBlock(into: Block, name: string, v: unknown, ctx: Ctx, enableWhenSet = false): void {
  if (v === undefined) return;
  const r = obj(v);
  const c = under(ctx, 'retry_on_failure');
  ignoredKeys(r, RETRY_KEYS, c);
  const b = into.block(name);
  if (enableWhenSet && r.enabled === undefined) b.attr('enabled', bool(true));
  copy(b, r, RETRY_KEYS, c);
}
