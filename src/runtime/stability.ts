// Stability levels (Alloy's internal/featuregate): every component, config
// block, argument, block and stdlib function is generally available unless
// marked otherwise, and a config may only use what --stability.level allows.
// The check is static, on the parsed config, so a violation is a positioned
// error before anything runs (Alloy checks functions at reference time too).
import type { Statement } from '../syntax/ast.js';
import { Diagnostic } from '../syntax/diagnostic.js';
import { nameChains } from '../syntax/eval.js';
import { DEPRECATED_FUNCTIONS, EXPERIMENTAL_FUNCTIONS } from '../syntax/stdlib.js';
import { getComponent } from './registry.js';
import type { BlockSchema, ComponentDefinition } from './types.js';
import { type StabilityLevel, stabilityError } from '../syntax/stability.js';

export { parseStabilityLevel, permits, STABILITY_LEVELS, type StabilityLevel, stabilityError } from '../syntax/stability.js';

/** Config blocks that are not generally available (the others are). */
export const CONFIG_BLOCK_STABILITY: Record<string, StabilityLevel> = {};

export interface StabilityCheckOptions {
  /** Looks up component kinds; the process registry by default. */
  component?: (name: string) => ComponentDefinition | undefined;
}

/**
 * Throws a Diagnostic at the first use of something below `min`: a component,
 * a config block, an argument or block of a component schema, a stdlib function.
 * Blocks that are not components (config blocks, declare, foreach templates)
 * are walked too, so components nested in them are checked as well.
 */
export function checkStability(body: Statement[], min: StabilityLevel, opts: StabilityCheckOptions = {}): void {
  if (min === 'experimental') return; // everything is allowed
  const component = opts.component ?? getComponent;
  const fail = (pos: Diagnostic['pos'], msg: string | undefined) => {
    if (msg) throw new Diagnostic(pos, msg);
  };

  const walkExprs = (stmts: Statement[]) => {
    for (const st of stmts) {
      if (st.kind === 'block') continue;
      for (const { path, pos } of nameChains(st.value)) {
        const fn = path.slice(0, 2).join('.');
        if (EXPERIMENTAL_FUNCTIONS.has(fn)) fail(pos, stabilityError(fn, 'experimental', min));
      }
    }
  };

  const walkSchema = (stmts: Statement[], schema: BlockSchema, where: string) => {
    walkExprs(stmts);
    for (const st of stmts) {
      if (st.kind === 'attribute') {
        const s = schema.attrs?.[st.name]?.stability;
        if (s) fail(st.pos, stabilityError(`argument "${st.name}" of ${where}`, s, min));
      } else {
        const spec = schema.blocks?.[st.name];
        if (!spec) continue; // unknown blocks are the decoder's to report
        if (spec.stability) fail(st.pos, stabilityError(`block "${st.name}" of ${where}`, spec.stability, min));
        walkSchema(st.body, spec.schema, where);
      }
    }
  };

  const walkStatements = (stmts: Statement[]) => {
    walkExprs(stmts);
    for (const st of stmts) {
      if (st.kind !== 'block') continue;
      const blockStability = CONFIG_BLOCK_STABILITY[st.name];
      if (blockStability) fail(st.pos, stabilityError(`config block "${st.name}"`, blockStability, min));
      const def = component(st.name);
      if (def) {
        fail(st.pos, stabilityError(`component "${def.name}"`, def.stability ?? 'generally-available', min));
        walkSchema(st.body, def.args, `component "${def.name}"`);
      } else {
        walkStatements(st.body);
      }
    }
  };

  walkStatements(body);
}

/**
 * Uses of Alloy's deprecated top-level stdlib names (`env`, `json_decode`,
 * ...), each with its namespaced replacement: Alloy warns about them.
 */
export function deprecatedFunctionUses(body: Statement[]): { name: string; replacement: string; pos: Diagnostic['pos'] }[] {
  const out: { name: string; replacement: string; pos: Diagnostic['pos'] }[] = [];
  const walk = (stmts: Statement[]) => {
    for (const st of stmts) {
      if (st.kind === 'block') {
        walk(st.body);
        continue;
      }
      for (const { path, pos } of nameChains(st.value)) {
        const replacement = Object.prototype.hasOwnProperty.call(DEPRECATED_FUNCTIONS, path[0]) ? DEPRECATED_FUNCTIONS[path[0]] : undefined;
        if (replacement && path.length === 1) out.push({ name: path[0], replacement, pos });
      }
    }
  };
  walk(body);
  return out;
}
