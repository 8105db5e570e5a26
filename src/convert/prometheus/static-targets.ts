// static_configs -> target objects: `__address__` plus the group's labels,
// one object per target (Prometheus's static target groups, flattened).
import { object, str, type Value } from '../builder.js';
import type { Fields } from '../fields.js';

export function staticTargets(groups: Fields[]): Value[] {
  const out: Value[] = [];
  for (const g of groups) {
    const targets = g.strList('targets') ?? [];
    const labels = g.strMap('labels') ?? {};
    g.finish();
    for (const t of targets) {
      if (t === '') {
        g.diags.critical(`${g.where('targets')}: empty target address`);
        continue;
      }
      const fields: [string, Value][] = [['__address__', str(t)]];
      for (const k of Object.keys(labels).sort()) if (k !== '__address__') fields.push([k, str(labels[k])]);
      out.push(object(fields));
    }
  }
  return out;
}
