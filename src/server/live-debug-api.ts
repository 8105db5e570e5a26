// GET /api/v0/web/debug/<component id>[?sampleProb=0..1]: the live debugging
// stream of one component, as Alloy serves it: a long text/plain answer in
// which every item ends with "|;|". Items are sampled with sampleProb; when
// the viewer reads slower than the component publishes, items are dropped
// (the component is never held back) and a line says how many.
import { Router, type Response } from 'express';
import type { Logger } from 'pino';
import type { ComponentHost } from '../runtime/component-host.js';
import type { LiveDebuggingHub } from '../runtime/live-debugging.js';
import { getComponent } from '../runtime/registry.js';
import { echo } from './errors.js';

export const LIVE_DEBUG_DELIMITER = '|;|';
/** Bytes waiting in one viewer's socket beyond which new items are dropped. */
const MAX_PENDING_BYTES = 1 << 20;

export interface LiveDebugApiOptions {
  components: ComponentHost;
  hub: LiveDebuggingHub;
  logger: Logger;
}

function refuse(res: Response, status: number, error: string): void {
  res.status(status).json({ error });
}

export function liveDebugRouter(o: LiveDebugApiOptions): Router {
  const r = Router();
  r.get('/debug/*id', (req, res) => {
    const raw = (req.params as { id: string | string[] }).id;
    const id = Array.isArray(raw) ? raw.join('/') : raw;
    const v = o.components.view(id, false);
    if (!v) return refuse(res, 404, `component "${echo(id)}" does not exist`);
    if (!o.hub.isEnabled()) return refuse(res, 400, 'the live debugging service is disabled: add `livedebugging { enabled = true }` to the config');
    if (!getComponent(v.name)?.liveDebugging) return refuse(res, 400, `the component "${echo(v.name)}" does not support live debugging`);
    let sampleProb = 1;
    const q = req.query.sampleProb;
    if (q !== undefined) {
      sampleProb = Number(q);
      if (typeof q !== 'string' || q.trim() === '' || !Number.isFinite(sampleProb) || sampleProb < 0 || sampleProb > 1) return refuse(res, 400, 'Invalid sample probability: sampleProb must be a number from 0 to 1');
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.flushHeaders();
    let dropped = 0;
    let warned = false;
    const stop = o.hub.watch(id, (d) => {
      if (sampleProb < 1 && Math.random() >= sampleProb) return;
      if (res.writableLength > MAX_PENDING_BYTES) {
        dropped += d.count || 1;
        if (!warned) o.logger.warn({ component: id }, 'live debugging: the viewer reads slower than the component publishes; items are dropped');
        warned = true;
        return;
      }
      if (dropped > 0) {
        res.write(`(${dropped} items dropped: the viewer was too slow)${LIVE_DEBUG_DELIMITER}`);
        dropped = 0;
      }
      res.write(d.text + LIVE_DEBUG_DELIMITER);
    });
    const end = () => stop();
    req.on('close', end);
    res.on('close', end);
  });
  return r;
}
