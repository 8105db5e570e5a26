// Label and field selectors for the emulator: the grammar is src/kube/selectors.ts; this file
// turns its syntax errors into apiserver-style 400s and knows which fields each resource has.
import { badRequest } from './status.js';
import {
  matchLabels,
  parseFieldSelectorTerms,
  parseLabelSelector as parseKubeLabelSelector,
  SelectorSyntaxError,
  type LabelRequirement,
  type LabelSelector,
} from '../../kube/selectors.js';

export { matchLabels, type LabelRequirement, type LabelSelector };

/** Parses a label selector; bad syntax is a 400 ApiError naming the selector. */
export function parseLabelSelector(input: string | undefined): LabelSelector {
  const src = (input ?? '').trim();
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why} (selector ${JSON.stringify(src)})`);
  };
  let reqs: LabelSelector;
  try {
    reqs = parseKubeLabelSelector(src);
  } catch (e) {
    if (e instanceof SelectorSyntaxError) return fail(e.reason);
    throw e;
  }
  // Stricter than apimachinery (which reads `()` as the set {""}): the emulator has always
  // rejected an empty value list, and its tests rely on that.
  for (const r of reqs) {
    if ((r.op === 'in' || r.op === 'notin') && r.values.length === 1 && r.values[0] === '') {
      fail("for 'in', 'notin' operators, values set can't be empty");
    }
  }
  return reqs;
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Fields each resource supports in fieldSelector, beyond metadata.name and metadata.namespace. */
const FIELDS: Record<string, string[]> = {
  '/pods': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  '/secrets': ['type'],
  '/nodes': ['spec.unschedulable'],
  '/namespaces': ['status.phase'],
  '/events': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  'apps/replicasets': ['status.replicas'],
};

/** Parses a field selector for resource `storageKey` (e.g. '/pods'). Throws 400 on bad syntax or unknown field. */
export function parseFieldSelector(input: string | undefined, storageKey: string): FieldRequirement[] {
  const src = (input ?? '').trim();
  if (!src) return [];
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(FIELDS[storageKey] ?? [])]);
  let terms;
  try {
    terms = parseFieldSelectorTerms(src);
  } catch (e) {
    if (!(e instanceof SelectorSyntaxError)) throw e;
    throw badRequest(e.term !== undefined ? `invalid selector: '${src}'; can't understand '${e.term}'` : `invalid selector: '${src}'; ${e.reason}`);
  }
  return terms.map(({ field: raw, op, value }) => {
    // The emulator has always tolerated blanks around the operator.
    const field = raw.trim();
    if (!allowed.has(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, op, value: value.trim() };
  });
}

function fieldValue(obj: any, field: string): string {
  if (field === 'source') return obj?.source?.component ?? obj?.reportingComponent ?? '';
  let cur: any = obj;
  for (const part of field.split('.')) cur = cur?.[part];
  if (cur === undefined || cur === null) {
    // The apiserver's field sets render missing booleans as "false" and missing strings as "".
    return field === 'spec.unschedulable' || field === 'spec.hostNetwork' ? 'false' : '';
  }
  return String(cur);
}

export function matchFields(sel: FieldRequirement[], obj: any): boolean {
  return sel.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}
