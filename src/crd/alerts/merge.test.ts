// The AlertmanagerConfig merge: names prefixed with namespace/name, one
// sub-route per CR before the base's routes with continue and the namespace
// matcher, inhibit rules scoped to the namespace, the three matcher
// strategies, Secret references read, and the operator's validation.
import YAML from 'yaml';
import { convertAlertmanagerConfig, mergeAlertmanagerConfig, parseBaseConfig, renderAlertmanagerConfig, snakeCase, type RefResolver } from './merge.js';

const BASE = `global:
  resolve_timeout: 5m
route:
  receiver: "null"
  routes:
  - receiver: base-pager
    matchers: ['severity="page"']
receivers:
- name: "null"
- name: base-pager
inhibit_rules:
- source_matchers: ['severity="critical"']
  target_matchers: ['severity="warning"']
templates:
- default_template
`;

const cr = (namespace: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'AlertmanagerConfig', metadata: { namespace, name }, spec });

const noSecrets: RefResolver = (kind, ns, ref) => {
  throw new Error(`${kind} ${ns}/${ref.name} not found`);
};
const ON_NS = { strategy: 'OnNamespace' as const };

// The two CRs of Alloy's documented example.
const CONFIG1 = cr('testing', 'alertmgr-config1', {
  route: { receiver: 'null', routes: [{ receiver: 'myamc', continue: true }] },
  receivers: [{ name: 'null' }, { name: 'myamc', webhookConfigs: [{ url: 'http://test.url', httpConfig: { followRedirects: true } }] }],
});
const CONFIG2 = cr('testing', 'alertmgr-config2', {
  route: { receiver: 'null', routes: [{ receiver: 'database-pager', groupWait: '10s', matchers: [{ name: 'service', value: 'webapp' }] }] },
  receivers: [{ name: 'null' }, { name: 'database-pager' }],
});

describe('mergeAlertmanagerConfig', () => {
  test("each CR's route is a sub-route before the base's, with continue and the namespace matcher; names are prefixed", () => {
    const base = parseBaseConfig(BASE);
    // Given out of order: the merge sorts by namespace/name.
    const parts = [CONFIG2, CONFIG1].map((c) => convertAlertmanagerConfig(c, noSecrets, ON_NS));
    const out = YAML.parse(renderAlertmanagerConfig(mergeAlertmanagerConfig(base, parts)));
    expect(out.route).toEqual({
      receiver: 'null',
      routes: [
        { receiver: 'testing/alertmgr-config1/null', matchers: ['namespace="testing"'], continue: true, routes: [{ receiver: 'testing/alertmgr-config1/myamc', continue: true }] },
        {
          receiver: 'testing/alertmgr-config2/null',
          matchers: ['namespace="testing"'],
          continue: true,
          routes: [{ receiver: 'testing/alertmgr-config2/database-pager', matchers: ['service="webapp"'], group_wait: '10s' }],
        },
        { receiver: 'base-pager', matchers: ['severity="page"'] },
      ],
    });
    expect(out.receivers.map((r: { name: string }) => r.name)).toEqual([
      'null',
      'base-pager',
      'testing/alertmgr-config1/null',
      'testing/alertmgr-config1/myamc',
      'testing/alertmgr-config2/null',
      'testing/alertmgr-config2/database-pager',
    ]);
    expect(out.receivers[3]).toEqual({ name: 'testing/alertmgr-config1/myamc', webhook_configs: [{ url: 'http://test.url', http_config: { follow_redirects: true } }] });
    // The base's other sections are kept.
    expect(out.global).toEqual({ resolve_timeout: '5m' });
    expect(out.templates).toEqual(['default_template']);
    // The base object is not changed by a merge.
    expect(base.route.routes).toHaveLength(1);
  });

  test('matchers: matchType wins, regex picks =~, values are escaped; the namespace matcher goes last', () => {
    const p = convertAlertmanagerConfig(
      cr('prod', 'm', {
        route: {
          receiver: 'r',
          matchers: [
            { name: 'severity', value: 'critical', matchType: '!=' },
            { name: 'service', value: 'api|web', regex: true },
            { name: 'msg', value: 'say "hi"\\now' },
          ],
        },
        receivers: [{ name: 'r' }],
      }),
      noSecrets,
      ON_NS,
    );
    expect(p.route!.matchers).toEqual(['severity!="critical"', 'service=~"api|web"', 'msg="say \\"hi\\"\\\\now"', 'namespace="prod"']);
  });

  test('inhibit rules get the namespace matcher on source and target (once), after the base rules', () => {
    const base = parseBaseConfig(BASE);
    const p = convertAlertmanagerConfig(
      cr('team-a', 'inhibit', {
        inhibitRules: [
          { sourceMatch: [{ name: 'severity', value: 'critical', matchType: '=' }], targetMatch: [{ name: 'severity', value: 'warning' }], equal: ['alertname'] },
          { sourceMatch: [{ name: 'namespace', value: 'team-a', matchType: '=' }], targetMatch: [] },
        ],
      }),
      noSecrets,
      ON_NS,
    );
    // No route: only the inhibit rules count (as the operator).
    expect(p.route).toBeUndefined();
    const out = mergeAlertmanagerConfig(base, [p]);
    expect(out.inhibit_rules).toEqual([
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'] },
      { source_matchers: ['severity="critical"', 'namespace="team-a"'], target_matchers: ['severity="warning"', 'namespace="team-a"'], equal: ['alertname'] },
      { source_matchers: ['namespace="team-a"'], target_matchers: ['namespace="team-a"'] },
    ]);
    expect(out.route.routes).toHaveLength(1); // no sub-route added
  });

  test('strategies: None adds no namespace matcher; OnNamespaceExceptForAlertmanagerNamespace exempts that namespace only', () => {
    const spec = { route: { receiver: 'r' }, receivers: [{ name: 'r' }], inhibitRules: [{ sourceMatch: [{ name: 'a', value: '1' }], targetMatch: [{ name: 'b', value: '2' }] }] };
    const none = convertAlertmanagerConfig(cr('x', 'c', spec), noSecrets, { strategy: 'None' });
    expect(none.route).toEqual({ receiver: 'x/c/r', continue: true });
    expect(none.inhibitRules).toEqual([{ source_matchers: ['a="1"'], target_matchers: ['b="2"'] }]);
    const except = { strategy: 'OnNamespaceExceptForAlertmanagerNamespace' as const, alertmanagerNamespace: 'monitoring' };
    expect(convertAlertmanagerConfig(cr('monitoring', 'c', spec), noSecrets, except).route).toEqual({ receiver: 'monitoring/c/r', continue: true });
    expect(convertAlertmanagerConfig(cr('x', 'c', spec), noSecrets, except).route).toEqual({ receiver: 'x/c/r', matchers: ['namespace="x"'], continue: true });
  });

  test('route fields, time intervals and their references are converted and prefixed', () => {
    const p = convertAlertmanagerConfig(
      cr('ns', 'cfg', {
        route: { receiver: 'r', groupBy: ['alertname', 'job'], groupInterval: '5m', repeatInterval: '4h', muteTimeIntervals: ['nights'], activeTimeIntervals: ['weekdays'] },
        receivers: [{ name: 'r' }],
        muteTimeIntervals: [
          { name: 'nights', timeIntervals: [{ times: [{ startTime: '00:00', endTime: '06:00' }] }] },
          { name: 'weekdays', timeIntervals: [{ weekdays: ['Monday:Friday'], daysOfMonth: [{ start: 1, end: 15 }, { start: 20, end: 20 }], months: ['January:March'], years: ['2026'] }] },
        ],
      }),
      noSecrets,
      ON_NS,
    );
    expect(p.route).toEqual({
      receiver: 'ns/cfg/r',
      group_by: ['alertname', 'job'],
      group_interval: '5m',
      repeat_interval: '4h',
      mute_time_intervals: ['ns/cfg/nights'],
      active_time_intervals: ['ns/cfg/weekdays'],
      matchers: ['namespace="ns"'],
      continue: true,
    });
    expect(p.muteTimeIntervals).toEqual([
      { name: 'ns/cfg/nights', time_intervals: [{ times: [{ start_time: '00:00', end_time: '06:00' }] }] },
      { name: 'ns/cfg/weekdays', time_intervals: [{ weekdays: ['monday:friday'], days_of_month: ['1:15', '20'], months: ['january:march'], years: ['2026'] }] },
    ]);
  });

  test('receivers: fields in snake_case, Secret references read, key/value lists as maps', () => {
    const secrets: Record<string, string> = { 'ns/hooks/url': 'https://hooks.example/alert', 'ns/pd/key': 'pd-routing', 'ns/auth/token': 's3cret', 'ns/slack/url': 'https://slack.example/T0' };
    const resolve: RefResolver = (_kind, ns, ref) => {
      const v = secrets[`${ns}/${ref.name}/${ref.key}`];
      if (v === undefined && !ref.optional) throw new Error(`Secret ${ns}/${ref.name} not found`);
      return v;
    };
    const p = convertAlertmanagerConfig(
      cr('ns', 'rx', {
        route: { receiver: 'all' },
        receivers: [
          {
            name: 'all',
            webhookConfigs: [{ urlSecret: { name: 'hooks', key: 'url' }, sendResolved: true, maxAlerts: 10, httpConfig: { authorization: { type: 'Bearer', credentials: { name: 'auth', key: 'token' } }, enableHttp2: false } }],
            pagerdutyConfigs: [{ routingKey: { name: 'pd', key: 'key' }, details: [{ key: 'team', value: 'infra' }], pagerDutyLinkConfigs: [{ href: 'https://runbooks.example', alt: 'runbook' }] }],
            slackConfigs: [{ apiURL: { name: 'slack', key: 'url' }, channel: '#alerts', iconURL: 'https://icon.example/i.png' }],
            emailConfigs: [{ to: 'ops@example.org', headers: [{ key: 'Subject', value: 'alert' }], authPassword: { name: 'missing', key: 'pw', optional: true } }],
          },
        ],
      }),
      resolve,
      ON_NS,
    );
    expect(p.receivers).toEqual([
      {
        name: 'ns/rx/all',
        webhook_configs: [{ url: 'https://hooks.example/alert', send_resolved: true, max_alerts: 10, http_config: { authorization: { type: 'Bearer', credentials: 's3cret' }, enable_http2: false } }],
        pagerduty_configs: [{ routing_key: 'pd-routing', details: { team: 'infra' }, links: [{ href: 'https://runbooks.example', text: 'runbook' }] }],
        slack_configs: [{ api_url: 'https://slack.example/T0', channel: '#alerts', icon_url: 'https://icon.example/i.png' }],
        email_configs: [{ to: 'ops@example.org', headers: { Subject: 'alert' } }],
      },
    ]);
    expect(snakeCase('apiURL')).toBe('api_url');
    // The operator's precedence and the names that differ beyond the case.
    const q = convertAlertmanagerConfig(
      cr('ns', 'q', {
        route: { receiver: 'x' },
        receivers: [
          {
            name: 'x',
            webhookConfigs: [{ url: 'https://plain.example/', urlSecret: { name: 'hooks', key: 'url' }, httpConfig: { proxyUrl: 'http://p1.example:3128', proxyURL: 'http://p2.example:3128' } }],
            discordConfigs: [{ apiURL: { name: 'hooks', key: 'url' }, title: 't' }],
          },
        ],
      }),
      resolve,
      ON_NS,
    );
    expect(q.receivers[0].webhook_configs).toEqual([{ url: 'https://hooks.example/alert', http_config: { proxy_url: 'http://p2.example:3128' } }]);
    expect(q.receivers[0].discord_configs).toEqual([{ webhook_url: 'https://hooks.example/alert', title: 't' }]);
    expect(snakeCase('chatID')).toBe('chat_id');
    expect(snakeCase('insecureSkipVerify')).toBe('insecure_skip_verify');
  });

  test('a missing Secret names the receiver and field', () => {
    const c = cr('ns', 'bad', { route: { receiver: 'w' }, receivers: [{ name: 'w', webhookConfigs: [{ urlSecret: { name: 'gone', key: 'url' } }] }] });
    expect(() => convertAlertmanagerConfig(c, noSecrets, ON_NS)).toThrow('receiver "w": webhookConfigs[0]: urlSecret: Secret ns/gone not found');
  });
});

describe('validation (the operator semantic checks)', () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ['unknown receiver', { route: { receiver: 'nope' }, receivers: [{ name: 'r' }] }, 'receiver "nope" not found'],
    ['unknown child receiver', { route: { receiver: 'r', routes: [{ receiver: 'x' }] }, receivers: [{ name: 'r' }] }, 'route[0]: receiver "x" not found'],
    ['root without receiver', { route: { groupBy: ['a'] }, receivers: [] }, 'root route must define a receiver'],
    ['duplicate receiver', { route: { receiver: 'r' }, receivers: [{ name: 'r' }, { name: 'r' }] }, '"r" receiver is not unique'],
    ['duplicate groupBy', { route: { receiver: 'r', groupBy: ['a', 'a'] }, receivers: [{ name: 'r' }] }, "duplicate values not permitted in route 'groupBy'"],
    ['... not alone', { route: { receiver: 'r', groupBy: ['...', 'a'] }, receivers: [{ name: 'r' }] }, "'...' must be a sole value"],
    ['unknown mute interval', { route: { receiver: 'r', muteTimeIntervals: ['n'] }, receivers: [{ name: 'r' }] }, 'mute time interval "n" not found'],
    ['bad matchType', { route: { receiver: 'r', matchers: [{ name: 'a', value: 'b', matchType: '==' }] }, receivers: [{ name: 'r' }] }, "invalid 'matchType' '=='"],
    ['webhook without url', { route: { receiver: 'r' }, receivers: [{ name: 'r', webhookConfigs: [{ sendResolved: true }] }] }, "one of 'url' or 'urlSecret' must be specified"],
    ['webhook bad url', { route: { receiver: 'r' }, receivers: [{ name: 'r', webhookConfigs: [{ url: 'not a url' }] }] }, "invalid 'url'"],
    ['pagerduty without key', { route: { receiver: 'r' }, receivers: [{ name: 'r', pagerdutyConfigs: [{}] }] }, "one of 'routingKey' or 'serviceKey' is required"],
  ];
  test.each(bad)('%s', (_what, spec, reason) => {
    expect(() => convertAlertmanagerConfig(cr('ns', 'c', spec), noSecrets, ON_NS)).toThrow(reason);
  });

  test('the base configuration: YAML, a root route with a known receiver, no root matchers or continue', () => {
    expect(() => parseBaseConfig('route: [')).toThrow(/global_config is not valid YAML/);
    expect(() => parseBaseConfig('receivers: []')).toThrow('root route must exist');
    expect(() => parseBaseConfig('route: {receiver: a}\nreceivers: [{name: b}]')).toThrow('undefined receiver "a" used in route');
    expect(() => parseBaseConfig('route: {receiver: a, continue: true}\nreceivers: [{name: a}]')).toThrow('cannot have continue in root route');
    expect(() => parseBaseConfig('route: {receiver: a, matchers: [x="1"]}\nreceivers: [{name: a}]')).toThrow("'matchers' not permitted on root route");
    expect(() => parseBaseConfig('route: {receiver: a}\nreceivers: [{name: a}, {name: a}]')).toThrow('"a" is not unique');
  });
});
