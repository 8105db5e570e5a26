// The lexical structure of a config with modules. Every component belongs to
// one module: the main config (path ""), the body of a declare instance (path
// = the instance's id), a foreach child (path "foreach.x/foreach_a_1") or the
// content of an import (path = the import's id). A module sees its own
// components; a declare body also sees its arguments; a foreach template also
// sees the module around the foreach. Custom component names resolve through
// DeclareEnv chains: a declare sees the declares and imports around it.
import type { Block } from '../../syntax/ast.js';

export interface ModuleScope {
  /** Global id of the module ("" for the main config); prefixes the ids of its components. */
  path: string;
  /** Local component id ("prometheus.scrape.a") -> global node id ("x.y.z/prometheus.scrape.a"). */
  ids: Map<string, string>;
  /** Inside a declare instance: the instance node whose arguments `argument.NAME.value` reads. */
  instance?: { id: string; declare: string; arguments: Set<string> };
  /** Inside a foreach child: the item variable (`var = "each"` -> { each: item }). */
  vars?: Record<string, unknown>;
  /** A foreach template also sees the module around the foreach. */
  parent?: ModuleScope;
  /** The value of the `module_path` keyword. */
  modulePath: string;
  /** false under a foreach with enable_metrics = false: its components' metrics stay out of /metrics. */
  exposeMetrics: boolean;
}

export function globalId(m: ModuleScope, localId: string): string {
  return m.path ? `${m.path}/${localId}` : localId;
}

/** The label Alloy gives a component's metrics: the module it runs in ("/" at the top level). */
export function componentPathOf(m: ModuleScope): string {
  return `/${m.path}`;
}

export interface DeclareDef {
  name: string;
  block: Block;
  /** Where the declare was written: its body sees these declares and imports. */
  env: DeclareEnv;
  modulePath: string;
}

/** The custom component definitions visible at one place: local declares, import namespaces, then the enclosing env's. */
export class DeclareEnv {
  readonly declares = new Map<string, DeclareDef>();
  /** Import namespace -> the import node's global id. */
  readonly imports = new Map<string, string>();
  constructor(readonly parent?: DeclareEnv) {}

  findDeclare(name: string): DeclareDef | undefined {
    for (let e: DeclareEnv | undefined = this; e; e = e.parent) {
      const d = e.declares.get(name);
      if (d) return d;
    }
    return undefined;
  }

  findImport(namespace: string): string | undefined {
    for (let e: DeclareEnv | undefined = this; e; e = e.parent) {
      const id = e.imports.get(namespace);
      if (id) return id;
    }
    return undefined;
  }
}
