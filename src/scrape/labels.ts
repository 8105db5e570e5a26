// Label handling on the sample path: merge target labels into scraped labels
// (Prometheus's mutateSampleLabels, honor_labels both ways), the labels of the
// synthetic report series, label limits. Label sets are flat pairs.
import type { LabelPairs } from '../pipeline/metrics.js';

const EXPORTED = 'exported_';

function indexOfName(pairs: readonly string[], name: string): number {
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return i;
  return -1;
}

function sortPairs(map: Map<string, string>): LabelPairs {
  const names = [...map.keys()].sort();
  const out: string[] = new Array(names.length * 2);
  for (let i = 0; i < names.length; i++) {
    out[2 * i] = names[i];
    out[2 * i + 1] = map.get(names[i])!;
  }
  return out;
}

export class DuplicateLabelError extends Error {}

/**
 * Scraped pairs (exposition order, empty values kept) + target labels -> sorted pairs.
 * honor=true: scraped labels win, target labels fill the gaps. honor=false: target
 * labels win and clashing scraped labels are kept as exported_<name> (repeatedly
 * prefixed until the name is free, shortest names first).
 */
export function mergeTargetLabels(scraped: readonly string[], target: LabelPairs, honor: boolean): LabelPairs {
  const b = new Map<string, string>();
  for (let i = 0; i < scraped.length; i += 2) {
    if (b.has(scraped[i])) throw new DuplicateLabelError(`label name ${JSON.stringify(scraped[i])} is not unique`);
    b.set(scraped[i], scraped[i + 1]);
  }
  const has = (n: string) => b.has(n); // as lset.Has on the exposed labels (empty values count)
  if (honor) {
    for (let i = 0; i < target.length; i += 2) if (!has(target[i])) b.set(target[i], target[i + 1]);
  } else {
    const conflicts: [string, string][] = [];
    const exposed = new Map(b);
    for (let i = 0; i < target.length; i += 2) {
      const existing = exposed.get(target[i]);
      if (existing) conflicts.push([target[i], existing]);
      b.set(target[i], target[i + 1]);
    }
    if (conflicts.length > 0) {
      conflicts.sort((x, y) => x[0].length - y[0].length); // stable, as Go's SliceStable
      for (let c = 0; c < conflicts.length; c++) {
        let name = conflicts[c][0];
        for (;;) {
          name = EXPORTED + name;
          const taken =
            exposed.has(name) || indexOfName(target, name) >= 0 || conflicts.slice(0, c).some((x) => x[0] === name);
          if (!taken) break;
        }
        conflicts[c][0] = name;
      }
      for (const [n, v] of conflicts) b.set(n, v);
    }
  }
  for (const [n, v] of b) if (v === '') b.delete(n); // the builder drops empty values
  return sortPairs(b);
}

/** Labels of a synthetic series: its name plus the target labels (mutateReportSampleLabels). */
export function reportLabels(name: string, target: LabelPairs): LabelPairs {
  const b = new Map<string, string>([['__name__', name]]);
  for (let i = 0; i < target.length; i += 2) {
    const prev = b.get(target[i]);
    if (prev) b.set(EXPORTED + target[i], prev);
    b.set(target[i], target[i + 1]);
  }
  return sortPairs(b);
}

export interface LabelLimits {
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
}

/** Returns the reason when a label set breaks a limit (0 = unlimited), else undefined. */
export function checkLabelLimits(pairs: LabelPairs, l: LabelLimits): string | undefined {
  const count = pairs.length / 2;
  if (l.labelLimit > 0 && count > l.labelLimit) {
    return `label_limit exceeded (metric: ${metricName(pairs)}, number of labels: ${count}, limit: ${l.labelLimit})`;
  }
  if (l.labelNameLengthLimit <= 0 && l.labelValueLengthLimit <= 0) return undefined;
  for (let i = 0; i < pairs.length; i += 2) {
    if (l.labelNameLengthLimit > 0 && pairs[i].length > l.labelNameLengthLimit) {
      return `label_name_length_limit exceeded (metric: ${metricName(pairs)}, label name: ${pairs[i]}, length: ${pairs[i].length}, limit: ${l.labelNameLengthLimit})`;
    }
    // Prometheus measures in bytes.
    const vlen = l.labelValueLengthLimit > 0 ? Buffer.byteLength(pairs[i + 1]) : 0;
    if (vlen > l.labelValueLengthLimit && l.labelValueLengthLimit > 0) {
      return `label_value_length_limit exceeded (metric: ${metricName(pairs)}, label name: ${pairs[i]}, value: ${JSON.stringify(pairs[i + 1])}, length: ${vlen}, limit: ${l.labelValueLengthLimit})`;
    }
  }
  return undefined;
}

export function metricName(pairs: LabelPairs): string {
  const i = indexOfName(pairs, '__name__');
  return i >= 0 ? pairs[i + 1] : '';
}

/** Stable identity of a label set (for series maps). */
export function pairsKey(pairs: LabelPairs): string {
  return pairs.join('\xff');
}

/** The labels metadata of a family travels with: the target's labels and __name__ = the family (sorted). */
export function metadataLabels(target: LabelPairs, family: string): LabelPairs {
  const out: string[] = [];
  let placed = false;
  for (let i = 0; i < target.length; i += 2) {
    if (!placed && target[i]! > '__name__') {
      out.push('__name__', family);
      placed = true;
    }
    out.push(target[i]!, target[i + 1]!);
  }
  if (!placed) out.push('__name__', family);
  return out;
}
