// The top-level config blocks that configure the process rather than declare
// a component: logging, http, tracing and livedebugging (Alloy's reference/config-blocks).
// Each is decoded with its schema; a bad value is a Diagnostic at the
// attribute, naming the allowed values. At most one of each per config.
import type { Block, Expr, File, Statement } from '../syntax/ast.js';
import { Diagnostic } from '../syntax/diagnostic.js';
import { references } from '../syntax/eval.js';
import { stdlib } from '../syntax/stdlib.js';
import { LOGS_RECEIVER, type LogsReceiver } from '../pipeline/logs.js';
import type { Secret } from '../syntax/secret.js';
import { decodeBlock } from './decode.js';
import { LOG_LEVELS, type LogFormat } from './logger.js';
import { t, type BlockSchema } from './types.js';

export const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];
export const TLS_VERSION_NAMES = ['TLS10', 'TLS11', 'TLS12', 'TLS13'] as const;
/** Go's cipher suite names Alloy accepts, with OpenSSL's name for each. */
export const CIPHER_SUITES: Record<string, string> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
/** Go's curve names, with OpenSSL's. */
export const CURVES: Record<string, string> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

export interface LoggingConfig {
  level: (typeof LOG_LEVELS)[number];
  format: LogFormat;
  destination: 'stderr';
  /** Receivers the process logs are also sent to (see resolveLoggingWriteTo). */
  write_to: unknown[];
}

export interface HttpTlsConfig {
  cert_file?: string;
  cert_pem?: string;
  key_file?: string;
  key_pem?: Secret;
  client_ca_file?: string;
  client_ca_pem?: string;
  client_auth_type: ClientAuthType;
  cipher_suites: string[];
  curve_preferences: string[];
  min_version?: string;
  max_version?: string;
}

export interface HttpAuthConfig {
  basic?: { username: string; password: Secret };
  filter?: { paths: string[]; authenticate_matching_paths: boolean };
}

export interface HttpConfig {
  tls?: HttpTlsConfig;
  auth?: HttpAuthConfig;
}

export interface TracingConfig {
  sampling_fraction: number;
  send_traceparent: boolean;
  write_to: unknown[];
  sampler?: { jaeger_remote?: { url: string; max_operations: number; refresh_interval: number } };
}

export interface LiveDebuggingConfig {
  enabled: boolean;
}

export interface ConfigBlocks {
  logging?: LoggingConfig;
  http?: HttpConfig;
  tracing?: TracingConfig;
  livedebugging?: LiveDebuggingConfig;
}

const liveDebuggingSchema: BlockSchema = { attrs: { enabled: { type: t.bool(), default: false } } };

const oneOf = (what: string, value: string | undefined, allowed: readonly string[]) => {
  if (value !== undefined && !allowed.includes(value)) {
    throw new Error(`${what}: unknown value ${JSON.stringify(value)} (allowed: ${allowed.join(', ')})`);
  }
};

const loggingSchema: BlockSchema = {
  attrs: {
    level: { type: t.string(), default: 'info' },
    format: { type: t.string(), default: 'logfmt' },
    destination: { type: t.string(), default: 'stderr' },
    write_to: { type: t.array(t.capsule(LOGS_RECEIVER)), default: [] },
  },
};

const tlsSchema: BlockSchema = {
  attrs: {
    cert_file: { type: t.string() },
    cert_pem: { type: t.string() },
    key_file: { type: t.string() },
    key_pem: { type: t.secret() },
    client_ca_file: { type: t.string() },
    client_ca_pem: { type: t.string() },
    client_auth_type: { type: t.string(), default: 'NoClientCert' },
    cipher_suites: { type: t.array(t.string()), default: [] },
    curve_preferences: { type: t.array(t.string()), default: [] },
    min_version: { type: t.string() },
    max_version: { type: t.string() },
  },
  // Alloy's TLSArguments.Validate, plus the names it would fail to unmarshal.
  validate(a: HttpTlsConfig) {
    if (a.client_ca_pem !== undefined && a.client_ca_file !== undefined) throw new Error('cannot specify both client_ca_pem and client_ca_file');
    if (a.cert_pem !== undefined && a.cert_file !== undefined) throw new Error('cannot specify both cert_pem and cert_file');
    if (a.key_pem !== undefined && a.key_file !== undefined) throw new Error('cannot specify both key_pem and key_file');
    if (!a.cert_pem && !a.cert_file) throw new Error('must specify either cert_pem or cert_file');
    if (!a.key_pem && !a.key_file) throw new Error('must specify either key_pem or key_file');
    oneOf('client_auth_type', a.client_auth_type, CLIENT_AUTH_TYPES);
    if ((a.client_ca_pem || a.client_ca_file) && a.client_auth_type === 'NoClientCert') {
      throw new Error('cannot specify client_ca_pem or client_ca_file when client_auth_type is NoClientCert');
    }
    for (const c of a.cipher_suites) oneOf('cipher_suites', c, Object.keys(CIPHER_SUITES));
    for (const c of a.curve_preferences) oneOf('curve_preferences', c, Object.keys(CURVES));
    oneOf('min_version', a.min_version, TLS_VERSION_NAMES);
    oneOf('max_version', a.max_version, TLS_VERSION_NAMES);
  },
};

const httpSchema: BlockSchema = {
  blocks: {
    tls: { schema: tlsSchema },
    auth: {
      schema: {
        blocks: {
          basic: { schema: { attrs: { username: { type: t.string(), required: true }, password: { type: t.secret(), required: true } } } },
          filter: { schema: { attrs: { paths: { type: t.array(t.string()), default: [] }, authenticate_matching_paths: { type: t.bool(), default: true } } } },
        },
      },
    },
  },
};

const tracingSchema: BlockSchema = {
  attrs: {
    sampling_fraction: { type: t.number(), default: 0.1 },
    send_traceparent: { type: t.bool(), default: false },
    write_to: { type: t.array(t.any()), default: [] },
  },
  blocks: {
    sampler: {
      schema: {
        blocks: {
          jaeger_remote: {
            schema: {
              attrs: {
                url: { type: t.string(), default: 'http://127.0.0.1:5778/sampling' },
                max_operations: { type: t.number(), default: 256 },
                refresh_interval: { type: t.duration(), default: 60_000 },
              },
            },
          },
        },
      },
    },
  },
};

/** Names of the config blocks handled here (the graph does not treat them as components). */
export const PROCESS_CONFIG_BLOCKS = ['logging', 'http', 'tracing', 'livedebugging'] as const;

/** Positioned errors for enumerated attributes: the Diagnostic lands on the bad value. */
function checkEnum(block: Block, attr: string, allowed: readonly string[], value: unknown): void {
  if (value === undefined || allowed.includes(value as string)) return;
  const st = block.body.find((s) => s.kind === 'attribute' && s.name === attr);
  const pos = st?.kind === 'attribute' ? st.value.pos : block.pos;
  throw new Diagnostic(pos, `logging: ${attr}: unknown value ${JSON.stringify(value)} (allowed: ${allowed.join(', ')})`);
}

/** `name.label` of every labelled top-level block: the components a config block may reference. */
function declaredIds(file: File): Set<string> {
  const ids = new Set<string>();
  for (const st of file.body) if (st.kind === 'block' && st.label !== undefined) ids.add(`${st.name}.${st.label}`);
  return ids;
}

/** References of a config block must name declared components (the component graph does not see them). */
function checkReferences(block: Block, ids: Set<string>): void {
  const walk = (body: Statement[]) => {
    for (const st of body) {
      if (st.kind === 'block') {
        walk(st.body);
        continue;
      }
      for (const { path, pos } of references(st.value)) {
        const known = path.some((_, k) => ids.has(path.slice(0, k + 1).join('.')));
        if (!known) throw new Diagnostic(pos, `reference to "${path.join('.')}": no component with that name exists`);
      }
    }
  };
  walk(block.body);
}

/**
 * The logging block's write_to receivers, evaluated against the running
 * components' exports (after the config was loaded).
 */
export function resolveLoggingWriteTo(file: File, exportsOf: (id: string) => Record<string, unknown> | undefined): LogsReceiver[] {
  const block = file.body.find((st): st is Block => st.kind === 'block' && st.name === 'logging');
  if (!block) return [];
  const tree: Record<string, any> = Object.create(null);
  for (const id of declaredIds(file)) {
    const parts = id.split('.');
    let cur = tree;
    for (const part of parts.slice(0, -1)) cur = cur[part] ??= Object.create(null);
    cur[parts[parts.length - 1]] = exportsOf(id) ?? {};
  }
  const lib = stdlib as Record<string, any>;
  const scope = { lookup: (n: string) => (n in tree ? tree[n] : Object.prototype.hasOwnProperty.call(lib, n) ? lib[n] : undefined) };
  const v = decodeBlock(block.body, loggingSchema, scope, block.pos) as LoggingConfig;
  return (v.write_to ?? []) as LogsReceiver[];
}

/**
 * Decodes the logging, http and tracing blocks of a config. Attributes that
 * reference components (write_to = [loki.write.x.receiver]) are accepted
 * unevaluated: the component graph checks those references.
 */
export function decodeConfigBlocks(file: File): ConfigBlocks {
  const out: ConfigBlocks = {};
  const seen = new Map<string, Block>();
  const scope = { lookup: (n: string) => (Object.prototype.hasOwnProperty.call(stdlib, n) ? (stdlib as Record<string, any>)[n] : undefined) };
  const skip = (e: Expr) => references(e).length > 0;
  const ids = declaredIds(file);
  for (const st of file.body) {
    if (st.kind !== 'block' || !(PROCESS_CONFIG_BLOCKS as readonly string[]).includes(st.name)) continue;
    checkReferences(st, ids);
    const prev = seen.get(st.name);
    if (prev) throw new Diagnostic(st.pos, `config block "${st.name}" already declared at ${prev.pos.file}:${prev.pos.line}:${prev.pos.col}`);
    seen.set(st.name, st);
    if (st.label !== undefined) throw new Diagnostic(st.pos, `config block "${st.name}" does not take a label`);
    switch (st.name) {
      case 'logging': {
        const v = decodeBlock(st.body, loggingSchema, scope, st.pos, { skip }) as LoggingConfig;
        checkEnum(st, 'level', LOG_LEVELS, v.level);
        checkEnum(st, 'format', ['logfmt', 'json'], v.format);
        checkEnum(st, 'destination', ['stderr'], v.destination); // windows_event_log: Windows only
        out.logging = { ...v, write_to: v.write_to ?? [] };
        break;
      }
      case 'http':
        out.http = decodeBlock(st.body, httpSchema, scope, st.pos, { skip }) as HttpConfig;
        break;
      case 'tracing': {
        const v = decodeBlock(st.body, tracingSchema, scope, st.pos, { skip }) as TracingConfig;
        out.tracing = { ...v, write_to: v.write_to ?? [] };
        break;
      }
      case 'livedebugging':
        out.livedebugging = decodeBlock(st.body, liveDebuggingSchema, scope, st.pos, { skip }) as LiveDebuggingConfig;
        break;
    }
  }
  return out;
}
