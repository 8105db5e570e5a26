// Self-signed serving certificates made with the openssl CLI (no native crypto dependency).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServingCert {
  dir: string;
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  /** Removes the temp directory. */
  dispose(): void;
}

/** Generates an EC P-256 certificate valid for `hosts` (IPs or DNS names), usable as its own CA. */
export function makeServingCert(commonName: string, hosts: string[]): ServingCert {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emu-tls-'));
  const certPath = join(dir, 'tls.crt');
  const keyPath = join(dir, 'tls.key');
  const san = [...new Set([...hosts, 'localhost', '127.0.0.1'])]
    .map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`))
    .join(',');
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyPath, '-out', certPath, '-days', '7', '-subj', `/CN=${commonName}`,
        '-addext', `subjectAltName=${san}`,
        '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
        '-addext', 'extendedKeyUsage=serverAuth',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 },
    );
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl could not create a certificate for ${commonName}: ${stderr || (e as Error).message}`);
  }
  return {
    dir,
    certPath,
    keyPath,
    cert: readFileSync(certPath, 'utf8'),
    key: readFileSync(keyPath, 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
