// JSON API under /api/v0/web/* used by the debug UI (documented in README).
import { Router } from 'express';
import type { ClusterOwnership } from '../clustering/ownership.js';
import type { Controller, NodeView } from '../runtime/controller.js';
import { toDisplay } from '../runtime/values.js';

function summary(v: NodeView) {
  return { id: v.id, name: v.name, label: v.label ?? null, health: v.health, references: v.references, referencedBy: v.referencedBy };
}

export function apiRouter(controller: Controller, cluster: ClusterOwnership): Router {
  const r = Router();
  r.get('/components', (_req, res) => {
    res.json(controller.list().map(summary));
  });
  r.get('/components/:id', (req, res) => {
    const v = controller.view(req.params.id);
    if (!v) {
      res.status(404).json({ error: `component "${req.params.id}" does not exist` });
      return;
    }
    res.json({ ...summary(v), arguments: toDisplay(v.arguments), exports: toDisplay(v.exports), debugInfo: toDisplay(v.debugInfo) });
  });
  r.get('/peers', (_req, res) => {
    res.json(cluster.peers());
  });
  return r;
}
