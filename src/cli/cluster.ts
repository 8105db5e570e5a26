// Bridges the --cluster.* flags to the clustering service.
// Until clustering lands, the flags are accepted and a standalone node owns everything.
import type { FlagDef } from './flags.js';
import type { AlloyOptions } from '../app.js';

export function clusterFlagDefs(): FlagDef[] {
  return [{ name: 'cluster.enabled', help: 'Join a cluster of collectors (gossip + hash ring)', boolean: true, default: 'false' }];
}

export function clusterFactory(flags: Record<string, string | boolean>): AlloyOptions['cluster'] {
  if (!flags['cluster.enabled']) return undefined;
  throw new Error('--cluster.enabled: clustering is not available in this build');
}
