// `alloy convert --source-format=otelcol`: an OpenTelemetry Collector config
// -> Alloy components, as Alloy's otelcolconvert builds them: the extensions
// listed in service.extensions first, then per pipeline group its receivers,
// processors and exporters, each wired to its next hop per signal. Component
// types without a mapping here are reported by name (an error, so no output
// unless --bypass-errors), never dropped silently.
import YAML from 'yaml';
import { Block, array, expr } from '../builder.js';
import type { Diagnostics } from '../diagnostics.js';
import { type Ctx, EXPORTERS, EXTENSIONS, type Mapping, PROCESSORS, RECEIVERS } from './components.js';
import { badEnvRefs, envValue } from './env.js';
import { type Kind, type PipelineGroup, SIGNALS, alloyLabel, idsOf, nextInGroup, pipelineGroups, splitId } from './pipelines.js';

type Obj = Record<string, unknown>;
const TABLES: Record<Kind, Record<string, Mapping>> = { receiver: RECEIVERS, processor: PROCESSORS, exporter: EXPORTERS };
const SECTIONS: Record<Kind, string> = { receiver: 'receivers', processor: 'processors', exporter: 'exporters' };

export function convertOtelcol(source: string, diags: Diagnostics): Block[] {
  let doc: unknown;
  try {
    doc = YAML.parse(source);
  } catch (e) {
    diags.critical(`failed to parse OpenTelemetry config: ${(e as Error).message}`);
    return [];
  }
  const cfg = (doc ?? {}) as Obj;
  if (typeof cfg !== 'object' || Array.isArray(cfg)) {
    diags.critical('failed to parse OpenTelemetry config: the document is not a mapping');
    return [];
  }
  // The Collector resolves ${...} references before it reads the config; one the converter cannot turn into sys.env stops it (as in Alloy).
  const bad = badEnvRefs(cfg);
  if (bad.length) {
    for (const b of bad) diags.critical(`failed to get otelcol config: cannot resolve the configuration: ${b}`);
    return [];
  }
  const section = (name: string): Obj => (cfg[name] && typeof cfg[name] === 'object' ? (cfg[name] as Obj) : {});
  const service = section('service');
  if (Object.keys(section('connectors')).length) diags.error(`connectors are not supported by this converter: ${Object.keys(section('connectors')).join(', ')}`);
  if (service.telemetry !== undefined) diags.warn('service.telemetry is not converted (use the logging block and the --server.http flags of alloy run)');

  let groups: PipelineGroup[];
  try {
    groups = pipelineGroups((service.pipelines ?? {}) as never);
  } catch (e) {
    diags.critical(`failed to interpret config: ${(e as Error).message}`);
    return [];
  }

  const blocks: Block[] = [];
  const extensionIds = new Map<string, string>();
  const extensions = section('extensions');
  const activated = new Set(Array.isArray(service.extensions) ? (service.extensions as string[]) : []);
  const extensionConfig = (id: string) => (activated.has(id) && id in extensions ? { type: splitId(id).type, cfg: (extensions[id] ?? {}) as Obj } : undefined);
  for (const id of Array.isArray(service.extensions) ? (service.extensions as string[]) : []) {
    const what = `extension ${JSON.stringify(id)}`;
    if (!(id in extensions)) {
      diags.critical(`service.extensions references ${JSON.stringify(id)}, which is not defined under extensions`);
      continue;
    }
    const m = EXTENSIONS[splitId(id).type];
    if (!m) {
      diags.error(`The converter does not support converting the provided ${what}: no Alloy component for extension type ${JSON.stringify(splitId(id).type)}`);
      continue;
    }
    const label = alloyLabel('', id);
    const b = new Block(m.component, label);
    const ctx: Ctx = { diags, what, extension: () => undefined };
    blocks.push(...m.build(b, (extensions[id] ?? {}) as Obj, ctx, label), b);
    extensionIds.set(id, b.id);
  }

  const idOf = (kind: Kind, group: string, id: string): string | undefined => {
    const m = TABLES[kind][splitId(id).type];
    return m && `${m.component}.${alloyLabel(group, id)}`;
  };
  // A receiver used by several groups is built once, in the first group (Alloy's dedup), and feeds them all.
  const receiverHome = new Map<string, string>();
  for (const g of groups) for (const r of idsOf(g, 'receivers')) if (!receiverHome.has(r)) receiverHome.set(r, g.name);

  const reported = new Set<string>();
  for (const g of groups) {
    for (const kind of ['receiver', 'processor', 'exporter'] as const) {
      for (const id of idsOf(g, `${kind}s` as 'receivers')) {
        if (kind === 'receiver' && receiverHome.get(id) !== g.name) continue;
        const what = `${kind} ${JSON.stringify(id)}`;
        const defs = section(SECTIONS[kind]);
        if (!(id in defs)) {
          diags.critical(`service.pipelines references ${what}, which is not defined under ${SECTIONS[kind]}`);
          continue;
        }
        const m = TABLES[kind][splitId(id).type];
        if (!m) {
          if (!reported.has(`${kind}/${id}`)) {
            diags.error(`The converter does not support converting the provided ${what}: no Alloy component for ${kind} type ${JSON.stringify(splitId(id).type)}`);
            reported.add(`${kind}/${id}`);
          }
          continue;
        }
        const label = alloyLabel(g.name, id);
        const b = new Block(m.component, label);
        const extra = m.build(b, (defs[id] ?? {}) as Obj, { diags, what, extension: (e) => extensionIds.get(e), extensionConfig }, label) ?? [];
        if (m.hasOutput) {
          const out = b.block('output');
          const from = kind === 'receiver' ? groups : [g];
          for (const s of SIGNALS) {
            const next = from.flatMap((grp) => nextInGroup(grp, kind, id, s).map((n) => idOf(n.kind, grp.name, n.id))).filter((x): x is string => !!x);
            if (next.length) out.attr(s, array([...new Set(next)].map((n) => expr(`${n}.input`))));
          }
        }
        blocks.push(b, ...extra);
      }
    }
  }
  // String values holding ${env:VAR} references become sys.env expressions; `$$` becomes `$`.
  for (const b of blocks) b.mapValues((v) => (v.kind === 'literal' && typeof v.value === 'string' ? envValue(v.value) : v));
  return blocks;
}
