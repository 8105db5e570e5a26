import type { ComponentDefinition } from './types.js';

// One process-wide table of component kinds, filled by src/components.ts.
const definitions = new Map<string, ComponentDefinition>();

export function registerComponent(def: ComponentDefinition): void {
  if (definitions.has(def.name)) throw new Error(`component ${def.name} registered twice`);
  definitions.set(def.name, def);
}

export function getComponent(name: string): ComponentDefinition | undefined {
  return definitions.get(name);
}

export function componentNames(): string[] {
  return [...definitions.keys()].sort();
}
