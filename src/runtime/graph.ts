// Static analysis of a parsed config: which component blocks exist, which
// components each one references, a dependency order, and cycle detection.
// The planner (modules/plan.ts) also expands declares, imports and foreach.
export { CONFIG_BLOCKS, planGraph, resolveReference, type Plan, type PlannedNode, type PlanInputs, type NodeKind } from './modules/plan.js';
