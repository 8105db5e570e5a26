// The `client` block of Kubernetes components (Alloy's attribute names) and
// its KubeConfig. Kept local to the logs package until the shared
// src/kube/client.ts lands; the shape is the same.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { revealString, type Secret } from '../../runtime/secret.js';
import { t, type BlockSchema } from '../../runtime/types.js';

export interface KubeClientArgs {
  api_server?: string;
  kubeconfig_file?: string;
  bearer_token?: string | Secret;
  bearer_token_file?: string;
  tls_config?: { ca_file?: string; ca_pem?: string; cert_file?: string; key_file?: string; server_name?: string; insecure_skip_verify?: boolean };
}

export const kubeClientBlock: BlockSchema = {
  attrs: {
    api_server: { type: t.string() },
    kubeconfig_file: { type: t.string() },
    bearer_token: { type: t.secret() },
    bearer_token_file: { type: t.string() },
    proxy_url: { type: t.string() },
    follow_redirects: { type: t.bool(), default: true },
    enable_http2: { type: t.bool(), default: true },
  },
  blocks: {
    tls_config: {
      schema: {
        attrs: {
          ca_file: { type: t.string() },
          ca_pem: { type: t.string() },
          cert_file: { type: t.string() },
          key_file: { type: t.string() },
          server_name: { type: t.string() },
          insecure_skip_verify: { type: t.bool(), default: false },
        },
      },
    },
  },
  validate(a: KubeClientArgs) {
    if (a.api_server && a.kubeconfig_file) throw new Error('client: api_server and kubeconfig_file are mutually exclusive');
  },
};

export function makeKubeConfigFromArgs(a: KubeClientArgs = {}): KubeConfig {
  const kc = new KubeConfig();
  if (a.kubeconfig_file) {
    kc.loadFromFile(a.kubeconfig_file);
    return kc;
  }
  if (a.api_server) {
    const tls = a.tls_config ?? {};
    const token = revealString(a.bearer_token) ?? (a.bearer_token_file ? readFileSync(a.bearer_token_file, 'utf8').trim() : undefined);
    kc.loadFromClusterAndUser(
      {
        name: 'alloy',
        server: a.api_server,
        skipTLSVerify: !!tls.insecure_skip_verify,
        caFile: tls.ca_file,
        caData: tls.ca_pem ? Buffer.from(tls.ca_pem).toString('base64') : undefined,
        tlsServerName: tls.server_name,
      },
      { name: 'alloy', token, certFile: tls.cert_file, keyFile: tls.key_file },
    );
    return kc;
  }
  // In-cluster service account, else $KUBECONFIG / ~/.kube/config.
  kc.loadFromDefault();
  return kc;
}
