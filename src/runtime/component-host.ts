// What the HTTP API, the UI and /metrics need of the running components: the
// main controller, or the main controller together with controllers of their
// own (the remotecfg service's), whose components show under a namespace
// ("remotecfg/<id>"), as Alloy's API shows a service controller's components.
import type { Registry } from 'prom-client';
import type { Controller, NodeView } from './controller.js';

export type ComponentHost = Pick<Controller, 'isLoaded' | 'list' | 'view' | 'unhealthy' | 'componentRegistries'>;

export interface NamespacedController {
  /** The id prefix, e.g. "remotecfg". */
  namespace: string;
  controller: ComponentHost;
}

const prefixed = (ns: string, id: string) => `${ns}/${id}`;

function inNamespace(ns: string, v: NodeView): NodeView {
  return {
    ...v,
    id: prefixed(ns, v.id),
    moduleId: v.moduleId ? prefixed(ns, v.moduleId) : ns,
    createdModuleIds: v.createdModuleIds?.map((m) => prefixed(ns, m)),
    references: v.references.map((r) => prefixed(ns, r)),
    referencedBy: v.referencedBy.map((r) => prefixed(ns, r)),
  };
}

/** The main controller's components first, then each namespace's, with prefixed ids. */
export class CombinedComponentHost implements ComponentHost {
  constructor(
    private readonly main: ComponentHost,
    private readonly others: () => readonly NamespacedController[],
  ) {}

  isLoaded(): boolean {
    return this.main.isLoaded();
  }

  list(): NodeView[] {
    return [...this.main.list(), ...this.others().flatMap((o) => o.controller.list().map((v) => inNamespace(o.namespace, v)))];
  }

  view(id: string, detailed = true): NodeView | undefined {
    for (const o of this.others()) {
      if (id.startsWith(`${o.namespace}/`)) {
        const v = o.controller.view(id.slice(o.namespace.length + 1), detailed);
        return v && inNamespace(o.namespace, v);
      }
    }
    return this.main.view(id, detailed);
  }

  unhealthy(): { id: string; message: string }[] {
    return [...this.main.unhealthy(), ...this.others().flatMap((o) => o.controller.unhealthy().map((u) => ({ ...u, id: prefixed(o.namespace, u.id) })))];
  }

  componentRegistries(): Registry[] {
    return [...this.main.componentRegistries(), ...this.others().flatMap((o) => o.controller.componentRegistries())];
  }
}
