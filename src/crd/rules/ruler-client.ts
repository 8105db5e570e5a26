// A client of the Mimir / Loki ruler configuration API (Cortex's
// `config/v1/rules` shape): list every namespace's groups, set one group,
// delete one group. YAML bodies; the HTTP side (tenant header, auth, TLS,
// proxies, redirects, errors) is the shared config API client.
import YAML from 'yaml';
import { ConfigApiClient, ConfigApiError, type ConfigApiClientConfig } from '../api-client.js';
import type { RuleGroup } from './groups.js';

export interface RulerClientConfig extends ConfigApiClientConfig {
  /** e.g. /prometheus/config/v1/rules or /loki/api/v1/rules */
  rulesPath: string;
}

/** The ruler's errors: the shared API client's (status, recoverable). */
export { ConfigApiError as RulerError };

export type RulerState = Map<string, Map<string, RuleGroup>>;

export class RulerClient extends ConfigApiClient {
  constructor(cfg: RulerClientConfig) {
    super(cfg);
  }

  private rulesUrl(...segments: string[]): URL {
    return this.url((this.cfg as RulerClientConfig).rulesPath, ...segments);
  }

  /** Every namespace's groups. The ruler answers 404 when the tenant has none. */
  async list(): Promise<RulerState> {
    const url = this.rulesUrl();
    const r = await this.request('GET', url);
    if (r.status === 404) return new Map();
    if (r.status !== 200) this.fail('GET', url, r);
    let doc: unknown;
    try {
      doc = YAML.parse(r.body);
    } catch (e) {
      throw new ConfigApiError(r.status, `GET ${url.pathname}: invalid YAML: ${(e as Error).message}`);
    }
    const out: RulerState = new Map();
    if (doc && typeof doc === 'object') {
      for (const [ns, groups] of Object.entries(doc as Record<string, unknown>)) {
        const m = new Map<string, RuleGroup>();
        if (Array.isArray(groups)) for (const g of groups) if (g && typeof g === 'object' && typeof (g as RuleGroup).name === 'string') m.set((g as RuleGroup).name, g as RuleGroup);
        out.set(ns, m);
      }
    }
    return out;
  }

  async setGroup(namespace: string, group: RuleGroup): Promise<void> {
    const url = this.rulesUrl(namespace);
    const r = await this.request('POST', url, YAML.stringify(group));
    if (r.status < 200 || r.status >= 300) this.fail('POST', url, r);
  }

  async deleteGroup(namespace: string, name: string): Promise<void> {
    const url = this.rulesUrl(namespace, name);
    const r = await this.request('DELETE', url);
    // Already gone is as good as deleted.
    if (r.status !== 404 && (r.status < 200 || r.status >= 300)) this.fail('DELETE', url, r);
  }
}
