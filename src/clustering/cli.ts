// What `alloy run` needs from clustering: the flag definitions for its parser
// and --help, and a factory that starts the cluster from the parsed flags
// (undefined when --cluster.enabled is off: a standalone node owns everything).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Cluster } from './cluster.js';
import { clusterFlags, parseClusterFlags, type FlagSpec } from './options.js';

export function clusterFlagDefs(): FlagSpec[] {
  return clusterFlags.map((f) => ({ ...f }));
}

/** Throws (naming the flag) on bad values, so the CLI fails before starting anything. */
export function clusterFactory(flags: Record<string, string | boolean>): ((deps: { logger: Logger; metrics: Registry }) => Promise<Cluster>) | undefined {
  const opts = parseClusterFlags(flags);
  if (!opts.enabled) return undefined;
  return (deps) => Cluster.start(opts, deps);
}
