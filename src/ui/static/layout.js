// Layered layout of the component graph (pure, unit-tested in node).
// A component's layer is the length of the longest chain of references
// below it, so data flows left to right: sources (no references) in layer 0,
// every component right of everything it references. Within a layer, nodes
// are ordered by the mean row of what they reference (fewer crossings).

export const BOX_H = 44;
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

export function layoutGraph(nodes) {
  const layer = layers(nodes);
  const count = nodes.length === 0 ? 0 : Math.max(...layer.values()) + 1;
  const columns = Array.from({ length: count }, () => []);
  for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) columns[layer.get(n.id)].push(n);

  const row = new Map();
  for (const [c, col] of columns.entries()) {
    if (c > 0) {
      const key = (n) => {
        const rows = (n.references ?? []).filter((r) => row.has(r)).map((r) => row.get(r));
        return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Infinity;
      };
      col.sort((a, b) => key(a) - key(b) || a.id.localeCompare(b.id));
    }
    col.forEach((n, i) => row.set(n.id, i));
  }

  const widths = columns.map((col) => Math.max(120, ...col.map((n) => Math.ceil(n.id.length * CHAR_W) + 20)));
  const xs = [];
  let x = PAD;
  for (const w of widths) {
    xs.push(x);
    x += w + GAP_X;
  }
  const rows = Math.max(0, ...columns.map((c) => c.length));
  const placed = new Map();
  for (const [c, col] of columns.entries()) {
    // Center shorter columns vertically against the tallest one.
    const offset = ((rows - col.length) * (BOX_H + GAP_Y)) / 2;
    col.forEach((n, i) => {
      placed.set(n.id, { id: n.id, layer: c, x: xs[c], y: PAD + offset + i * (BOX_H + GAP_Y), w: widths[c], h: BOX_H });
    });
  }
  const edges = [];
  for (const n of nodes) {
    for (const r of n.references ?? []) {
      const a = placed.get(r);
      const b = placed.get(n.id);
      if (!a || !b || a === b) continue;
      const x1 = a.x + a.w;
      const y1 = a.y + a.h / 2;
      const x2 = b.x;
      const y2 = b.y + b.h / 2;
      const mid = (x1 + x2) / 2;
      edges.push({ from: r, to: n.id, d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` });
    }
  }
  return {
    width: count === 0 ? 2 * PAD : x - GAP_X + PAD,
    height: 2 * PAD + rows * BOX_H + Math.max(0, rows - 1) * GAP_Y,
    nodes: [...placed.values()],
    edges,
  };
}
