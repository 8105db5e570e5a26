// Worker-side cost of one scrape without HTTP: TargetState.apply over
// bench-shaped bodies (20 targets x 1,000 series, 49 rounds after a warm-up
// round). Run: node --import tsx bench/scrape/parse-micro.ts
import { TargetState } from '../../src/scrape/loop.js';
import { prometheusText } from '../../src/scrape/parse/index.js';
function body(target: number, tick: number): string {
  const lines: string[] = ['# HELP bench_requests_total Synthetic counter.', '# TYPE bench_requests_total counter'];
  for (let i = 0; i < 1000; i++) {
    const fam = Math.floor(i / 100);
    lines.push(`bench_metric_${fam}_total{target="${target}",shard="${i % 7}",series="${i}",path="/api/v1/item/${i}"} ${tick * (i + 1)}`);
  }
  lines.push('');
  return lines.join('\n');
}
const opts = { honorLabels: false, honorTimestamps: true, trackTimestampsStaleness: false, sampleLimit: 0, labelLimit: 0, labelNameLengthLimit: 0, labelValueLengthLimit: 0, metricRelabel: [] };
const states = Array.from({ length: 20 }, (_, t) => new TargetState(['instance', `h:${t}`, 'job', 'bench'], opts as never));
const bodies = Array.from({ length: 50 }, (_, k) => body(1, k));
for (const s of states) s.apply(bodies[0], prometheusText, 1, 1);
const t0 = performance.now();
let n = 0;
for (let k = 1; k < 50; k++) for (const s of states) { s.apply(bodies[k], prometheusText, k * 5000, 1); n += 1000; }
const ms = performance.now() - t0;
console.log(`${(ms * 1000 / n).toFixed(3)} us/sample over ${n}`);
