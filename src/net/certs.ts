// Self-signed certificates made with the openssl CLI (no native crypto
// dependency): EC P-256, usable as their own CA, valid for the given hosts plus
// localhost and 127.0.0.1. Used by tests and by the API/kubelet emulators at
// run time (the demo), so it has no test-only dependencies.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSignedCert {
  dir: string;
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  /** Removes the files (and the directory when makeCert created it). */
  dispose(): void;
}

export interface CertOptions {
  commonName: string;
  /** IPs or DNS names the certificate is valid for, besides localhost and 127.0.0.1. */
  hosts?: string[];
  /** Where to write <fileName>.crt / .key; default: a new temp directory. */
  dir?: string;
  /** Default "tls". */
  fileName?: string;
  days?: number;
}

export function makeCert(o: CertOptions): SelfSignedCert {
  const ownDir = o.dir === undefined;
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'alloy-cert-'));
  if (!ownDir) mkdirSync(dir, { recursive: true });
  const name = o.fileName ?? 'tls';
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  const dispose = () => {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    else for (const p of [certPath, keyPath]) rmSync(p, { force: true });
  };
  const san = [...new Set([...(o.hosts ?? []), 'localhost', '127.0.0.1'])]
    .map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`))
    .join(',');
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyPath, '-out', certPath, '-days', String(o.days ?? 7), '-subj', `/CN=${o.commonName}`,
        '-addext', `subjectAltName=${san}`,
        '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
        '-addext', 'extendedKeyUsage=serverAuth,clientAuth',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 },
    );
  } catch (e) {
    dispose();
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl could not create a certificate for ${o.commonName}: ${stderr || (e as Error).message}`);
  }
  return { dir, certPath, keyPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), dispose };
}
