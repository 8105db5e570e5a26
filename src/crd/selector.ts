// Kubernetes label selectors: the Alloy `selector { match_labels, match_expression {...} }`
// block, the CR form (`matchLabels`, `matchExpressions`), matching a label
// set in memory, and the string form the API's `labelSelector` parameter takes.
import { t, type BlockSchema } from '../runtime/types.js';

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** The Kubernetes (CR) shape. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** The Alloy block shape (snake_case). */
export interface SelectorBlock {
  match_labels?: Record<string, string>;
  match_expression?: LabelSelectorRequirement[];
}

export const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export const selectorBlockSchema: BlockSchema = {
  attrs: { match_labels: { type: t.map(t.string()), default: {} } },
  blocks: {
    match_expression: {
      multiple: true,
      schema: {
        attrs: {
          key: { type: t.string(), required: true },
          operator: { type: t.string(), required: true },
          values: { type: t.array(t.string()) },
        },
      },
    },
  },
  validate: (b: SelectorBlock) => validateSelector(fromBlock(b)),
};

export function fromBlock(b: SelectorBlock | undefined): LabelSelector {
  return { matchLabels: b?.match_labels ?? {}, matchExpressions: b?.match_expression ?? [] };
}

/** Throws Error(reason) for an operator Kubernetes would refuse. */
export function validateSelector(s: LabelSelector): void {
  for (const e of s.matchExpressions ?? []) {
    if (!(OPERATORS as readonly string[]).includes(e.operator)) {
      throw new Error(`match expression on ${JSON.stringify(e.key)}: operator ${JSON.stringify(e.operator)} is not one of ${OPERATORS.join(', ')}`);
    }
    const n = e.values?.length ?? 0;
    if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0) throw new Error(`match expression on ${JSON.stringify(e.key)}: ${e.operator} needs values`);
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0) throw new Error(`match expression on ${JSON.stringify(e.key)}: ${e.operator} takes no values`);
  }
}

/** Whether the labels satisfy the selector (an empty selector matches everything). */
export function matchesSelector(s: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(s?.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of s?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** `a=b,c in (d,e),!f`: the API server's labelSelector syntax ('' for "everything"). */
export function selectorString(s: LabelSelector | undefined): string {
  const parts: string[] = [];
  for (const k of Object.keys(s?.matchLabels ?? {}).sort()) parts.push(`${k}=${s!.matchLabels![k]}`);
  for (const e of s?.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
