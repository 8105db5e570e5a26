// stage.structured_metadata: copies extracted values (by `values` mapping
// or names matching `regex`) into the entry's structured metadata. Labels
// named the same way are moved there too (removed from the label set), as
// in Alloy. stage.structured_metadata_drop removes metadata by name.
import { compileGoRegexp, type GoRegexp } from './go-regexp.js';
import { scalarString } from './source.js';
import { isValidLabelName, type Stage, type StageEntry } from './types.js';

export interface StructuredMetadataArgs {
  values?: Record<string, string | null>;
  regex?: string;
}

export function structuredMetadataStage(args: StructuredMetadataArgs): Stage {
  const mapping = Object.entries(args.values ?? {}).map(([name, src]) => [name, src || name] as const);
  for (const [name] of mapping) if (!isValidLabelName(name)) throw new Error(`stage.structured_metadata: invalid label name: ${name}`);
  const re: GoRegexp | undefined = args.regex ? compileGoRegexp('stage.structured_metadata regex', args.regex) : undefined;
  return {
    name: 'structured_metadata',
    process(e: StageEntry) {
      const sm = e.structuredMetadata;
      for (const [name, src] of mapping) {
        if (!(src in e.extracted)) continue;
        const v = scalarString(e.extracted[src]);
        if (v !== undefined) sm[name] = v;
      }
      if (re) {
        for (const [k, raw] of Object.entries(e.extracted)) {
          if (!re.test(k)) continue;
          const v = scalarString(raw);
          if (v !== undefined) sm[k] = v;
        }
      }
      const moved: string[] = [];
      for (const [name, src] of mapping) {
        if (src in e.labels) {
          sm[name] = e.labels[src];
          moved.push(src);
        }
      }
      for (const m of moved) delete e.labels[m];
      if (re) {
        for (const k of Object.keys(e.labels)) {
          if (re.test(k)) {
            sm[k] = e.labels[k];
            delete e.labels[k];
          }
        }
      }
      return true;
    },
  };
}

export interface StructuredMetadataDropArgs {
  values?: string[];
}

export function structuredMetadataDropStage(args: StructuredMetadataDropArgs): Stage {
  const names = args.values ?? [];
  return {
    name: 'structured_metadata_drop',
    process(e: StageEntry) {
      for (const n of names) delete e.structuredMetadata[n];
      return true;
    },
  };
}
