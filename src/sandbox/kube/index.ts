// Public face of the emulators: e2e tests and `alloy demo` import only from here.
export type {
  KubeEmulatorOptions,
  RequestLogEntry,
  Verb,
  KubeFaults,
  KubeLogs,
  KubeEmulator,
  KubeletEmulatorOptions,
  KubeletEmulator,
  KubeletRequestLogEntry,
} from './types.js';
export { startKubeEmulator } from './kube-emulator.js';
export { startKubeletEmulator } from './kubelet.js';
export { loadSampleCluster, startLogProducer } from '../fixtures/sample-cluster.js';
export { loadFixtureFile } from '../fixtures/fixture-file.js';
export { SAMPLE_NAMESPACES, SAMPLE_NODES, type LogProducer } from '../fixtures/sample-cluster.js';
