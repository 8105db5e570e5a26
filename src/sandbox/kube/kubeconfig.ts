// A kubeconfig for clients (kubectl, @kubernetes/client-node) pointing at the emulator.
import { writeFileSync } from 'node:fs';
import YAML from 'yaml';

export function kubeconfigYaml(opts: { server: string; token?: string; caPem?: string; name?: string }): string {
  const name = opts.name ?? 'emulator';
  const cluster: Record<string, unknown> = { server: opts.server };
  if (opts.caPem) cluster['certificate-authority-data'] = Buffer.from(opts.caPem).toString('base64');
  // @kubernetes/client-node refuses plain http unless this is set; kubectl accepts it for http.
  else if (opts.server.startsWith('http:')) cluster['insecure-skip-tls-verify'] = true;
  const user: Record<string, unknown> = opts.token ? { token: opts.token } : {};
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export function writeKubeconfigFile(path: string, opts: { server: string; token?: string; caPem?: string }): void {
  writeFileSync(path, kubeconfigYaml(opts), { mode: 0o600 });
}
