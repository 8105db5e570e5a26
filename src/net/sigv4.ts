// The `sigv4` block of an HTTP client (Alloy's names and defaults, from
// prometheus/sigv4): every request is signed with AWS Signature Version 4 for
// `service_name` ("aps", Amazon Managed Service for Prometheus) in the
// resolved region, with credentials from aws-credentials.ts.
import { t, type BlockSchema } from '../runtime/types.js';
import { revealString, type Secret } from '../syntax/secret.js';
import { AwsCredentialSource, resolveRegion, type AwsEnvOptions } from './aws-credentials.js';
import { signV4, type SignableRequest } from './sigv4-sign.js';

export interface SigV4Config {
  region?: string;
  access_key?: string;
  secret_key?: string | Secret;
  profile?: string;
  role_arn?: string;
  external_id?: string;
  use_fips_sts_endpoint?: boolean;
  service_name?: string;
}

export const DEFAULT_SIGV4_SERVICE = 'aps';

export const sigv4Schema: BlockSchema = {
  attrs: {
    region: { type: t.string() },
    access_key: { type: t.string() },
    secret_key: { type: t.secret() },
    profile: { type: t.string() },
    role_arn: { type: t.string() },
    external_id: { type: t.string() },
    use_fips_sts_endpoint: { type: t.bool(), default: false },
    service_name: { type: t.string(), default: DEFAULT_SIGV4_SERVICE },
  },
  validate: (c: SigV4Config) => validateSigV4(c),
};

/** Alloy's rules: keys come in pairs; external_id only with role_arn. */
export function validateSigV4(c: SigV4Config | undefined, where = 'sigv4'): void {
  if (!c) return;
  const secret = revealString(c.secret_key) ?? '';
  if (!c.access_key !== !secret) throw new Error(`${where}: must provide an AWS SigV4 access key and secret key if credentials are specified in the SigV4 config`);
  if (c.external_id && !c.role_arn) throw new Error(`${where}: external_id can only be used with role_arn`);
}

export class SigV4Signer {
  readonly #creds: AwsCredentialSource;
  readonly #service: string;
  readonly #now: () => number;

  /** Throws when no region can be found (as Prometheus does when the client is built). */
  constructor(cfg: SigV4Config, o: AwsEnvOptions = {}) {
    validateSigV4(cfg);
    const env = o.env ?? process.env;
    const plain = { ...cfg, secret_key: revealString(cfg.secret_key) };
    const region = resolveRegion(plain, env);
    if (!region) throw new Error('sigv4: region not configured in sigv4 or in default credentials chain');
    this.#creds = new AwsCredentialSource(plain, region, o);
    this.#service = cfg.service_name || DEFAULT_SIGV4_SERVICE;
    this.#now = o.now ?? Date.now;
  }

  get region(): string {
    return this.#creds.region;
  }

  get assumeRoleCalls(): number {
    return this.#creds.assumeCalls;
  }

  /** The headers that sign `req` (Authorization, X-Amz-Date, X-Amz-Security-Token). */
  async sign(req: SignableRequest): Promise<Record<string, string>> {
    const creds = await this.#creds.get();
    return signV4(req, creds, this.#creds.region, this.#service, new Date(this.#now()));
  }
}
