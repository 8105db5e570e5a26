// Why a discovered target was dropped by a monitor job's target relabeling:
// each rule of the job carries a note naming where it comes from (the
// component's rule blocks, the selector, the port, filterRunning, the scrape
// class, the CR's relabelings), and a dropped target is replayed rule by rule
// to find the one that dropped it. Only dropped targets are replayed.
import { applyRules, type CompiledRule, type RawRule } from '../../relabel/index.js';

export interface DroppedByRelabel {
  discovered_labels: Record<string, string>;
  reason: string;
}

/** The note of one operator-generated rule (relabelgen.ts), from the labels it reads. */
export function generatedRuleNote(r: RawRule, at: string, selectorField = 'spec.selector'): string {
  const src = r.sourceLabels ?? [];
  const first = src[0] ?? '';
  const re = JSON.stringify(r.regex ?? '');
  const sel = /^__meta_kubernetes_(service|pod|ingress)_label(?:present)?_(.+)$/.exec(first);
  const kinds: Record<string, string> = { service: 'Service', pod: 'Pod', ingress: 'Ingress' };
  if (sel) return `not selected by ${selectorField}: the ${kinds[sel[1]!]} label ${sel[2]} fails the ${r.action} rule ${re} on [${src.join(', ')}]`;
  if (/^__meta_kubernetes_endpoint(slice)?_port_name$/.test(first)) return `the endpoint port is not named ${re} (${at}.port)`;
  if (first === '__meta_kubernetes_pod_container_port_name') return `the container port is not named ${re} (${at})`;
  if (first === '__meta_kubernetes_pod_container_port_number') return `the container port number is not ${re} (${at})`;
  if (first === '__meta_kubernetes_pod_phase') return `the Pod's phase is Failed or Succeeded (${at}.filterRunning is true)`;
  return `the operator's generated ${r.action ?? 'replace'} rule on [${src.join(', ')}]`;
}

/**
 * Relabels every target; dropped ones come back with the note of the rule
 * that dropped them, at most `keepDropped` of them (all are counted).
 */
export function relabelWithReasons(
  targets: readonly Record<string, string>[],
  rules: readonly CompiledRule[],
  notes: readonly string[],
  keepDropped: number,
): { active: Record<string, string>[]; dropped: DroppedByRelabel[]; droppedTotal: number } {
  const active: Record<string, string>[] = [];
  const dropped: DroppedByRelabel[] = [];
  let droppedTotal = 0;
  for (const t of targets) {
    const r = applyRules({ ...t }, rules);
    if (r) {
      active.push(r);
      continue;
    }
    droppedTotal++;
    if (dropped.length >= keepDropped) continue;
    let labels: Record<string, string> | null = { ...t };
    let at = -1;
    for (let i = 0; i < rules.length && labels; i++) {
      labels = applyRules(labels, [rules[i]!]);
      if (!labels) at = i;
    }
    dropped.push({ discovered_labels: t, reason: at >= 0 ? `dropped by relabeling: ${notes[at] ?? `rule ${at}`}` : 'dropped by relabeling' });
  }
  return { active, dropped, droppedTotal };
}
