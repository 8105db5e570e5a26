// Points the Kubernetes clients of a rendered config at a kubeconfig (the chart
// config uses the in-cluster config, which a test process does not have):
// components with a `kubeconfig_file` attribute get it, those with a `client`
// block get `client { kubeconfig_file = ... }`, those with `auth_type` get
// auth_type = "kubeConfig" (with KUBECONFIG set by the caller).
import '../../src/components/index.js';
import { getComponent } from '../../src/runtime/registry.js';

export function withKubeconfig(config: string, kubeconfig: string): string {
  return config.replace(/^([a-z][a-z0-9_.]*) "([A-Za-z0-9_]+)" \{$/gm, (line, name: string) => {
    const def = getComponent(name);
    // otelcol.processor.k8sattributes: auth_type "kubeConfig" reads KUBECONFIG (the test sets it).
    if (def?.args.attrs?.auth_type) return `${line}\n  auth_type = "kubeConfig"`;
    if (def?.args.attrs?.kubeconfig_file) return `${line}\n  kubeconfig_file = ${JSON.stringify(kubeconfig)}`;
    if (def?.args.blocks?.client?.schema.attrs?.kubeconfig_file) return `${line}\n  client {\n    kubeconfig_file = ${JSON.stringify(kubeconfig)}\n  }`;
    return line;
  });
}
