// Label and field selectors with the apiserver's grammar and matching rules.
import { badRequest } from './status.js';

export type LabelRequirement =
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = LabelRequirement[];

const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h,i>3`. Throws a 400 ApiError on bad syntax. */
export function parseLabelSelector(input: string | undefined): LabelSelector {
  const src = (input ?? '').trim();
  if (!src) return [];
  const reqs: LabelSelector = [];
  let pos = 0;
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why} (selector ${JSON.stringify(src)})`);
  };
  const skipWs = () => {
    while (pos < src.length && /\s/.test(src[pos])) pos++;
  };
  const readWord = (): string => {
    skipWs();
    const start = pos;
    while (pos < src.length && !/[\s,=!()<>]/.test(src[pos])) pos++;
    return src.slice(start, pos);
  };
  const checkKey = (k: string) => {
    if (!KEY_RE.test(k) || k.length > 317) fail(`invalid label key ${JSON.stringify(k)}`);
  };
  const checkValue = (v: string) => {
    if (!VALUE_RE.test(v) || v.length > 63) fail(`invalid label value ${JSON.stringify(v)}`);
  };
  while (pos < src.length) {
    skipWs();
    if (src[pos] === '!') {
      pos++;
      const key = readWord();
      checkKey(key);
      reqs.push({ key, op: '!' });
    } else {
      const key = readWord();
      if (!key) fail('found no key');
      checkKey(key);
      skipWs();
      const rest = src.slice(pos);
      if (pos >= src.length || src[pos] === ',') {
        reqs.push({ key, op: 'exists' });
      } else if (rest.startsWith('==') || rest.startsWith('=') || rest.startsWith('!=')) {
        const op = rest.startsWith('!=') ? '!=' : '=';
        pos += rest.startsWith('==') || rest.startsWith('!=') ? 2 : 1;
        const value = readWord();
        checkValue(value);
        reqs.push({ key, op, value });
      } else if (rest.startsWith('>') || rest.startsWith('<')) {
        pos++;
        const raw = readWord();
        const value = Number(raw);
        if (!/^-?\d+$/.test(raw)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
        reqs.push({ key, op: rest[0] === '>' ? 'gt' : 'lt', value });
      } else {
        const word = readWord();
        if (word !== 'in' && word !== 'notin') fail(`found '${word}', expected: in, notin, =, ==, !=, gt, lt`);
        skipWs();
        if (src[pos] !== '(') fail(`found '${src[pos] ?? ''}', expected: '('`);
        const close = src.indexOf(')', pos);
        if (close < 0) fail(`found '', expected: ')'`);
        const values = src
          .slice(pos + 1, close)
          .split(',')
          .map((v) => v.trim());
        if (values.length === 1 && values[0] === '') fail('for \'in\', \'notin\' operators, values set can\'t be empty');
        values.forEach(checkValue);
        pos = close + 1;
        reqs.push({ key, op: word as 'in' | 'notin', values });
      }
    }
    skipWs();
    if (pos < src.length) {
      if (src[pos] !== ',') fail(`found '${src[pos]}', expected: ',' or end of string`);
      pos++;
      skipWs();
      if (pos >= src.length) fail('found \'\', expected: identifier after \',\'');
    }
  }
  return reqs;
}

export function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return sel.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case '=':
        return has && v === r.value;
      case '!=':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v);
      case 'notin':
        return !has || !r.values.includes(v);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v)) return false;
        return r.op === 'gt' ? Number(v) > r.value : Number(v) < r.value;
      }
    }
  });
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

function unescapeField(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

/** Splits on unescaped commas. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === ',') {
      out.push(cur);
      cur = '';
    } else cur += s[i];
  }
  out.push(cur);
  return out;
}

/** Parses a field selector for resource `storageKey` (e.g. '/pods'). Throws 400 on bad syntax or unknown field. */
export function parseFieldSelector(input: string | undefined, storageKey: string): FieldRequirement[] {
  const src = (input ?? '').trim();
  if (!src) return [];
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(FIELDS[storageKey] ?? [])]);
  return splitTerms(src).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
    if (!m) throw badRequest(`invalid selector: '${src}'; can't understand '${term}'`);
    const field = m[1].trim();
    if (!allowed.has(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, op: m[2] === '!=' ? '!=' : '=', value: unescapeField(m[3]) };
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
