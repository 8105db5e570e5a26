// Live debugging (Alloy's livedebugging service): a component that supports it
// publishes what flows through it (targets, samples, log lines, spans) to the
// hub, which hands each item to the viewers watching that component. Nothing
// is rendered unless somebody watches: `publish` takes a function that makes
// the text, called only when a viewer is attached and the block enables it.

/** Alloy's data types. */
export type LiveDataType = 'target' | 'prometheus_metric' | 'loki_log' | 'otel_metric' | 'otel_log' | 'otel_trace';

export interface LiveData {
  componentId: string;
  type: LiveDataType;
  /** How many items (samples, lines, spans) the text stands for. */
  count: number;
  text: string;
}

/** What a component gets: cheap to call on the hot path when nobody watches. */
export interface LiveDebugPublisher {
  active(): boolean;
  publish(type: LiveDataType, count: number, text: () => string): void;
}

type Viewer = (d: LiveData) => void;

export class LiveDebuggingHub {
  private enabled = false;
  private readonly viewers = new Map<string, Set<Viewer>>();

  setEnabled(on: boolean): void {
    this.enabled = on;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  /** Starts watching `componentId`; returns the function that stops. */
  watch(componentId: string, viewer: Viewer): () => void {
    let set = this.viewers.get(componentId);
    if (!set) this.viewers.set(componentId, (set = new Set()));
    set.add(viewer);
    return () => {
      set!.delete(viewer);
      if (set!.size === 0 && this.viewers.get(componentId) === set) this.viewers.delete(componentId);
    };
  }

  watchers(componentId: string): number {
    return this.viewers.get(componentId)?.size ?? 0;
  }

  publisher(componentId: string): LiveDebugPublisher {
    return {
      active: () => this.enabled && this.viewers.has(componentId),
      publish: (type, count, text) => {
        if (!this.enabled) return;
        const set = this.viewers.get(componentId);
        if (!set) return;
        const d: LiveData = { componentId, type, count, text: text() };
        for (const v of set) v(d);
      },
    };
  }
}

/** For components built without a hub (tests, tools): never active. */
export const NO_LIVE_DEBUGGING: LiveDebugPublisher = { active: () => false, publish: () => undefined };
