import { buildPipeline, runPipeline, type StageBlock } from './pipeline.js';
import { parseGoLayout, toEpochNs } from './go-time.js';
import type { LogEntry } from '../../pipeline/logs.js';

const ORIGINAL_TS = 42n;
const msNs = (ms: number) => BigInt(ms) * 1_000_000n;

/** Runs one entry whose extracted `time` is `value` through a timestamp stage (after a json stage that extracts it). */
function stampWith(args: Record<string, unknown>, values: unknown[], labels: Record<string, string> = { job: 'a' }, now?: () => number): bigint[] {
  const blocks: StageBlock[] = [
    { name: 'stage.json', value: { expressions: { time: '' } } },
    { name: 'stage.timestamp', value: { source: 'time', ...args } },
  ];
  const stages = buildPipeline(blocks, () => {}, { now });
  const entries: LogEntry[] = values.map((v) => ({ labels, ts: ORIGINAL_TS, line: JSON.stringify(v === undefined ? {} : { time: v }) }));
  // One entry per run: the stage keeps per-stream state between runs, like between batches.
  return entries.map((e) => runPipeline(stages, [e])[0].ts);
}

describe('stage.timestamp formats', () => {
  const cases: [string, string, bigint][] = [
    ['RFC3339', '2024-12-20T09:14:58+02:00', msNs(Date.parse('2024-12-20T07:14:58Z'))],
    ['RFC3339', '2019-07-09T21:48:36.5Z', msNs(Date.parse('2019-07-09T21:48:36.500Z'))], // a fraction the layout does not name is accepted
    ['RFC3339Nano', '2019-07-09T21:48:36.123456789Z', msNs(Date.parse('2019-07-09T21:48:36.123Z')) + 456_789n],
    ['RFC3339Nano', '2019-07-09T21:48:36-07:00', msNs(Date.parse('2019-07-10T04:48:36Z'))],
    ['ANSIC', 'Tue Jul  9 21:48:36 2019', msNs(Date.UTC(2019, 6, 9, 21, 48, 36))],
    ['UnixDate', 'Tue Jul  9 21:48:36 UTC 2019', msNs(Date.UTC(2019, 6, 9, 21, 48, 36))],
    ['RubyDate', 'Tue Jul 09 21:48:36 -0700 2019', msNs(Date.UTC(2019, 6, 10, 4, 48, 36))],
    ['RFC822', '09 Jul 19 21:48 UTC', msNs(Date.UTC(2019, 6, 9, 21, 48))],
    ['RFC822Z', '09 Jul 19 21:48 +0130', msNs(Date.UTC(2019, 6, 9, 20, 18))],
    ['RFC850', 'Tuesday, 09-Jul-19 21:48:36 UTC', msNs(Date.UTC(2019, 6, 9, 21, 48, 36))],
    ['RFC1123', 'Tue, 09 Jul 2019 21:48:36 GMT', msNs(Date.UTC(2019, 6, 9, 21, 48, 36))],
    ['RFC1123Z', 'Tue, 09 Jul 2019 21:48:36 +0200', msNs(Date.UTC(2019, 6, 9, 19, 48, 36))],
    ['Unix', '1562708916', 1_562_708_916_000_000_000n],
    ['Unix', '1562708916.000000123', 1_562_708_916_000_000_123n],
    ['Unix', '1562708916.5', 1_562_708_916_500_000_000n],
    ['UnixMs', '1562708916414', 1_562_708_916_414_000_000n],
    ['UnixUs', '1562708916414123', 1_562_708_916_414_123_000n],
    ['UnixNs', '1562708916000000123', 1_562_708_916_000_000_123n],
    // Go reference-time layouts.
    ['2006-01-02T15:04:05,000-07:00', '2024-12-20T09:14:58,381+02:00', msNs(Date.parse('2024-12-20T07:14:58.381Z'))],
    ['2006-01-02 15:04:05.000000', '2024-01-15 10:00:00.123456', msNs(Date.UTC(2024, 0, 15, 10, 0, 0, 123)) + 456_000n],
    ['02/01/2006 15:04:05.999', '15/01/2024 10:00:00', msNs(Date.UTC(2024, 0, 15, 10))], // .999: the fraction may be absent
    ['Jan 2, 2006 3:04:05 PM', 'Jul 9, 2019 9:48:36 PM', msNs(Date.UTC(2019, 6, 9, 21, 48, 36))],
    ['Jan 2, 2006 03:04 pm', 'Jul 9, 2019 12:05 am', msNs(Date.UTC(2019, 6, 9, 0, 5))],
    ['Monday January 2 2006 15h04', 'tuesday july 9 2019 21h48', msNs(Date.UTC(2019, 6, 9, 21, 48))], // names are case-insensitive
    ['2006-01-02T15:04:05Z0700', '2019-07-09T21:48:36Z', msNs(Date.UTC(2019, 6, 9, 21, 48, 36))],
    ['2006-01-02T15:04:05Z07', '2019-07-09T21:48:36-03', msNs(Date.UTC(2019, 6, 10, 0, 48, 36))],
    ['2006-01-02T15:04:05-07:00:00', '2019-07-09T21:48:36+01:00:30', msNs(Date.UTC(2019, 6, 9, 20, 48, 6))],
    ['20060102150405', '20190709214836', msNs(Date.UTC(2019, 6, 9, 21, 48, 36))],
    ['2006-002 15:04', '2024-060 10:00', msNs(Date.UTC(2024, 1, 29, 10))], // day of year (2024 is a leap year)
  ];
  it.each(cases)('%s parses %j', (format, value, want) => {
    expect(stampWith({ format }, [value])).toEqual([want]);
  });

  it('a number extracted from JSON is printed as Go prints it before parsing', () => {
    expect(stampWith({ format: 'Unix' }, [1562708916])).toEqual([1_562_708_916_000_000_000n]);
    expect(stampWith({ format: 'UnixMs' }, [1562708916414])).toEqual([1_562_708_916_414_000_000n]);
  });

  const failures: [string, string][] = [
    ['RFC3339', 'not a time'],
    ['RFC3339', '2019-02-30T10:00:00Z'], // day out of range
    ['RFC3339', '2019-07-09T21:48:36Z trailing'], // extra text
    ['RFC3339', '2019-7-09T21:48:36Z'], // 01 needs two digits
    ['2006-01-02 15:04', '2019-07-09 24:00'], // hour out of range
    ['Unix', '15627O8916'],
    ['UnixMs', '1.5'],
    ['UnixNs', '99999999999999999999'], // beyond int64
    ['Jan 2 2006', 'Janu 9 2019'],
    ['3:04PM', '9:48XM'],
  ];
  it.each(failures)('%s rejects %j (the timestamp stays, skip)', (format, value) => {
    expect(stampWith({ format, action_on_failure: 'skip' }, [value])).toEqual([ORIGINAL_TS]);
  });

  it('location: a layout without a zone is wall-clock time in the IANA zone (DST included); a zone in the input wins', () => {
    const loc = { format: '2006-01-02 15:04:05', location: 'America/New_York' };
    expect(stampWith(loc, ['2024-01-15 10:00:00', '2024-07-15 10:00:00'])).toEqual([msNs(Date.UTC(2024, 0, 15, 15)), msNs(Date.UTC(2024, 6, 15, 14))]);
    expect(stampWith({ format: '2006-01-02 15:04:05 -0700', location: 'Asia/Tokyo' }, ['2024-01-15 10:00:00 +0000'])).toEqual([msNs(Date.UTC(2024, 0, 15, 10))]);
    // Without location such a layout is UTC.
    expect(stampWith({ format: '2006-01-02 15:04:05' }, ['2024-01-15 10:00:00'])).toEqual([msNs(Date.UTC(2024, 0, 15, 10))]);
    // A zone abbreviation is the location's when it names that zone at the time; unknown ones count as offset 0 (Go).
    expect(stampWith({ format: '2006-01-02 15:04 MST', location: 'America/New_York' }, ['2024-01-15 10:00 EST'])).toEqual([msNs(Date.UTC(2024, 0, 15, 15))]);
    expect(stampWith({ format: 'UnixDate' }, ['Mon Jan 15 10:00:00 EST 2024'])).toEqual([msNs(Date.UTC(2024, 0, 15, 10))]);
    // Named formats ignore the location (Go's time.Parse).
    expect(stampWith({ format: 'ANSIC', location: 'Asia/Tokyo' }, ['Mon Jan 15 10:00:00 2024'])).toEqual([msNs(Date.UTC(2024, 0, 15, 10))]);
  });

  it('a layout without a year takes the current year, the nearer one across New Year', () => {
    const at = (iso: string) => () => Date.parse(iso);
    const syslog = { format: 'Jan _2 15:04:05' };
    expect(stampWith(syslog, ['Jul  9 21:48:36'], undefined, at('2026-12-03T12:00:00Z'))).toEqual([msNs(Date.UTC(2026, 6, 9, 21, 48, 36))]);
    expect(stampWith(syslog, ['Dec 31 23:59:59'], undefined, at('2027-01-01T00:00:05Z'))).toEqual([msNs(Date.UTC(2026, 11, 31, 23, 59, 59))]);
    expect(stampWith(syslog, ['Jan  1 00:00:01'], undefined, at('2026-12-31T23:59:59Z'))).toEqual([msNs(Date.UTC(2027, 0, 1, 0, 0, 1))]);
    expect(stampWith({ ...syslog, location: 'Europe/Berlin' }, ['Jul  9 21:48:36'], undefined, at('2026-12-03T12:00:00Z'))).toEqual([msNs(Date.UTC(2026, 6, 9, 19, 48, 36))]);
  });

  it('fallback_formats are tried in order when format fails', () => {
    const args = { format: 'RFC3339', fallback_formats: ['UnixMs', '2006-01-02'], action_on_failure: 'skip' };
    expect(stampWith(args, ['2019-07-09T21:48:36Z', '1562708916414', '2019-07-09', 'nope'])).toEqual([
      msNs(Date.UTC(2019, 6, 9, 21, 48, 36)),
      1_562_708_916_414_000_000n,
      msNs(Date.UTC(2019, 6, 9)),
      ORIGINAL_TS,
    ]);
  });
});

describe('stage.timestamp failures and duplicates', () => {
  const T = 1_562_708_916_000_000_000n;
  it('action_on_failure "fudge" (default): 1ns after the stream\'s last timestamp; nothing known yet keeps the entry\'s', () => {
    expect(stampWith({ format: 'Unix' }, ['bad', '1562708916', 'bad', undefined, '{}'])).toEqual([ORIGINAL_TS, T, T + 1n, T + 2n, T + 3n]);
  });

  it('fudging is per stream (label set)', () => {
    const stages = buildPipeline([{ name: 'stage.json', value: { expressions: { time: '' } } }, { name: 'stage.timestamp', value: { source: 'time', format: 'Unix' } }], () => {});
    const run = (labels: Record<string, string>, line: string) => runPipeline(stages, [{ labels, ts: ORIGINAL_TS, line }])[0].ts;
    expect(run({ job: 'a' }, '{"time":"1562708916"}')).toBe(T);
    expect(run({ job: 'b' }, 'bad')).toBe(ORIGINAL_TS);
    expect(run({ job: 'a' }, 'bad')).toBe(T + 1n);
  });

  it('action_on_failure "skip" keeps the entry\'s timestamp', () => {
    expect(stampWith({ format: 'Unix', action_on_failure: 'skip' }, ['1562708916', 'bad'])).toEqual([T, ORIGINAL_TS]);
  });

  it('action_on_duplicate_timestamp: "fudge" (default) spreads equal parsed timestamps 1ns apart, "keep" leaves them', () => {
    expect(stampWith({ format: 'Unix' }, ['1562708916', '1562708916', '1562708916', '1562708917'])).toEqual([T, T + 1n, T + 2n, T + 1_000_000_000n]);
    expect(stampWith({ format: 'Unix', action_on_duplicate_timestamp: 'keep' }, ['1562708916', '1562708916'])).toEqual([T, T]);
  });

  it('rejects bad configuration naming the stage', () => {
    const build = (v: Record<string, unknown>) => () => buildPipeline([{ name: 'stage.timestamp', value: v }], () => {});
    expect(build({ format: 'RFC3339' })).toThrow(/stage.timestamp \(stage 1\): timestamp source value is required/);
    expect(build({ source: 't' })).toThrow(/stage.timestamp \(stage 1\): timestamp format is required/);
    expect(build({ source: 't', format: 'RFC3339', location: 'Mars/Olympus' })).toThrow(/invalid location specified.*Mars\/Olympus/);
    expect(build({ source: 't', format: 'RFC3339', action_on_failure: 'drop' })).toThrow(/invalid action on failure \(supported values are \[skip fudge\]\)/);
    expect(build({ source: 't', format: 'RFC3339', action_on_duplicate_timestamp: 'x' })).toThrow(/invalid action on duplicate timestamp \(supported values are \[keep fudge\]\)/);
    expect(build({ source: 't', format: 'RFC3339', location: 'UTC' })).not.toThrow();
  });
});

describe('Go layout parser', () => {
  it('reports why a value does not fit', () => {
    expect(() => parseGoLayout('2006-01-02', '2019-13-01')).toThrow(/month out of range/);
    expect(() => parseGoLayout('2006-01-02', '2019-02-29')).toThrow(/day out of range/);
    expect(() => parseGoLayout('2006-01-02', '2019-01-02x')).toThrow(/extra text/);
  });
  it('accepts a leap day and spaces matching runs of spaces', () => {
    expect(toEpochNs(parseGoLayout('2006-01-02  15:04', '2024-02-29 10:00'))).toBe(msNs(Date.UTC(2024, 1, 29, 10)));
  });
  it('"_2006" is a literal underscore followed by the year', () => {
    expect(parseGoLayout('app_2006', 'app_2019').year).toBe(2019);
  });
});
