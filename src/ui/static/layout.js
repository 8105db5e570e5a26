// Layered layout of the component graph (pure, unit-tested in node).
// A component's layer is the length of the longest chain of references
// below it, so data flows left to right: sources (no references) in layer 0,
// every component right of everything it references. An edge that skips
// layers gets a thin placeholder slot in every layer it crosses, so it runs
// between boxes instead of behind them. Within a layer, nodes are ordered by
// the mean row of what they reference (fewer crossings).

export const BOX_H = 44;
export const LANE_H = 10; // slot height of an edge passing through a layer
export const GAP_X = 70;
export const GAP_Y = 18;
export const PAD = 16;
const CHAR_W = 7.2; // 12px monospace

/** nodes: [{ id, references: [id] }] (references to unknown ids ignored). */
export function layers(nodes) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const layer = new Map();
  const visiting = new Set();
  const depth = (id) => {
    if (layer.has(id)) return layer.get(id);
    if (visiting.has(id)) return 0; // a cycle cannot load, but never recurse forever
    visiting.add(id);
    let d = 0;
    for (const r of byId.get(id).references ?? []) if (byId.has(r) && r !== id) d = Math.max(d, depth(r) + 1);
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  for (const n of nodes) depth(n.id);
  return layer;
}

/** The distinct, drawable references: [from, to] with from in a layer left of to. */
function edgeList(nodes, layer) {
  const out = [];
  for (const n of nodes) {
    for (const r of new Set(n.references ?? [])) {
      if (r !== n.id && layer.has(r) && layer.get(r) < layer.get(n.id)) out.push([r, n.id]);
    }
  }
  return out;
}

export function layoutGraph(nodes) {
  const layer = layers(nodes);
  const edges = edgeList(nodes, layer);
  const count = nodes.length === 0 ? 0 : Math.max(...layer.values()) + 1;
  // Slots per column: real nodes and lanes of long edges ({ lane: true, refs }).
  const columns = Array.from({ length: count }, () => []);
  const slotOf = new Map();
  for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) {
    const slot = { id: n.id, lane: false, refs: [] };
    slotOf.set(n.id, slot);
    columns[layer.get(n.id)].push(slot);
  }
  const lanes = new Map(); // edge key -> lane slots left to right
  for (const [from, to] of edges) {
    let prev = from;
    const chain = [];
    for (let l = layer.get(from) + 1; l < layer.get(to); l++) {
      const slot = { id: `${from}->${to}#${l}`, lane: true, refs: [prev] };
      slotOf.set(slot.id, slot);
      columns[l].push(slot);
      chain.push(slot);
      prev = slot.id;
    }
    lanes.set(`${from}\x00${to}`, chain);
    slotOf.get(to).refs.push(prev);
  }

  const row = new Map();
  for (const [c, col] of columns.entries()) {
    if (c > 0) {
      const key = (s) => {
        const rows = s.refs.filter((r) => row.has(r)).map((r) => row.get(r));
        return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Infinity;
      };
      col.sort((a, b) => key(a) - key(b) || a.id.localeCompare(b.id));
    }
    col.forEach((s, i) => row.set(s.id, i));
  }

  const widths = columns.map((col) => Math.max(120, ...col.filter((s) => !s.lane).map((s) => Math.ceil(s.id.length * CHAR_W) + 20)));
  const xs = [];
  let x = PAD;
  for (const w of widths) {
    xs.push(x);
    x += w + GAP_X;
  }
  const heightOf = (col) => col.reduce((sum, s, i) => sum + (s.lane ? LANE_H : BOX_H) + (i ? GAP_Y : 0), 0);
  const tallest = Math.max(0, ...columns.map(heightOf));
  const placed = new Map();
  for (const [c, col] of columns.entries()) {
    // Center shorter columns vertically against the tallest one.
    let y = PAD + (tallest - heightOf(col)) / 2;
    for (const s of col) {
      const h = s.lane ? LANE_H : BOX_H;
      placed.set(s.id, { id: s.id, lane: s.lane, layer: c, x: xs[c], y, w: widths[c], h });
      y += h + GAP_Y;
    }
  }

  const curve = (x1, y1, x2, y2) => {
    const mid = (x1 + x2) / 2;
    return `C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
  };
  const drawn = edges.map(([from, to]) => {
    const a = placed.get(from);
    const b = placed.get(to);
    let px = a.x + a.w;
    let py = a.y + a.h / 2;
    let d = `M${px},${py}`;
    const waypoints = [];
    for (const s of lanes.get(`${from}\x00${to}`)) {
      const p = placed.get(s.id);
      const y = p.y + p.h / 2;
      d += ` ${curve(px, py, p.x, y)} L${p.x + p.w},${y}`;
      waypoints.push({ layer: p.layer, x1: p.x, x2: p.x + p.w, y });
      px = p.x + p.w;
      py = y;
    }
    d += ` ${curve(px, py, b.x, b.y + b.h / 2)}`;
    return { from, to, d, waypoints };
  });
  return {
    width: count === 0 ? 2 * PAD : x - GAP_X + PAD,
    height: 2 * PAD + tallest,
    nodes: [...placed.values()].filter((p) => !p.lane).map(({ lane, ...p }) => p),
    edges: drawn,
  };
}
