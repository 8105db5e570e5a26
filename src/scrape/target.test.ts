import { populateTarget, type TargetDefaults } from './target.js';
import { mergeTargetLabels, reportLabels, checkLabelLimits } from './labels.js';

const d: TargetDefaults = { jobName: 'prometheus.scrape.pods', scheme: 'http', metricsPath: '/metrics', intervalMs: 60000, timeoutMs: 10000, params: {} };

describe('populateTarget', () => {
  test('defaults job and instance, drops __ labels and __meta_*', () => {
    const r = populateTarget({ __address__: '10.0.0.1:9100', __meta_kubernetes_pod_name: 'p', team: 'a', empty: '' }, d);
    if (!('target' in r)) throw new Error(r.error);
    expect(r.target.labels).toEqual(['instance', '10.0.0.1:9100', 'job', 'prometheus.scrape.pods', 'team', 'a']);
    expect(r.target.url).toBe('http://10.0.0.1:9100/metrics');
    expect(r.target.intervalMs).toBe(60000);
    expect(r.target.timeoutMs).toBe(10000);
  });

  test('per-target overrides: scheme, path, params, interval, timeout, job, instance', () => {
    const r = populateTarget(
      { __address__: 'h:1', __scheme__: 'https', __metrics_path__: '/x/y', __param_module: 'icmp', __param_target: 't',
        __scrape_interval__: '15s', __scrape_timeout__: '5s', job: 'j', instance: 'i' },
      { ...d, params: { module: ['http_2xx', 'second'], z: ['1'] } },
    );
    if (!('target' in r)) throw new Error(r.error);
    expect(r.target.url).toBe('https://h:1/x/y?module=icmp&module=second&target=t&z=1');
    expect(r.target.labels).toEqual(['instance', 'i', 'job', 'j']);
    expect(r.target.intervalMs).toBe(15000);
    expect(r.target.timeoutMs).toBe(5000);
  });

  test.each([
    [{}, 'no address'],
    [{ __address__: 'a/b' }, 'not a valid hostname'],
    [{ __address__: 'a:1', __scrape_interval__: 'x' }, 'scrape interval'],
    [{ __address__: 'a:1', __scrape_interval__: '0s' }, 'cannot be 0'],
    [{ __address__: 'a:1', __scrape_interval__: '5s', __scrape_timeout__: '10s' }, 'greater than scrape interval'],
    [{ __address__: 'a:1', __scheme__: 'ftp' }, 'invalid scheme'],
  ])('rejects %j', (labels, reason) => {
    const r = populateTarget(labels as Record<string, string>, d);
    expect('error' in r && r.error).toContain(reason);
  });
});

describe('honor_labels', () => {
  const target = ['instance', 'i:1', 'job', 'j'];
  test('false: target wins, exposed labels become exported_*', () => {
    const got = mergeTargetLabels(['__name__', 'm', 'job', 'mine', 'instance', 'x', 'exported_job', 'taken'], target, false);
    expect(got).toEqual([
      '__name__', 'm', 'exported_exported_job', 'mine', 'exported_instance', 'x', 'exported_job', 'taken', 'instance', 'i:1', 'job', 'j',
    ]);
  });
  test('true: exposed labels win, target fills gaps', () => {
    expect(mergeTargetLabels(['__name__', 'm', 'job', 'mine'], target, true)).toEqual(['__name__', 'm', 'instance', 'i:1', 'job', 'mine']);
  });
  test('true: an exposed empty value suppresses the target label (lset.Has), then is dropped', () => {
    expect(mergeTargetLabels(['__name__', 'm', 'job', ''], target, true)).toEqual(['__name__', 'm', 'instance', 'i:1']);
  });
  test('false: an exposed empty value is no conflict', () => {
    expect(mergeTargetLabels(['__name__', 'm', 'job', ''], target, false)).toEqual(['__name__', 'm', 'instance', 'i:1', 'job', 'j']);
  });
  test('duplicate exposed label names fail', () => {
    expect(() => mergeTargetLabels(['__name__', 'm', 'a', '1', 'a', '2'], target, false)).toThrow('not unique');
  });
  test('report series carry target labels', () => {
    expect(reportLabels('up', target)).toEqual(['__name__', 'up', 'instance', 'i:1', 'job', 'j']);
  });
});

describe('label limits', () => {
  const pairs = ['__name__', 'm', 'a', 'xyzé'];
  test.each([
    [{ labelLimit: 1, labelNameLengthLimit: 0, labelValueLengthLimit: 0 }, 'label_limit'],
    [{ labelLimit: 0, labelNameLengthLimit: 7, labelValueLengthLimit: 0 }, 'label_name_length_limit'],
    [{ labelLimit: 0, labelNameLengthLimit: 0, labelValueLengthLimit: 4 }, 'label_value_length_limit'],
  ])('%j', (limits, reason) => {
    expect(checkLabelLimits(pairs, limits)).toContain(reason);
  });
  test('within limits', () => {
    expect(checkLabelLimits(pairs, { labelLimit: 2, labelNameLengthLimit: 8, labelValueLengthLimit: 5 })).toBeUndefined();
  });
});
