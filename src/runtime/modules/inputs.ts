// The run-time inputs of the plan (modules fetched by imports, children of
// foreach blocks), the ones the last good plan was made of, and the ones
// refused. A new input is offered; the runtime re-plans when it is news; a
// plan that fails because of it refuses it (the last good one stays), and the
// same refused value is not offered again until its source changes.
import type { ModuleSource } from '../types.js';
import { deepEqual } from '../values.js';
import type { ForeachState } from './foreach.js';

export interface Inputs {
  modules: Map<string, ModuleSource>;
  foreach: Map<string, ForeachState>;
}

type Kind = keyof Inputs;

export interface ChangedInput {
  id: string;
  kind: Kind;
  value: unknown;
}

const copy = (i: Inputs): Inputs => ({ modules: new Map(i.modules), foreach: new Map(i.foreach) });

export class PlanInputsState {
  /** What the next plan is made of. */
  current: Inputs = { modules: new Map(), foreach: new Map() };
  /** What the last successful plan was made of: the fallback. */
  private good: Inputs = { modules: new Map(), foreach: new Map() };
  private readonly refused: { [K in Kind]: Map<string, unknown> } = { modules: new Map(), foreach: new Map() };

  /**
   * A source produced a value. "replan": it is news; "recovered": the source is
   * back to what runs (its refusal is over); "same": nothing to do.
   */
  offer(kind: Kind, id: string, value: ModuleSource | ForeachState): 'replan' | 'recovered' | 'same' {
    if (deepEqual(value, this.current[kind].get(id))) return this.refused[kind].delete(id) ? 'recovered' : 'same';
    if (deepEqual(value, this.refused[kind].get(id))) return 'same';
    this.refused[kind].delete(id);
    (this.current[kind] as Map<string, unknown>).set(id, value);
    return 'replan';
  }

  /** A copy of the current inputs, to plan with. */
  snapshot(): Inputs {
    return copy(this.current);
  }

  /** The plan made of `used` applied: it is the fallback now; inputs of nodes no longer planned are dropped. */
  applied(used: Inputs, planned: (id: string) => boolean): void {
    for (const i of [this.current, used]) {
      for (const id of [...i.modules.keys()]) if (!planned(id)) i.modules.delete(id);
      for (const id of [...i.foreach.keys()]) if (!planned(id)) i.foreach.delete(id);
    }
    this.good = used;
  }

  isRefused(id: string): boolean {
    return this.refused.modules.has(id) || this.refused.foreach.has(id);
  }

  hasGood(kind: Kind, id: string): boolean {
    return this.good[kind].has(id);
  }

  goodForeach(id: string): ForeachState | undefined {
    return this.good.foreach.get(id);
  }

  /** Inputs that differ from the last good plan. */
  changed(): ChangedInput[] {
    const out: ChangedInput[] = [];
    for (const kind of ['modules', 'foreach'] as const) {
      for (const [id, value] of this.current[kind] as Map<string, unknown>) if (!deepEqual(value, this.good[kind].get(id))) out.push({ id, kind, value });
    }
    return out;
  }

  /** Back to the last good inputs. */
  revert(): void {
    this.current = copy(this.good);
  }

  /** Puts one changed input back on top of the last good ones (to try it alone). */
  retry(c: ChangedInput): void {
    (this.current[c.kind] as Map<string, unknown>).set(c.id, c.value);
  }

  refuse(c: ChangedInput): void {
    this.refused[c.kind].set(c.id, c.value);
  }
}
