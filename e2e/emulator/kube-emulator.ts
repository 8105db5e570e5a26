import type { KubeEmulator, KubeEmulatorOptions } from './types.js';

export async function startKubeEmulator(_opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  throw new Error('kube emulator: not implemented yet');
}
