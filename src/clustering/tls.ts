// gRPC credentials from --cluster.tls-* files: mutual TLS, every node both
// serves and dials with its own certificate, all signed by the given CA.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { ClusterTlsOptions } from './options.js';

export interface TlsCredentials {
  server: grpc.ServerCredentials;
  channel: grpc.ChannelCredentials;
  channelOptions: grpc.ChannelOptions;
}

export function loadTlsCredentials(tls: ClusterTlsOptions): TlsCredentials {
  const read = (what: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`cluster TLS: cannot read ${what} "${path}": ${(err as Error).message}`);
    }
  };
  const ca = read('CA certificate (--cluster.tls-ca-path)', tls.caPath);
  const cert = read('certificate (--cluster.tls-cert-path)', tls.certPath);
  const key = read('private key (--cluster.tls-key-path)', tls.keyPath);
  return {
    server: grpc.ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], true),
    channel: grpc.credentials.createSsl(ca, key, cert),
    // Peers are dialled by IP; the certificate names the service instead.
    channelOptions: tls.serverName ? { 'grpc.ssl_target_name_override': tls.serverName } : {},
  };
}
