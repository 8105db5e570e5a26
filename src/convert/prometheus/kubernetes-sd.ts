// kubernetes_sd_configs -> discovery.kubernetes (every role, namespaces,
// selectors, attach_metadata, api_server / kubeconfig_file and the HTTP client
// options). Shared by the Prometheus and promtail converters.
import { roleNames } from '../../discovery/kubernetes/roles.js';

const ROLES = roleNames();
import { Block, bool, str, strArray, type Value } from '../builder.js';
import type { Fields } from '../fields.js';
import { convertHttpClient, KUBE_CLIENT } from '../http-client.js';

export interface KubernetesSd {
  block: Block;
  /** Where the API server is and how to authenticate: to repeat in loki.source.kubernetes's `client`. */
  client: Block;
  role: string;
}

/** An extra selector added by the caller (promtail limits pods to the local node). */
export interface ExtraSelector {
  role: string;
  field?: Value;
}

export function convertKubernetesSd(f: Fields, label: string, extra: ExtraSelector[] = []): KubernetesSd | undefined {
  const role = f.str('role');
  if (role === undefined) {
    f.diags.critical(`${f.path}: role missing (one of ${ROLES.join(', ')})`);
    f.finish();
    return undefined;
  }
  if (!(ROLES as readonly string[]).includes(role)) {
    f.diags.critical(`${f.where('role')}: unknown Kubernetes SD role ${JSON.stringify(role)} (one of ${ROLES.join(', ')})`);
    f.finish();
    return undefined;
  }
  const b = new Block('discovery.kubernetes', label);
  // The client settings go to a separate block first, so they can be copied as they are.
  const client = new Block('client');
  const apiServer = f.str('api_server');
  if (apiServer) client.attr('api_server', str(apiServer));
  const kubeconfig = f.str('kubeconfig_file');
  if (kubeconfig) client.attr('kubeconfig_file', str(kubeconfig));
  convertHttpClient(f, client, KUBE_CLIENT);

  b.attr('role', str(role));
  b.extend(client);

  const ns = f.obj('namespaces');
  if (ns) {
    const names = ns.strList('names') ?? [];
    const own = ns.bool('own_namespace') ?? false;
    ns.finish();
    if (names.length > 0 || own) {
      const nb = b.block('namespaces');
      if (own) nb.attr('own_namespace', bool(true));
      if (names.length > 0) nb.attr('names', strArray(names));
    }
  }

  for (const s of f.list('selectors')) {
    const sRole = s.str('role');
    const labelSel = s.str('label');
    const fieldSel = s.str('field');
    s.finish();
    if (sRole === undefined || !(ROLES as readonly string[]).includes(sRole)) {
      f.diags.critical(`${s.path}: selector role ${JSON.stringify(sRole ?? '')} is not one of ${ROLES.join(', ')}`);
      continue;
    }
    const sb = b.block('selectors');
    sb.attr('role', str(sRole));
    if (labelSel) sb.attr('label', str(labelSel));
    if (fieldSel) sb.attr('field', str(fieldSel));
  }
  for (const e of extra) {
    const sb = b.block('selectors');
    sb.attr('role', str(e.role));
    sb.attr('field', e.field);
  }

  const meta = f.obj('attach_metadata');
  if (meta) {
    const node = meta.bool('node') ?? false;
    const namespace = meta.bool('namespace') ?? false;
    meta.finish();
    if (node || namespace) {
      const mb = b.block('attach_metadata');
      if (node) mb.attr('node', bool(true));
      if (namespace) mb.attr('namespace', bool(true));
    }
  }
  f.finish();
  return { block: b, client, role };
}
