// stage.tenant: sets the entry's tenant from an extracted value, a label or
// a fixed value. The tenant travels as the reserved label __tenant_id__,
// which loki.write turns into X-Scope-OrgID and removes before pushing.
import { scalarString } from './source.js';
import type { Stage, StageEntry } from './types.js';

export const TENANT_LABEL = '__tenant_id__';

export interface TenantArgs {
  label?: string;
  source?: string;
  value?: string;
}

export function tenantStage(args: TenantArgs): Stage {
  const label = args.label ?? '';
  const source = args.source ?? '';
  const value = args.value ?? '';
  const set = [label, source, value].filter((x) => x !== '').length;
  if (set === 0) throw new Error('stage.tenant: label, source or value config are required');
  if (set > 1) throw new Error('stage.tenant: label, source and value are mutually exclusive: you should set source, value or label but not all');
  return {
    name: 'tenant',
    process(e: StageEntry) {
      let id: string | undefined;
      if (source !== '') id = source in e.extracted ? scalarString(e.extracted[source]) : undefined;
      else if (label !== '') id = e.labels[label];
      else id = value;
      if (id) e.labels[TENANT_LABEL] = id;
      return true;
    },
  };
}
