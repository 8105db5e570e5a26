// The otelcol `tls` blocks (OTel's configtls, as Alloy exposes them) turned into
// Node TLS options: one set of server options serves the HTTP receiver
// (https.createServer) and the gRPC one (ServerCredentials below); the client
// side reuses the project's TLS material loading (src/net/http-options.ts).
import fs from 'node:fs';
import type { SecureVersion } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { tlsClientOptions } from '../net/http-options.js';
import { t, type BlockSchema } from '../runtime/types.js';
import { revealString, type Secret } from '../syntax/secret.js';

/** configtls's version names. */
const VERSIONS: Record<string, SecureVersion> = { '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };

export interface TlsCommonArgs {
  ca_file?: string;
  ca_pem?: string;
  cert_file?: string;
  cert_pem?: string;
  key_file?: string;
  key_pem?: string | Secret;
  min_version?: string;
  max_version?: string;
}
export interface TlsServerArgs extends TlsCommonArgs {
  client_ca_file?: string;
}
export interface TlsClientArgs extends TlsCommonArgs {
  insecure?: boolean;
  insecure_skip_verify?: boolean;
  server_name?: string;
}

const common = {
  ca_file: { type: t.string() },
  ca_pem: { type: t.string() },
  cert_file: { type: t.string() },
  cert_pem: { type: t.string() },
  key_file: { type: t.string() },
  key_pem: { type: t.secret() },
  min_version: { type: t.string() },
  max_version: { type: t.string() },
};

function validateCommon(a: TlsCommonArgs): void {
  const both = (x: string, y: string) => {
    if ((a as Record<string, unknown>)[x] && (a as Record<string, unknown>)[y]) throw new Error(`at most one of ${x} and ${y} may be set`);
  };
  both('ca_pem', 'ca_file');
  both('cert_pem', 'cert_file');
  both('key_pem', 'key_file');
  for (const v of ['min_version', 'max_version'] as const) {
    const x = a[v];
    if (x !== undefined && x !== '' && !(x in VERSIONS)) throw new Error(`${v}: unknown TLS version ${JSON.stringify(x)} (want one of ${Object.keys(VERSIONS).join(', ')})`);
  }
}

export const tlsServerSchema: BlockSchema = {
  attrs: { ...common, client_ca_file: { type: t.string() } },
  validate: (a: TlsServerArgs) => {
    validateCommon(a);
    if (!(a.cert_file || a.cert_pem) || !(a.key_file || a.key_pem)) throw new Error('a server certificate and key are required (cert_file or cert_pem, key_file or key_pem)');
  },
};

export const tlsClientSchema: BlockSchema = {
  attrs: { ...common, insecure: { type: t.bool(), default: false }, insecure_skip_verify: { type: t.bool(), default: false }, server_name: { type: t.string() } },
  validate: validateCommon,
};

function read(where: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${where}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function versions(a: TlsCommonArgs): { minVersion: SecureVersion; maxVersion?: SecureVersion } {
  // configtls's default floor is TLS 1.2.
  const out: { minVersion: SecureVersion; maxVersion?: SecureVersion } = { minVersion: VERSIONS[a.min_version || '1.2'] };
  if (a.max_version) out.maxVersion = VERSIONS[a.max_version];
  return out;
}

export interface ServerTlsOptions {
  cert: string;
  key: string;
  ca?: string;
  requestCert: boolean;
  rejectUnauthorized: boolean;
  minVersion: SecureVersion;
  maxVersion?: SecureVersion;
}

/** Files are read now: a server picks its material up when it (re)starts. */
export function serverTlsOptions(a: TlsServerArgs, where: string): ServerTlsOptions {
  const cert = a.cert_pem || read(`${where}.cert_file`, a.cert_file!);
  const key = revealString(a.key_pem) || read(`${where}.key_file`, a.key_file!);
  const o: ServerTlsOptions = { cert, key, requestCert: false, rejectUnauthorized: false, ...versions(a) };
  if (a.client_ca_file) {
    // configtls: a client CA means every client must present a certificate it signed.
    o.ca = read(`${where}.client_ca_file`, a.client_ca_file);
    o.requestCert = true;
    o.rejectUnauthorized = true;
  }
  return o;
}

/** grpc-js credentials carrying the full Node TLS options (createSsl has no TLS versions). */
class NodeTlsServerCredentials extends grpc.ServerCredentials {
  constructor(o: ServerTlsOptions) {
    super({ requestCert: o.requestCert, rejectUnauthorized: o.rejectUnauthorized }, { cert: o.cert, key: o.key, ca: o.ca, minVersion: o.minVersion, maxVersion: o.maxVersion });
  }
  _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

export function grpcServerCredentials(a: TlsServerArgs | undefined, where: string): grpc.ServerCredentials {
  return a ? new NodeTlsServerCredentials(serverTlsOptions(a, where)) : grpc.ServerCredentials.createInsecure();
}

export interface ClientTlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  rejectUnauthorized: boolean;
  minVersion: SecureVersion;
  maxVersion?: SecureVersion;
}

export function clientTlsOptions(a: TlsClientArgs | undefined, where: string): ClientTlsOptions {
  const base = tlsClientOptions(
    a && { ca_file: a.ca_file, ca_pem: a.ca_pem, cert_file: a.cert_file, cert_pem: a.cert_pem, key_file: a.key_file, key_pem: a.key_pem, server_name: a.server_name, insecure_skip_verify: a.insecure_skip_verify },
    where,
  );
  return { ...base, ...versions(a ?? {}) };
}
