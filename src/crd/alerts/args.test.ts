// mimir.alerts.kubernetes arguments as `alloy validate` sees them (Alloy
// syntax, experimental stability), and global_config checked on update.
import '../../components/index.js';
import { validateConfig } from '../../cli/validate.js';
import { Secret } from '../../syntax/secret.js';
import { makeTestContext } from '../../../e2e/lib/component-context.js';
import { AlertsComponent } from './component.js';

const cfg = (body: string) => `mimir.alerts.kubernetes "a" {
  address       = "http://127.0.0.1:9009"
  global_config = "route: {receiver: r}\\nreceivers: [{name: r}]\\n"
${body}
}
`;
const check = (body: string, level = 'experimental') => validateConfig([{ name: 'c.alloy', source: cfg(body) }], 'c.alloy', level as never);

describe('mimir.alerts.kubernetes arguments', () => {
  test('a minimal config is valid at the experimental level only', () => {
    expect(check('')).toEqual([]);
    expect(check('', 'generally-available').join()).toMatch(/is at stability level "experimental"/);
  });

  test('matcher strategy: one of three; the Alertmanager namespace is required for the Except strategy', () => {
    expect(check('alertmanagerconfig_matcher { strategy = "None" }')).toEqual([]);
    expect(check('alertmanagerconfig_matcher {\n strategy = "OnNamespaceExceptForAlertmanagerNamespace"\n alertmanager_namespace = "monitoring"\n}')).toEqual([]);
    expect(check('alertmanagerconfig_matcher { strategy = "Everywhere" }').join()).toContain('invalid strategy in alertmanagerconfig_matcher: Everywhere');
    expect(check('alertmanagerconfig_matcher { strategy = "OnNamespaceExceptForAlertmanagerNamespace" }').join()).toContain('alertmanager_namespace has to be set');
  });

  test('address, sync_interval, selectors and at most one credential are checked', () => {
    expect(check('').length).toBe(0);
    expect(validateConfig([{ name: 'c.alloy', source: 'mimir.alerts.kubernetes "a" {\n address = "ftp://x"\n global_config = "x"\n}\n' }], 'c.alloy', 'experimental').join()).toContain('address must be http or https');
    expect(check('sync_interval = "0s"').join()).toContain('sync_interval must be greater than 0');
    expect(check('alertmanagerconfig_selector {\n match_expression {\n key = "a"\n operator = "Near"\n }\n}').join()).toContain('operator "Near" is not one of In, NotIn, Exists, DoesNotExist');
    expect(check('bearer_token = "t"\nbasic_auth {\n username = "u"\n password = "p"\n}').length).toBeGreaterThan(0);
    expect(validateConfig([{ name: 'c.alloy', source: 'mimir.alerts.kubernetes "a" {\n address = "http://x"\n}\n' }], 'c.alloy', 'experimental').join()).toMatch(/global_config/);
  });

  test('a global_config that is not an Alertmanager configuration fails the update with the reason', async () => {
    const ctx = makeTestContext({ id: 'mimir.alerts.kubernetes.args' });
    const c = new AlertsComponent(ctx);
    const base = { address: 'http://127.0.0.1:9', template_files: {}, sync_interval: 60_000, follow_redirects: true, enable_http2: true };
    try {
      await expect(c.update({ ...base, global_config: new Secret('route: [') })).rejects.toThrow(/global_config is not valid YAML/);
      await expect(c.update({ ...base, global_config: new Secret('route: {receiver: pager}\nreceivers: [{name: "null"}]') })).rejects.toThrow('global_config: undefined receiver "pager" used in route');
    } finally {
      await c.stop();
    }
  });
});
