// A client of the Mimir Alertmanager configuration API: GET and POST
// /api/v1/alerts, whose body is YAML with the Alertmanager configuration as
// one string (`alertmanager_config`) and the templates by file name
// (`template_files`), as mimirtool and Alloy send it. The HTTP side is the
// shared config API client.
import YAML from 'yaml';
import { ConfigApiClient, ConfigApiError, type ConfigApiClientConfig } from '../api-client.js';

export interface AlertmanagerState {
  alertmanager_config: string;
  template_files: Record<string, string>;
}

export const ALERTS_PATH = '/api/v1/alerts';

export class AlertmanagerClient extends ConfigApiClient {
  constructor(cfg: ConfigApiClientConfig) {
    super(cfg);
  }

  /** The tenant's configuration; undefined when it has none (Mimir answers 404). */
  async get(): Promise<AlertmanagerState | undefined> {
    const url = this.url(ALERTS_PATH);
    const r = await this.request('GET', url);
    if (r.status === 404) return undefined;
    if (r.status !== 200) this.fail('GET', url, r);
    let doc: any;
    try {
      doc = YAML.parse(r.body);
    } catch (e) {
      throw new ConfigApiError(r.status, `GET ${url.pathname}: invalid YAML: ${(e as Error).message}`);
    }
    return { alertmanager_config: typeof doc?.alertmanager_config === 'string' ? doc.alertmanager_config : '', template_files: doc?.template_files && typeof doc.template_files === 'object' ? doc.template_files : {} };
  }

  async set(state: AlertmanagerState): Promise<void> {
    const url = this.url(ALERTS_PATH);
    const r = await this.request('POST', url, YAML.stringify({ template_files: state.template_files, alertmanager_config: state.alertmanager_config }, { lineWidth: 0 }));
    if (r.status < 200 || r.status >= 300) this.fail('POST', url, r);
  }
}
