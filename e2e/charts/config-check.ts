// Static validation of a rendered Alloy config with the runtime's own code:
// parse, plan the graph (unknown components, bad references) and decode every
// block's arguments against its schema with zero-valued exports (unknown
// attributes, wrong types) - the dry run Controller.load does, without starting anything.
import '../../src/components/index.js';
import { decodeBlock } from '../../src/runtime/decode.js';
import { zeroExportScope } from '../../src/runtime/zero-scope.js';
import { planGraph } from '../../src/runtime/graph.js';
import { getComponent } from '../../src/runtime/registry.js';
import type { Block, File } from '../../src/syntax/ast.js';
import { parse } from '../../src/syntax/parser.js';

/**
 * Components the charts emit whose implementation has not landed yet. While one
 * is unregistered, a config using it is only parsed; the full check turns on by
 * itself once the component registers. A name not listed here must be registered.
 */
export const NOT_YET_REGISTERED = new Set([
  'discovery.kubelet',
  'loki.source.kubernetes',
  'prometheus.operator.servicemonitors',
  'prometheus.operator.podmonitors',
  'mimir.rules.kubernetes',
  'loki.rules.kubernetes',
]);

export interface ConfigCheck {
  file: File;
  components: string[];
  /** Components of the config that are not registered (all in NOT_YET_REGISTERED). */
  deferred: string[];
}

/**
 * `env`: the container's environment as the config will see it (sys.env reads
 * process.env, so it is set for the duration of the check and restored).
 */
export function checkConfig(source: string, filename = 'config.alloy', env: Record<string, string> = {}): ConfigCheck {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return checkConfigNow(source, filename);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function checkConfigNow(source: string, filename: string): ConfigCheck {
  const file = parse(source, filename);
  const blocks = file.body.filter((s): s is Block => s.kind === 'block');
  const components = blocks.map((b) => b.name);
  const missing = [...new Set(components.filter((n) => n !== 'logging' && !getComponent(n)))];
  const unknown = missing.filter((n) => !NOT_YET_REGISTERED.has(n));
  if (unknown.length) throw new Error(`${filename}: unknown component(s) ${unknown.join(', ')}`);
  if (missing.length) return { file, components, deferred: missing };

  const plan = planGraph(file);
  const scope = zeroExportScope(plan.nodes);
  for (const p of plan.nodes) decodeBlock(p.block.body, p.def.args, scope, p.block.pos);
  return { file, components, deferred: [] };
}

/** Names read with sys.env("X") / env("X") in a config. */
export function envNames(source: string): string[] {
  return [...new Set([...source.matchAll(/\b(?:sys\.)?env\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
}
