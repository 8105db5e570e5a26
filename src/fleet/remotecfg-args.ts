// The remotecfg config block (Alloy's reference/config-blocks/remotecfg):
// where the fleet management API is, who this collector says it is, how
// often to ask, and the one HTTP client block. Decoded from the main config
// like the logging/http/tracing blocks; at most one, without a label.
import type { Block, File } from '../syntax/ast.js';
import { Diagnostic } from '../syntax/diagnostic.js';
import { stdlib } from '../syntax/stdlib.js';
import { httpClientSchema, validateHttpClient, type FullHttpClientArgs } from '../net/client-schema.js';
import { decodeBlock } from '../runtime/decode.js';
import { t, type BlockSchema } from '../runtime/types.js';

export const REMOTECFG_BLOCK = 'remotecfg';
/** Attribute keys under this prefix are the collector's own (collector.os, collector.version). */
export const RESERVED_ATTRIBUTE_PREFIX = 'collector.';
export const MIN_POLL_FREQUENCY_MS = 10_000;

export interface RemotecfgArgs extends FullHttpClientArgs {
  url: string;
  /** Unset: the seed's UID (see seed.ts), filled in by the service. */
  id?: string;
  name: string;
  attributes: Record<string, string>;
  poll_frequency: number;
}

const client = httpClientSchema();

export const remotecfgSchema: BlockSchema = {
  attrs: {
    url: { type: t.string(), default: '' },
    id: { type: t.string() },
    name: { type: t.string(), default: '' },
    attributes: { type: t.map(t.string()), default: {} },
    poll_frequency: { type: t.duration(), default: 60_000 },
    ...client.attrs,
  },
  blocks: client.blocks,
  validate(a: RemotecfgArgs) {
    if (a.poll_frequency < MIN_POLL_FREQUENCY_MS) throw new Error(`poll_frequency must be at least "10s", got ${a.poll_frequency / 1000}s`);
    for (const k of Object.keys(a.attributes)) {
      if (k.startsWith(RESERVED_ATTRIBUTE_PREFIX)) throw new Error(`attributes: ${JSON.stringify(k)}: the "collector" namespace is reserved for the collector's own attribute keys`);
    }
    validateHttpClient(a);
  },
};

/** The remotecfg block of a config, decoded and validated; undefined without one. */
export function decodeRemotecfg(file: File): RemotecfgArgs | undefined {
  let found: Block | undefined;
  for (const st of file.body) {
    if (st.kind !== 'block' || st.name !== REMOTECFG_BLOCK) continue;
    if (found) throw new Diagnostic(st.pos, `config block "remotecfg" already declared at ${found.pos.file}:${found.pos.line}:${found.pos.col}`);
    if (st.label !== undefined) throw new Diagnostic(st.pos, 'config block "remotecfg" does not take a label');
    found = st;
  }
  if (!found) return undefined;
  const scope = { lookup: (n: string) => (Object.prototype.hasOwnProperty.call(stdlib, n) ? (stdlib as Record<string, any>)[n] : undefined) };
  return decodeBlock(found.body, remotecfgSchema, scope, found.pos) as RemotecfgArgs;
}
