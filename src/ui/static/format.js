// Pure formatting helpers (no DOM), shared by the pages and unit-tested in node.

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function isIsoTime(v) {
  return typeof v === 'string' && ISO_TIME.test(v);
}

/** "4s ago", "3m ago", "2h ago", "5d ago" ("in 2s" for a time ahead of the clock). */
export function ago(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return String(iso);
  const d = Math.round((now - t) / 1000);
  const a = Math.abs(d);
  const unit = a < 60 ? `${a}s` : a < 3600 ? `${Math.floor(a / 60)}m` : a < 86400 ? `${Math.floor(a / 3600)}h` : `${Math.floor(a / 86400)}d`;
  return d >= 0 ? `${unit} ago` : `in ${unit}`;
}

/** Seconds as a short human duration: 0.0042 -> "4.2ms", 12.5 -> "12.5s", 3720 -> "1h2m". */
export function seconds(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  if (n < 1) return `${+(n * 1000).toPrecision(3)}ms`;
  if (n < 60) return `${+n.toPrecision(3)}s`;
  if (n < 3600) {
    const sec = Math.round(n % 60);
    return `${Math.floor(n / 60)}m${sec ? `${sec}s` : ''}`;
  }
  const min = Math.floor((n % 3600) / 60);
  return `${Math.floor(n / 3600)}h${min ? `${min}m` : ''}`;
}

/** Alloy durations reach components (and the API) as milliseconds. */
export function millis(n) {
  return typeof n === 'number' && Number.isFinite(n) ? (n === 0 ? '0s' : seconds(n / 1000)) : String(n);
}

/** Attribute names that hold a duration in milliseconds (Alloy's duration arguments). */
export function isDurationKey(key) {
  return /(^|_)(interval|timeout|frequency|period|backoff|delay|deadline|wait|min_period|max_period)$|_ms$/.test(String(key));
}

/** Prometheus-style "0.004200s" durations as seconds() text. */
export function durationText(v) {
  if (typeof v === 'number') return seconds(v);
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(v) : null;
  return m ? seconds(Number(m[1])) : String(v);
}

/** The CSS class of a health or state word: good, bad or neutral. */
export function tone(word) {
  switch (String(word).toLowerCase()) {
    case 'healthy':
    case 'up':
    case 'ok':
    case 'alive':
    case 'participant':
    case 'running':
    case 'tailing':
    case 'following':
    case 'ready':
      return 'good';
    case 'unhealthy':
    case 'down':
    case 'error':
    case 'dead':
    case 'failed':
    case 'rejected':
      return 'bad';
    case 'suspect':
    case 'terminating':
    case 'viewer':
    case 'left':
    case 'backoff':
    case 'pending':
      return 'warn';
    default:
      return 'neutral';
  }
}

/** `{a="1", b="2"}` like Prometheus prints label sets. */
export function labelsText(labels) {
  return `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(', ')}}`;
}

/** Case-insensitive match of every whitespace-separated word of `query` somewhere in `texts`. */
export function matches(query, texts) {
  const words = String(query).toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = texts.map((t) => String(t ?? '').toLowerCase()).join('\n');
  return words.every((w) => hay.includes(w));
}

export function percent(fraction) {
  return `${(fraction * 100).toFixed(1)}%`;
}
