// The one User-Agent of every outbound HTTP client, in Alloy's shape
// "<product>/<version> (<os>; <deploy mode>)" (Alloy: internal/useragent). The
// deploy mode comes from AGENT_DEPLOY_MODE like Alloy's, limited to the modes
// Alloy knows, "binary" otherwise.
import { VERSION } from '../version.js';

const PRODUCT = 'alloy-ts';
const DEPLOY_MODES = new Set(['operator', 'helm', 'docker', 'deb', 'rpm', 'brew']);

export function deployMode(env: NodeJS.ProcessEnv = process.env): string {
  const mode = env.AGENT_DEPLOY_MODE ?? '';
  return DEPLOY_MODES.has(mode) ? mode : 'binary';
}

export function userAgent(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform, version: string = VERSION): string {
  return `${PRODUCT}/${version} (${platform}; ${deployMode(env)})`;
}

/** Computed once at startup: the environment does not change under a running process. */
export const USER_AGENT: string = userAgent();
