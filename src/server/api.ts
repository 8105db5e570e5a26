// JSON API under /api/v0/web/* used by the debug UI (documented in README).
import { Router } from 'express';
import type { ClusterOwnership } from '../clustering/ownership.js';
import type { NodeView } from '../runtime/controller.js';
import type { ComponentHost } from '../runtime/component-host.js';
import { toDisplay } from '../runtime/values.js';
import { echo } from './errors.js';

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

export function apiRouter(controller: ComponentHost, cluster: ClusterOwnership): Router {
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
      res.status(404).json({ error: `component "${echo(id)}" does not exist` });
      return;
    }
    const created = v.createdModuleIds ?? [];
    // moduleComponents: the components of those modules, for the UI (Alloy's UI asks /modules/<id>/components).
    const inner = created.length ? controller.list().filter((c) => created.includes(c.moduleId ?? '')).map((c) => c.id) : [];
    res.json({
      ...summary(v),
      arguments: toDisplay(v.arguments),
      exports: toDisplay(v.exports),
      debugInfo: toDisplay(v.debugInfo),
      createdModuleIDs: created,
      moduleComponents: inner,
    });
  });
  // The components of one module (Alloy's route); /components lists every module's.
  r.get('/modules/*moduleID/components', (req, res) => {
    const raw = (req.params as { moduleID: string | string[] }).moduleID;
    const moduleId = Array.isArray(raw) ? raw.join('/') : raw;
    const list = controller.list().filter((c) => c.moduleId === moduleId);
    if (list.length === 0 && !controller.list().some((c) => c.createdModuleIds?.includes(moduleId))) {
      res.status(404).json({ error: `module "${echo(moduleId)}" does not exist` });
      return;
    }
    res.json(list.map(summary));
  });
  r.get('/peers', (_req, res) => {
    res.json(cluster.peers());
  });
  return r;
}
