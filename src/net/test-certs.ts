// Test support: self-signed certificates made with the openssl CLI (no native
// crypto dependency), each usable as its own CA for 127.0.0.1.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestCert {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

/** An EC P-256 certificate for 127.0.0.1 written into `dir` as <name>.crt / <name>.key. */
export function makeTestCert(dir: string, name: string): TestCert {
  const certPath = path.join(dir, `${name}.crt`);
  const keyPath = path.join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2',
      '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE'],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 },
  );
  return { cert: fs.readFileSync(certPath, 'utf8'), key: fs.readFileSync(keyPath, 'utf8'), certPath, keyPath };
}
