// The Authorization header of a kubelet poll, from whichever credential the
// config names (bearer_token, bearer_token_file, authorization, basic_auth,
// oauth2; validation allows at most one), else the pod's service-account token. Files
// are read on every poll so rotated credentials are picked up. `source` says
// where the credential came from, for the 401 message.
import fs from 'node:fs';
import { authorizationHeader } from '../net/http-options.js';
import type { RequestAuth } from '../net/request-auth.js';
import { revealString } from '../syntax/secret.js';
import { SERVICE_ACCOUNT_TOKEN, type KubeletArgs } from './arguments.js';
import { KubeletError } from './errors.js';

export interface Credentials {
  /** Value of the Authorization header; absent when nothing is sent. */
  header?: string;
  /** Human description of the credential's origin (never the secret itself). */
  source: string;
}

function readFile(what: string, path: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    throw new KubeletError('config', `${what} ${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * The bearer token to send. Without bearer_token(_file) the service-account
 * token is used when present (in a pod); outside a pod no token is sent.
 */
export function resolveToken(a: KubeletArgs, defaultFile = SERVICE_ACCOUNT_TOKEN): { token?: string; source: string } {
  const inline = revealString(a.bearer_token);
  if (inline !== undefined) return { token: inline.trim(), source: 'bearer_token' };
  if (a.bearer_token_file) return { token: readFile('bearer_token_file', a.bearer_token_file).toString('utf8').trim(), source: `bearer_token_file ${a.bearer_token_file}` };
  try {
    return { token: fs.readFileSync(defaultFile, 'utf8').trim(), source: `service-account token ${defaultFile}` };
  } catch {
    return { source: 'no token (no bearer_token, bearer_token_file, authorization, basic_auth, oauth2, or service-account token file)' };
  }
}

function describe(a: KubeletArgs): string | undefined {
  if (a.basic_auth) {
    const b = a.basic_auth;
    return `basic_auth (username ${JSON.stringify(b.username ?? '')}${b.password_file ? `, password_file ${b.password_file}` : ''})`;
  }
  if (a.authorization) {
    const z = a.authorization;
    return `authorization (type ${z.type || 'Bearer'}, ${z.credentials_file ? `credentials_file ${z.credentials_file}` : 'credentials'})`;
  }
  return undefined;
}

/** `auth`: the shared RequestAuth of the poller, which caches an oauth2 token across polls. */
export async function resolveCredentials(a: KubeletArgs, defaultFile = SERVICE_ACCOUNT_TOKEN, auth?: RequestAuth, signal?: AbortSignal): Promise<Credentials> {
  if (a.oauth2) {
    const source = `oauth2 (client_id ${JSON.stringify(a.oauth2.client_id ?? '')}, token_url ${a.oauth2.token_url ?? ''})`;
    if (!auth) throw new KubeletError('config', 'oauth2 needs the poller\'s token source');
    try {
      return { header: await auth.header(signal), source };
    } catch (e) {
      throw new KubeletError('unauthorized', `${source}: ${(e as Error).message}`);
    }
  }
  const block = describe(a);
  if (block) {
    try {
      return { header: await authorizationHeader({ basic_auth: a.basic_auth, authorization: a.authorization }), source: block };
    } catch (e) {
      throw new KubeletError('config', (e as Error).message);
    }
  }
  const { token, source } = resolveToken(a, defaultFile);
  return token ? { header: `Bearer ${token}`, source } : { source };
}
