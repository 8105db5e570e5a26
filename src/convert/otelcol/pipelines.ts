// The OTel Collector's service.pipelines as Alloy's converter reads them:
// pipelines grouped by the name after "/" ("traces/edge" -> group "edge"),
// components labelled from group and component name, and each component's
// next hop per signal (receiver -> first processor or the exporters,
// processor -> next processor or the exporters).
import { sanitizeLabel } from '../builder.js';

export const SIGNALS = ['metrics', 'logs', 'traces'] as const;
export type Signal = (typeof SIGNALS)[number];

export interface PipelineConfig {
  receivers: string[];
  processors: string[];
  exporters: string[];
}

export interface PipelineGroup {
  name: string;
  pipelines: Partial<Record<Signal, PipelineConfig>>;
}

/** "otlp/edge" -> type "otlp", name "edge". */
export function splitId(id: string): { type: string; name: string } {
  const i = id.indexOf('/');
  return i < 0 ? { type: id, name: '' } : { type: id.slice(0, i), name: id.slice(i + 1) };
}

/** Alloy's label for a component of a group: "default" when both names are empty, else "<group|default>_<name|default>". */
export function alloyLabel(group: string, id: string): string {
  const name = splitId(id).name;
  if (group === '' && name === '') return 'default';
  return sanitizeLabel(`${group || 'default'}_${name || 'default'}`);
}

/** Groups sorted by name (Alloy's order); throws on a bad pipeline key or a duplicate. */
export function pipelineGroups(pipelines: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] } | null>): PipelineGroup[] {
  const groups = new Map<string, PipelineGroup>();
  for (const [key, cfg] of Object.entries(pipelines)) {
    const { type, name } = splitId(key);
    if (!(SIGNALS as readonly string[]).includes(type)) throw new Error(`unknown pipeline type ${JSON.stringify(type)} in pipeline ${JSON.stringify(key)}`);
    const g = groups.get(name) ?? { name, pipelines: {} };
    if (g.pipelines[type as Signal]) throw new Error(`duplicate ${type} pipeline for pipeline named ${JSON.stringify(name)}`);
    const list = (v: unknown, what: string): string[] => {
      if (v == null) return [];
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(`pipeline ${JSON.stringify(key)}: ${what} must be a list of component ids`);
      return v as string[];
    };
    g.pipelines[type as Signal] = { receivers: list(cfg?.receivers, 'receivers'), processors: list(cfg?.processors, 'processors'), exporters: list(cfg?.exporters, 'exporters') };
    groups.set(name, g);
  }
  return [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Unique ids of one kind across the group's pipelines, in metrics, logs, traces order. */
export function idsOf(g: PipelineGroup, kind: keyof PipelineConfig): string[] {
  const out: string[] = [];
  for (const s of SIGNALS) for (const id of g.pipelines[s]?.[kind] ?? []) if (!out.includes(id)) out.push(id);
  return out;
}

export type Kind = 'receiver' | 'processor' | 'exporter';

/** The (kind, id) instances the component sends `signal` to within one group's pipeline. */
export function nextInGroup(g: PipelineGroup, kind: Kind, id: string, signal: Signal): { kind: Kind; id: string }[] {
  const p = g.pipelines[signal];
  if (!p) return [];
  const exporters = p.exporters.map((e) => ({ kind: 'exporter' as const, id: e }));
  if (kind === 'exporter') return [];
  if (kind === 'receiver') {
    if (!p.receivers.includes(id)) return [];
    return p.processors.length ? [{ kind: 'processor', id: p.processors[0] }] : exporters;
  }
  const i = p.processors.indexOf(id);
  if (i < 0) return [];
  return i + 1 < p.processors.length ? [{ kind: 'processor', id: p.processors[i + 1] }] : exporters;
}
