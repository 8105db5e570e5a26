// Generic rendering of API values (arguments, exports, debug info) so any
// component's data reads well without a page of its own: arrays of objects
// become tables, objects become key/value tables, label maps become chips,
// times read "12s ago", *_seconds read as durations, health words as badges.
import { h } from './dom.js';
import { ago, durationText, isDurationKey, isIsoTime, labelsText, millis, seconds, tone } from './format.js';

const MAX_ROWS = 500;
/** More distinct keys than this in a list of label sets: chips instead of one column per key. */
const WIDE_LABEL_SETS = 6;
const BADGE_KEYS = /^(health|state|status|role)$/i;

export function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function badge(word, extra = {}) {
  return h('span', { class: `badge ${tone(word)}`, ...extra }, String(word));
}

/** A relative time kept fresh by refreshTimes(); the exact time in its tooltip. */
export function timeAgo(iso) {
  return h('time', { datetime: iso, title: iso, 'data-ago': '' }, ago(iso));
}

export function refreshTimes(root) {
  for (const el of root.querySelectorAll('time[data-ago]')) el.textContent = ago(el.getAttribute('datetime'));
}

export function labelChips(labels) {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return h('span', { class: 'muted' }, '{}');
  return h(
    'span',
    { class: 'labels', title: labelsText(labels) },
    keys.map((k) => h('span', { class: 'chip' }, h('b', {}, k), '=', String(labels[k]))),
  );
}

function isLabelMap(v) {
  return isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** Renders one value; `key` (its attribute name) picks formats such as badges and durations. */
export function renderValue(v, key = '') {
  if (v === null || v === undefined) return h('span', { class: 'muted' }, 'null');
  if (typeof v === 'boolean') return h('span', { class: 'bool' }, String(v));
  if (typeof v === 'number') {
    if (/_seconds$/.test(key)) return h('span', { class: 'num', title: `${v} s` }, seconds(v));
    if (isDurationKey(key)) return h('span', { class: 'num', title: `${v} ms` }, millis(v));
    return h('span', { class: 'num' }, String(v));
  }
  if (typeof v === 'string') {
    if (BADGE_KEYS.test(key)) return badge(v);
    if (isIsoTime(v)) return timeAgo(v);
    if (/duration/.test(key)) return h('span', { title: v }, durationText(v));
    if (v.includes('\n')) return h('pre', { class: 'text' }, v);
    return h('span', { class: 'str' }, v);
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return h('span', { class: 'muted' }, '[]');
    // Target lists (label sets with many __meta_* keys) read better as one chip row per target.
    if (v.every(isLabelMap) && new Set(v.flatMap((x) => Object.keys(x))).size > WIDE_LABEL_SETS) {
      return renderTable(v, [{ key: 'labels', title: `${v.length} label sets`, render: (x) => labelChips(x) }]);
    }
    if (v.every(isPlainObject)) return renderTable(v);
    if (v.every((x) => !isPlainObject(x) && !Array.isArray(x))) {
      return h('span', { class: 'list' }, v.map((x) => h('span', { class: 'item' }, renderValue(x, key))));
    }
    return h('ol', { class: 'values' }, v.map((x) => h('li', {}, renderValue(x, key))));
  }
  if (isPlainObject(v)) {
    if (/labels?$/i.test(key) && isLabelMap(v)) return labelChips(v);
    // A runtime object the API could only describe by its methods (e.g. a receiver).
    const keys = Object.keys(v);
    if (keys.length > 0 && keys.every((k) => v[k] === '(function)')) return h('span', { class: 'str muted' }, `object with ${keys.map((k) => `${k}()`).join(', ')}`);
    return renderObject(v);
  }
  return h('span', {}, String(v));
}

/** A key/value table of an object's fields. */
export function renderObject(obj) {
  const keys = Object.keys(obj);
  if (keys.length === 0) return h('span', { class: 'muted' }, '{}');
  return h(
    'table',
    { class: 'kv' },
    h(
      'tbody',
      {},
      keys.map((k) => h('tr', { 'data-key': k }, h('th', {}, k), h('td', {}, renderValue(obj[k], k)))),
    ),
  );
}

/**
 * A table of objects: one column per key (in first-seen order) unless
 * `columns` lists them as [{ key, title, render(row) }].
 */
export function renderTable(rows, columns, rowAttrs) {
  const cols =
    columns ??
    [...new Set(rows.flatMap((r) => Object.keys(r)))].map((k) => ({ key: k, title: k, render: (r) => (r[k] === null || r[k] === undefined ? '' : renderValue(r[k], k)) }));
  const shown = rows.slice(0, MAX_ROWS);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid' },
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', {}, c.title)))),
      h(
        'tbody',
        {},
        shown.map((r) => h('tr', rowAttrs?.(r) ?? {}, cols.map((c) => h('td', { 'data-col': c.key }, c.render(r))))),
      ),
    ),
    rows.length > MAX_ROWS ? h('p', { class: 'muted' }, `… ${rows.length - MAX_ROWS} more rows not shown`) : null,
  );
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

export function errorBox(message) {
  return h('div', { class: 'error', role: 'alert' }, message);
}
