// Every promtail pipeline stage -> the loki.process stage block Alloy's
// converter writes for it (expected texts follow Alloy's
// promtailconvert/testdata pipeline_stages_*.alloy), and the converted config
// passes `alloy validate`.
import { validateConfig } from '../cli/validate.js';
import { run } from '../../e2e/lib/converted.js';

function convertStagesYaml(stagesYaml: string) {
  const yaml = `clients:
  - url: http://127.0.0.1:3100/loki/api/v1/push
scrape_configs:
  - job_name: k
    kubernetes_sd_configs: [{ role: pod }]
    pipeline_stages:
${stagesYaml.trim().split('\n').map((l) => `      ${l}`).join('\n')}
`;
  return run(yaml, 'promtail');
}

/** The stage blocks of loki.process "k", as written (one tab of indent removed). */
function processBody(output: string | undefined): string {
  const lines = (output ?? '').split('\n');
  const start = lines.indexOf('loki.process "k" {');
  const end = lines.indexOf('}', start);
  if (start < 0 || end < 0) return '';
  // Skip forward_to and the blank line after it.
  return lines.slice(start + 3, end).map((l) => l.replace(/^\t/, '')).join('\n');
}

const CASES: [string, string, string][] = [
  [
    'json, logfmt, regex, replace',
    `
- json: { expressions: { face: smiley, hand: thumbs-up }, source: video, drop_malformed: true }
- logfmt: { source: foo, mapping: { key: value, buzz: bar } }
- regex: { expression: ".*", source: bar }
- replace: { expression: "foo", source: bar, replace: foobar }`,
    `stage.json {
	expressions = {
		face = "smiley",
		hand = "thumbs-up",
	}
	source         = "video"
	drop_malformed = true
}

stage.logfmt {
	mapping = {
		buzz = "bar",
		key  = "value",
	}
	source = "foo"
}

stage.regex {
	expression = ".*"
	source     = "bar"
}

stage.replace {
	expression = "foo"
	source     = "bar"
	replace    = "foobar"
}`,
  ],
  [
    'metrics: counter (value/inc and match_all/count_entry_bytes/add), gauge, histogram, sorted by name',
    `
- metrics:
    test_histogram:
      type: histogram
      description: "A test histogram"
      source: bar
      prefix: test_prefix_
      max_idle_duration: 10m
      config: { value: something, buckets: [0.1, 0.2, 0.3] }
    test_counter_1:
      type: counter
      description: "A test counter"
      source: bar
      prefix: test_prefix_
      max_idle_duration: 10m
      config: { value: abcd, action: inc }
    test_counter_2:
      type: Counter
      description: "A test counter"
      config: { match_all: true, count_entry_bytes: true, action: add }
    test_gauge:
      type: gauge
      prefix: loki_process_custom_
      max_idle_duration: 5m
      config: { value: something, action: set }`,
    `stage.metrics {
	metric.counter {
		name              = "test_counter_1"
		description       = "A test counter"
		source            = "bar"
		prefix            = "test_prefix_"
		max_idle_duration = "10m"
		value             = "abcd"
		action            = "inc"
	}

	metric.counter {
		name              = "test_counter_2"
		description       = "A test counter"
		action            = "add"
		match_all         = true
		count_entry_bytes = true
	}

	metric.gauge {
		name   = "test_gauge"
		value  = "something"
		action = "set"
	}

	metric.histogram {
		name              = "test_histogram"
		description       = "A test histogram"
		source            = "bar"
		prefix            = "test_prefix_"
		max_idle_duration = "10m"
		value             = "something"
		buckets           = [0.1, 0.2, 0.3]
	}
}`,
  ],
  [
    'labels, labeldrop -> label_drop, labelallow -> label_keep, static_labels, structured_metadata',
    `
- labels: { source: bar, foo: destination, level: }
- labeldrop: [foo, bar, baz]
- labelallow: [one, two, three]
- static_labels: { dont: label, who: me }
- structured_metadata: { app: app, trace_id: }`,
    `stage.labels {
	values = {
		foo    = "destination",
		level  = "",
		source = "bar",
	}
}

stage.label_drop {
	values = ["foo", "bar", "baz"]
}

stage.label_keep {
	values = ["one", "two", "three"]
}

stage.static_labels {
	values = {
		dont = "label",
		who  = "me",
	}
}

stage.structured_metadata {
	values = {
		app      = "app",
		trace_id = "",
	}
}`,
  ],
  [
    'docker, cri (with and without settings), timestamp, output, template, tenant',
    `
- docker: {}
- cri: {}
- cri: { max_partial_lines: 223, max_partial_line_size: 26214, max_partial_line_size_truncate: true }
- cri: { max_partial_lines: 100, max_partial_line_size: 16KB }
- timestamp:
    source: time
    format: 2006-01-02T15:04:05.000Z07:00
    fallback_formats: [2006-01-02T15:04:05.000Z07.00, 2006-01-02T15:04:05.000Z07:0000]
    location: Europe/Berlin
    action_on_failure: fudge
- timestamp: { source: ts, format: RFC3339Nano }
- output: { source: foo }
- template: { source: foo, template: "{{ .Value | ToUpper }}" }
- tenant: { label: sofa }
- tenant: { source: party }
- tenant: { value: team-a }`,
    `stage.docker { }

stage.cri { }

stage.cri {
	max_partial_lines              = 223
	max_partial_line_size          = 26214
	max_partial_line_size_truncate = true
}

stage.cri {
	max_partial_line_size = 16384
}

stage.timestamp {
	source            = "time"
	format            = "2006-01-02T15:04:05.000Z07:00"
	fallback_formats  = ["2006-01-02T15:04:05.000Z07.00", "2006-01-02T15:04:05.000Z07:0000"]
	location          = "Europe/Berlin"
	action_on_failure = "fudge"
}

stage.timestamp {
	source = "ts"
	format = "RFC3339Nano"
}

stage.output {
	source = "foo"
}

stage.template {
	source   = "foo"
	template = "{{ .Value | ToUpper }}"
}

stage.tenant {
	label = "sofa"
}

stage.tenant {
	source = "party"
}

stage.tenant {
	value = "team-a"
}`,
  ],
  [
    'limit, multiline, pack, sampling, decolorize, eventlogmessage, geoip',
    `
- limit: { rate: 100.3, burst: 1000, drop: true, by_label_name: foobar, max_distinct_labels: 10 }
- limit: { rate: "5", burst: 10 }
- multiline: { firstline: "^\\\\d{4}", max_lines: 100000, max_wait_time: 1s }
- multiline: { firstline: "^\\\\[", max_lines: 128, max_wait_time: 3s }
- pack: { labels: [foo, bar], ingest_timestamp: true }
- pack: { labels: [foo], ingest_timestamp: false }
- pack: { labels: [foo] }
- sampling: { rate: 0.5 }
- sampling: { rate: 0, drop_counter_reason: "womp womp!" }
- decolorize: {}
- eventlogmessage: { source: something, drop_invalid_labels: true, overwrite_existing: true }
- eventlogmessage: { source: message }
- geoip: { db: /usr/share/GeoIP/GeoLite2-City.mmdb, source: internet, db_type: city }`,
    `stage.limit {
	rate                = 100.3
	burst               = 1000
	drop                = true
	by_label_name       = "foobar"
	max_distinct_labels = 10
}

stage.limit {
	rate  = 5
	burst = 10
}

stage.multiline {
	firstline     = "^\\\\d{4}"
	max_lines     = 100000
	max_wait_time = "1s"
}

stage.multiline {
	firstline = "^\\\\["
}

stage.pack {
	labels = ["foo", "bar"]
}

stage.pack {
	labels           = ["foo"]
	ingest_timestamp = false
}

stage.pack {
	labels = ["foo"]
}

stage.sampling {
	rate = 0.5
}

stage.sampling {
	drop_counter_reason = "womp womp!"
	rate                = 0
}

stage.decolorize { }

stage.eventlogmessage {
	source              = "something"
	drop_invalid_labels = true
	overwrite_existing  = true
}

stage.eventlogmessage { }

stage.geoip {
	db      = "/usr/share/GeoIP/GeoLite2-City.mmdb"
	source  = "internet"
	db_type = "city"
}`,
  ],
  [
    'drop: sources as a list, sizes in bytes (KB, kB, bare numbers) written as Base2Bytes, durations',
    `
- drop: { source: string, drop_counter_reason: nope, value: penny, separator: ",", expression: ":joy:", older_than: 10m, longer_than: 1KB }
- drop: { drop_counter_reason: nope, value: penny, longer_than: 1kB }
- drop: { value: penny, longer_than: 2048 }
- drop: { source: [string_one], longer_than: 1MB }
- drop: { source: [comma, separated], longer_than: 1536 }`,
    `stage.drop {
	drop_counter_reason = "nope"
	source              = "string"
	value               = "penny"
	separator           = ","
	expression          = ":joy:"
	older_than          = "10m"
	longer_than         = "1KiB"
}

stage.drop {
	drop_counter_reason = "nope"
	value               = "penny"
	longer_than         = "1KiB"
}

stage.drop {
	value       = "penny"
	longer_than = "2KiB"
}

stage.drop {
	source      = "string_one"
	longer_than = "1MiB"
}

stage.drop {
	source      = "comma,separated"
	longer_than = "1KiB512B"
}`,
  ],
  [
    'match: selector, action, pipeline_name, drop_counter_reason, nested stages (match in match)',
    `
- match:
    pipeline_name: one
    selector: '{app="foo"}'
    stages:
      - docker: {}
      - regex: { expression: "^(?P<level>\\\\w+) " }
      - labels: { level: }
      - match:
          pipeline_name: two
          selector: '{level="debug"}'
          action: drop
          drop_counter_reason: nope_two
          stages: []
      - match:
          selector: '{level="error"}'
          stages:
            - static_labels: { alert: "yes" }
            - metrics:
                errors_total: { type: counter, config: { match_all: true, action: inc } }`,
    `stage.match {
	selector      = "{app=\\"foo\\"}"
	pipeline_name = "one"

	stage.docker { }

	stage.regex {
		expression = "^(?P<level>\\\\w+) "
	}

	stage.labels {
		values = {
			level = "",
		}
	}

	stage.match {
		selector            = "{level=\\"debug\\"}"
		action              = "drop"
		pipeline_name       = "two"
		drop_counter_reason = "nope_two"
	}

	stage.match {
		selector = "{level=\\"error\\"}"

		stage.static_labels {
			values = {
				alert = "yes",
			}
		}

		stage.metrics {
			metric.counter {
				name      = "errors_total"
				action    = "inc"
				match_all = true
			}
		}
	}
}`,
  ],
];

describe('alloy convert: promtail pipeline stages', () => {
  test.each(CASES)('%s', (_name, stagesYaml, expected) => {
    const r = convertStagesYaml(stagesYaml);
    expect(r.errors).toEqual([]);
    expect(processBody(r.output)).toBe(expected);
    // The converted config is one `alloy validate` accepts: every stage built (regexes, selectors, templates, metrics).
    expect(validateConfig([{ name: 'converted.alloy', source: r.output! }], 'converted.alloy', 'experimental')).toEqual([]);
  });

  test('non_indexed_labels (the old name of structured_metadata) is converted with a warning', () => {
    const r = convertStagesYaml('- non_indexed_labels: { app: }');
    expect(r.errors).toEqual([]);
    expect(processBody(r.output)).toBe('stage.structured_metadata {\n\tvalues = {\n\t\tapp = "",\n\t}\n}');
    expect(r.diagnostics.list.filter((d) => d.severity === 'Warning').map((d) => d.summary)).toEqual([
      'scrape_configs[0].pipeline_stages[0].non_indexed_labels: non_indexed_labels is the deprecated name of structured_metadata; converted to stage.structured_metadata.',
    ]);
  });

  test.each([
    [
      'truncate',
      'max_line_size: 256KB\n  max_line_size_truncate: true\n  readline_rate_enabled: true\n  readline_rate: 1000.5\n  readline_burst: 1000',
      'stage.limit {\n\trate  = 1000.5\n\tburst = 1000\n\tdrop  = true\n}\n\nstage.truncate {\n\trule {\n\t\tlimit = "256KiB"\n\t}\n}\n\nstage.json {\n\texpressions = {}\n}',
    ],
    [
      'drop',
      'max_line_size: 1024\n  readline_rate_enabled: true\n  readline_rate_drop: false',
      'stage.limit {\n\trate  = 10000\n\tburst = 10000\n}\n\nstage.drop {\n\tlonger_than = "1KiB"\n}\n\nstage.json {\n\texpressions = {}\n}',
    ],
  ])('limits_config (max_line_size by %s) becomes stages ahead of the job\'s own', (_name, limits, expected) => {
    const r = run(
      `limits_config:\n  ${limits}\nclients:\n  - url: http://127.0.0.1:3100/loki/api/v1/push\nscrape_configs:\n  - job_name: k\n    kubernetes_sd_configs: [{ role: pod }]\n    pipeline_stages: [{ json: {} }]\n`,
      'promtail',
    );
    expect(r.errors).toEqual([]);
    expect(processBody(r.output)).toBe(expected);
    expect(r.diagnostics.list.filter((d) => d.severity === 'Warning').map((d) => d.summary)).toEqual([
      expect.stringMatching(/^limits_config rate limiting settings .* apply independently per pipeline/),
    ]);
    expect(validateConfig([{ name: 'converted.alloy', source: r.output! }], 'converted.alloy', 'experimental')).toEqual([]);
  });

  test.each([
    ['a metric of an unknown type', '- metrics: { m: { type: summary, config: { action: inc } } }', /^\(Error\) scrape_configs\[0\]\.pipeline_stages\[0\]\.metrics\.m\.type: unknown metric type "summary"/],
    ['a counter without a valid action', '- metrics: { m: { type: counter, config: { action: set } } }', /^\(Error\) scrape_configs\[0\]\.pipeline_stages\[0\]\.metrics\.m\.config\.action: the counter "m" needs an action, one of inc, add; got "set"/],
    ['a bad longer_than', '- drop: { longer_than: 1.21GigaWatts }', /^\(Error\) invalid pipeline stage config: scrape_configs\[0\]\.pipeline_stages\[0\]\.drop\.longer_than: invalid byte size "1.21GigaWatts"/],
    ['a bad older_than', '- drop: { older_than: lightyear }', /^\(Error\) invalid pipeline stage config: scrape_configs\[0\]\.pipeline_stages\[0\]\.drop\.older_than: not a valid Go duration/],
    ['a drop source that is a mapping', '- drop: { source: { invalid: object } }', /^\(Error\) invalid pipeline stage config: scrape_configs\[0\]\.pipeline_stages\[0\]\.drop\.source: expected a string/],
    ['labeldrop that is not a list', '- labeldrop: { a: b }', /^\(Error\) invalid pipeline stage config: scrape_configs\[0\]\.pipeline_stages\[0\]\.labeldrop: expected a list of label names/],
    ['an unknown field of a stage', '- regex: { expression: a, sauce: b }', /^\(Error\) The converter does not know the field scrape_configs\[0\]\.pipeline_stages\[0\]\.regex\.sauce/],
    ['a bad stage nested in match', '- match: { selector: "{a=\\"b\\"}", stages: [{ nonsense: {} }] }', /^\(Error\) .*pipeline stage: nonsense \(scrape_configs\[0\]\.pipeline_stages\[0\]\.match\.stages\[0\]: not a promtail stage\)/],
    ['match stages that are not a list', '- match: { selector: "{a=\\"b\\"}", stages: { json: {} } }', /^\(Error\) invalid pipeline stage config: scrape_configs\[0\]\.pipeline_stages\[0\]\.match\.stages: expected a list of stages/],
    ['a limit rate that is not a number', '- limit: { rate: fast, burst: 1 }', /^\(Error\) invalid pipeline stage config: scrape_configs\[0\]\.pipeline_stages\[0\]\.limit\.rate: expected a number, got "fast"/],
  ])('%s is reported at its place', (_name, stagesYaml, message) => {
    const r = convertStagesYaml(stagesYaml);
    expect(r.errors).toEqual([expect.stringMatching(message)]);
  });

  test('a stage that cannot be read is an Error and is left out; with --bypass-errors the rest of the pipeline is written', () => {
    const r = convertStagesYaml('- drop: { older_than: lightyear }\n- match: { selector: "{a=\\"b\\"}", stages: [{ drop: { longer_than: huge } }, { output: { source: msg } }] }\n- output: { source: x }');
    expect(r.errors).toEqual([
      expect.stringMatching(/^\(Error\) invalid pipeline stage config: scrape_configs\[0\]\.pipeline_stages\[0\]\.drop\.older_than/),
      expect.stringMatching(/^\(Error\) invalid pipeline stage config: scrape_configs\[0\]\.pipeline_stages\[1\]\.match\.stages\[0\]\.drop\.longer_than/),
    ]);
    expect(r.output).toBeDefined();
    expect(processBody(r.output)).toBe('stage.match {\n\tselector = "{a=\\"b\\"}"\n\n\tstage.output {\n\t\tsource = "msg"\n\t}\n}\n\nstage.output {\n\tsource = "x"\n}');
  });
});
