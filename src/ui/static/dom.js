// Tiny DOM builders: h() for HTML, s() for SVG. Attributes starting with "on"
// are event handlers; null/undefined/false children and attributes are skipped.

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** Appends strings, nodes and (nested) arrays of them. */
export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** h('a', { href: '#/' }, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  return apply(document.createElement(tag), attrs, children);
}

export function s(tag, attrs, ...children) {
  return apply(document.createElementNS(SVG_NS, tag), attrs, children);
}

/**
 * Replaces a region's content only when its data changed, so a poll that
 * brings nothing new keeps the reader's scroll position and text selection.
 */
export function renderIfChanged(region, data, build) {
  const key = JSON.stringify(data);
  if (region.dataset.rendered === key) return false;
  region.dataset.rendered = key;
  region.replaceChildren(build(data));
  return true;
}
