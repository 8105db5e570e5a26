// Standalone emulator for manual use:
//   node --import tsx src/sandbox/kube/main.ts --port 0 [--fixture file.yaml] [--sample] [--logs 1000]
//        [--token T] [--tls] [--kubeconfig path] [--kubelet node-a]
// Prints the API URL on the first line of stdout, then runs until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { loadFixtureFile } from '../fixtures/fixture-file.js';
import { loadSampleCluster, startLogProducer } from '../fixtures/sample-cluster.js';
import { startKubeEmulator } from './kube-emulator.js';
import { startKubeletEmulator } from './kubelet.js';
import type { KubeletEmulator } from './types.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      token: { type: 'string' },
      tls: { type: 'boolean', default: false },
      fixture: { type: 'string', multiple: true },
      sample: { type: 'boolean', default: false },
      logs: { type: 'string' },
      kubeconfig: { type: 'string' },
      kubelet: { type: 'string', multiple: true },
      'kubelet-token': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port number: ${values.port}`);
  const api = await startKubeEmulator({ host: values.host, port, token: values.token, tls: values.tls });
  const kubelets: KubeletEmulator[] = [];
  const stop = async () => {
    await Promise.all(kubelets.map((k) => k.close()));
    await api.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (values.sample) loadSampleCluster(api);
  for (const f of values.fixture ?? []) loadFixtureFile(api, f);
  if (values.logs) startLogProducer(api, { intervalMs: Number(values.logs) });
  if (values.kubeconfig) api.writeKubeconfig(values.kubeconfig);
  console.log(api.url);
  for (const nodeName of values.kubelet ?? []) {
    const k = await startKubeletEmulator({ api, nodeName, token: values['kubelet-token'] ?? values.token ?? 'kubelet-token', host: values.host });
    kubelets.push(k);
    console.log(`kubelet ${nodeName}: ${k.url} (CA ${k.caCertPath})`);
  }
}

main().catch((e) => {
  console.error(`kube emulator: ${(e as Error).message}`);
  process.exit(1);
});
