// JSON API under /api/v0/web/* used by the debug UI (documented in README).
import { Router } from 'express';
import type { ClusterOwnership } from '../clustering/ownership.js';
import type { Controller, NodeView } from '../runtime/controller.js';
import { toDisplay } from '../runtime/values.js';

function summary(v: NodeView) {
  // localID / moduleID as Alloy's API names them: a component inside a module is "<module id>/<local id>".
  return {
    id: v.id,
    localID: v.localId ?? v.id,
    moduleID: v.moduleId ?? '',
    name: v.name,
    label: v.label ?? null,
    health: v.health,
    references: v.references,
    referencedBy: v.referencedBy,
  };
}

export function apiRouter(controller: Controller, cluster: ClusterOwnership): Router {
  const r = Router();
  r.get('/components', (_req, res) => {
    res.json(controller.list().map(summary));
  });
  // Ids of components in modules contain "/": accepted encoded (%2F, as the UI sends them) or raw.
  r.get('/components/*id', (req, res) => {
    const raw = (req.params as { id: string | string[] }).id;
    const id = Array.isArray(raw) ? raw.join('/') : raw;
    const v = controller.view(id);
    if (!v) {
      res.status(404).json({ error: `component "${id}" does not exist` });
      return;
    }
    const inner = controller.list().filter((c) => c.moduleId === id).map((c) => c.id);
    res.json({ ...summary(v), arguments: toDisplay(v.arguments), exports: toDisplay(v.exports), debugInfo: toDisplay(v.debugInfo), moduleComponents: inner });
  });
  r.get('/peers', (_req, res) => {
    res.json(cluster.peers());
  });
  return r;
}
