import type { KubeletEmulator, KubeletEmulatorOptions } from './types.js';

export async function startKubeletEmulator(_opts: KubeletEmulatorOptions): Promise<KubeletEmulator> {
  throw new Error('kubelet emulator: not implemented yet');
}
