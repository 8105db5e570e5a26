// The one error type of discovery.kubelet's polls: its kind is the metric
// outcome, its message the health message (it says what to fix).

export type KubeletErrorKind = 'config' | 'unauthorized' | 'forbidden' | 'tls' | 'timeout' | 'network' | 'status' | 'body';

export class KubeletError extends Error {
  constructor(
    readonly kind: KubeletErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'KubeletError';
  }
}
