// Shared setup of the CRD e2e tests: the API emulator over TLS with a token
// (kubectl sends tokens only over TLS), the machine's kubectl with a private
// HOME and kubeconfig, our CRDs applied with `kubectl apply -f`.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';

export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
export const HAVE_KUBECTL = existsSync(KUBECTL);
export const CRDS_FILE = resolve(fileURLToPath(import.meta.url), '../../../manifests/crds/all.yaml');
export const TOKEN = 'crd-e2e-token';

export interface KubeEnv {
  api: KubeEmulator;
  dir: string;
  kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Write YAML to a file and `kubectl apply -f` it; throws with kubectl's stderr on failure. */
  apply(yaml: string, name?: string): Promise<string>;
  /** `kubectl delete -f` of YAML. */
  remove(yaml: string, name?: string): Promise<string>;
  /** The `client { ... }` block body for our components. */
  clientArgs: { api_server: string; bearer_token: string; tls_config: { ca_file: string } };
  close(): Promise<void>;
}

let fileSeq = 0;

/** `tokens`: more accepted bearer tokens (token -> user name in api.requests), e.g. one per collector instance. */
export async function startKubeEnv(opts: { tokens?: Record<string, string> } = {}): Promise<KubeEnv> {
  const api = await startKubeEmulator({ tls: true, token: TOKEN, tokens: opts.tokens });
  const dir = mkdtempSync(join(tmpdir(), 'crd-e2e-'));
  api.writeKubeconfig(join(dir, 'kubeconfig'));
  const env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') };
  const kubectl = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(KUBECTL, args, { env, timeout: 30_000 }, (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
  const run = async (verb: 'apply' | 'delete', yaml: string, name?: string) => {
    const file = join(dir, `${name ?? 'doc'}-${++fileSeq}.yaml`);
    writeFileSync(file, yaml);
    const r = await kubectl(verb, '-f', file);
    if (r.code !== 0) throw new Error(`kubectl ${verb} failed (${r.code}): ${r.stderr}\n${yaml}`);
    return r.stdout;
  };
  const e: KubeEnv = {
    api,
    dir,
    kubectl,
    apply: (y, n) => run('apply', y, n),
    remove: (y, n) => run('delete', y, n),
    clientArgs: { api_server: api.url, bearer_token: TOKEN, tls_config: { ca_file: api.caCertPath! } },
    close: async () => {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const r = await kubectl('apply', '-f', CRDS_FILE);
  if (r.code !== 0) throw new Error(`applying the CRDs failed: ${r.stderr}`);
  return e;
}

/**
 * `alloy run` config: prometheus.operator.servicemonitors "sm" (with
 * `smExtra` in its body) and .podmonitors "pm" on the emulator, both
 * forwarding to prometheus.remote_write "rw" at `rwUrl` with quick sends.
 */
export function operatorConfig(k: KubeEnv, rwUrl: string, smExtra = ''): string {
  const client = `client {
    api_server   = "${k.clientArgs.api_server}"
    bearer_token = "${k.clientArgs.bearer_token}"
    tls_config { ca_file = "${k.clientArgs.tls_config.ca_file}" }
  }`;
  return `
prometheus.operator.servicemonitors "sm" {
  forward_to = [prometheus.remote_write.rw.receiver]
  ${client}
  ${smExtra}
}

prometheus.operator.podmonitors "pm" {
  forward_to = [prometheus.remote_write.rw.receiver]
  ${client}
}

prometheus.remote_write "rw" {
  endpoint {
    url = "${rwUrl}"
    queue_config {
      batch_send_deadline = "200ms"
      min_backoff         = "50ms"
    }
  }
}
`;
}
