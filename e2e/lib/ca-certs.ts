// A private CA and certificates it signs, made with the openssl CLI, for
// mutual-TLS tests (src/net/certs.ts makes self-signed ones only). Each leaf
// is good for server and client auth, like the Secret cert-manager writes
// (ca.crt, tls.crt, tls.key) that the chart mounts for gossip.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface CertFiles {
  /** ca.crt, tls.crt and tls.key of one identity. */
  caPath: string;
  certPath: string;
  keyPath: string;
}

export interface TestCa {
  name: string;
  certPath: string;
  keyPath: string;
  /** A certificate for `commonName` valid for `hosts` (IPs or DNS names), signed by this CA. */
  issue(commonName: string, hosts: string[]): CertFiles;
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
  } catch (e) {
    throw new Error(`openssl ${args[0]} failed: ${(e as { stderr?: Buffer }).stderr?.toString() || (e as Error).message}`);
  }
}

const san = (hosts: string[]) => hosts.map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`)).join(',');

/** A new CA (EC P-256) in `dir`/<name>-ca.{crt,key}. */
export function makeCa(dir: string, name: string): TestCa {
  fs.mkdirSync(dir, { recursive: true });
  const certPath = path.join(dir, `${name}-ca.crt`);
  const keyPath = path.join(dir, `${name}-ca.key`);
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${name} test CA`, '-keyout', keyPath, '-out', certPath,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return {
    name,
    certPath,
    keyPath,
    issue(commonName, hosts) {
      const base = path.join(dir, `${name}-${commonName}`);
      const ext = `${base}.ext`;
      fs.writeFileSync(ext, `subjectAltName=${san(hosts)}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n`);
      openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${commonName}`, '-keyout', `${base}.key`, '-out', `${base}.csr`]);
      openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', certPath, '-CAkey', keyPath, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', `${base}.crt`]);
      return { caPath: certPath, certPath: `${base}.crt`, keyPath: `${base}.key` };
    },
  };
}

/** The --cluster.* TLS flags of `alloy run` for these files. */
export function clusterTlsFlags(files: CertFiles, serverName?: string): string[] {
  return [
    '--cluster.enable-tls',
    `--cluster.tls-ca-path=${files.caPath}`,
    `--cluster.tls-cert-path=${files.certPath}`,
    `--cluster.tls-key-path=${files.keyPath}`,
    ...(serverName ? [`--cluster.tls-server-name=${serverName}`] : []),
  ];
}
