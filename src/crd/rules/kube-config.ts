// Which Kubernetes API the rules components watch. Alloy's
// mimir.rules.kubernetes and loki.rules.kubernetes have no client block and
// use controller-runtime's lookup: the KUBECONFIG file, else the in-cluster
// service account, else ~/.kube/config. Our `client` block (an extension)
// takes precedence when it names an api_server or a kubeconfig_file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AlloyKubeConfig, type KubeClientArgs, makeKubeConfig } from '../../kube/client.js';

export function rulesKubeConfig(client: KubeClientArgs | undefined, env: NodeJS.ProcessEnv = process.env): AlloyKubeConfig {
  const c = client ?? {};
  if (c.api_server || c.kubeconfig_file) return makeKubeConfig(c);
  // KUBECONFIG may list several files (merged by kubectl); we read the first.
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).find((p) => p !== '');
  if (fromEnv) return makeKubeConfig({ ...c, kubeconfig_file: fromEnv });
  if (env.KUBERNETES_SERVICE_HOST) return makeKubeConfig(c);
  const home = path.join(env.HOME ?? os.homedir(), '.kube', 'config');
  if (fs.existsSync(home)) return makeKubeConfig({ ...c, kubeconfig_file: home });
  throw new Error('no Kubernetes API configured: no client api_server or kubeconfig_file, KUBECONFIG is unset, not running in a cluster and no ~/.kube/config');
}
