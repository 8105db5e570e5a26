import type { Metric } from '../../pipeline/otel.js';
import { buildCompliantName, formatFloat, normalizeLabel } from './prom-naming.js';

const gauge = (name: string, unit = ''): Metric => ({ name, unit, gauge: { dataPoints: [] } });
const counter = (name: string, unit = ''): Metric => ({ name, unit, sum: { dataPoints: [], isMonotonic: true, aggregationTemporality: 2 } });
const upDown = (name: string, unit = ''): Metric => ({ name, unit, sum: { dataPoints: [], isMonotonic: false, aggregationTemporality: 2 } });
const hist = (name: string, unit = ''): Metric => ({ name, unit, histogram: { dataPoints: [], aggregationTemporality: 2 } });

describe('buildCompliantName with suffixes', () => {
  test.each([
    [counter('http.server.requests'), 'http_server_requests_total'],
    [counter('requests_total'), 'requests_total'],
    [counter('total.requests'), 'requests_total'],
    [hist('http.server.duration', 's'), 'http_server_duration_seconds'],
    [hist('latency', 'ms'), 'latency_milliseconds'],
    [gauge('memory.usage', 'By'), 'memory_usage_bytes'],
    [counter('io', 'By'), 'io_bytes_total'],
    [gauge('throughput', 'By/s'), 'throughput_bytes_per_second'],
    [gauge('cpu.utilization', '1'), 'cpu_utilization_ratio'],
    [upDown('active', '{requests}'), 'active'],
    [counter('queue', '{items}/s'), 'queue_per_second_total'],
    [gauge('temp', 'Cel'), 'temp_celsius'],
    [gauge('duration_seconds', 's'), 'duration_seconds'],
    [gauge('2xx.count'), '_2xx_count'],
    [gauge('odd', 'custom/unit'), 'odd_custom_per_unit'],
    [upDown('ratio.thing', '1'), 'ratio_thing'],
  ])('%j -> %s', (m, want) => {
    expect(buildCompliantName(m, true)).toBe(want);
  });
});

describe('buildCompliantName without suffixes', () => {
  test('only forbidden runes change; no unit or _total', () => {
    expect(buildCompliantName(counter('http.server.requests', 's'), false)).toBe('http_server_requests');
    expect(buildCompliantName(gauge('a:b__c', 'By'), false)).toBe('a:b__c');
    expect(buildCompliantName(gauge('9lives'), false)).toBe('_9lives');
  });
});

test('normalizeLabel: non-alphanumerics to _, key_ before digits, key before one underscore', () => {
  expect(normalizeLabel('host.name')).toBe('host_name');
  expect(normalizeLabel('name (of the host)')).toBe('name__of_the_host_');
  expect(normalizeLabel('2 cents')).toBe('key_2_cents');
  expect(normalizeLabel('__name')).toBe('__name');
  expect(normalizeLabel('_name')).toBe('key_name');
  expect(normalizeLabel('name')).toBe('name');
});

test('formatFloat writes what Go writes with FormatFloat(v, f, -1, 64)', () => {
  expect(formatFloat(0.005)).toBe('0.005');
  expect(formatFloat(10)).toBe('10');
  expect(formatFloat(1e21)).toBe('1000000000000000000000');
  expect(formatFloat(1e-7)).toBe('0.0000001');
  expect(formatFloat(1.5e-7)).toBe('0.00000015');
  expect(formatFloat(-2.5e22)).toBe('-25000000000000000000000');
  expect(formatFloat(Infinity)).toBe('+Inf');
});
