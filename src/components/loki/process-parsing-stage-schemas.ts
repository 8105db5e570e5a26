// Argument schemas of loki.process's parsing and transforming stage blocks,
// with Alloy's names, types and defaults. stage.match nests every stage
// kind (itself included), so its schema is completed once the full set of
// stage blocks is known (see process.ts).
import { buildStage } from '../../logs/stages/pipeline.js';
import { t, type BlockSchema, type BlockSpec } from '../../runtime/types.js';

const windowsEvent: BlockSchema = {
  attrs: {
    source: { type: t.string(), default: 'message' },
    drop_invalid_labels: { type: t.bool(), default: false },
    overwrite_existing: { type: t.bool(), default: false },
  },
};

export const parseTransformStageBlocks: Record<string, BlockSchema> = {
  'stage.cri': {
    attrs: {
      max_partial_lines: { type: t.number(), default: 100 },
      max_partial_line_size: { type: t.number(), default: 0 },
      max_partial_line_size_truncate: { type: t.bool(), default: false },
    },
  },
  'stage.docker': {},
  'stage.decolorize': {},
  'stage.regex': {
    attrs: {
      expression: { type: t.string(), required: true },
      source: { type: t.string() },
      labels_from_groups: { type: t.bool(), default: false },
    },
  },
  'stage.pattern': {
    attrs: {
      pattern: { type: t.string(), required: true },
      source: { type: t.string() },
      labels_from_groups: { type: t.bool(), default: false },
    },
  },
  'stage.replace': {
    attrs: {
      expression: { type: t.string(), required: true },
      source: { type: t.string() },
      replace: { type: t.string() },
    },
  },
  'stage.template': {
    attrs: {
      source: { type: t.string(), required: true },
      template: { type: t.string(), required: true },
    },
  },
  'stage.output': { attrs: { source: { type: t.string(), required: true } } },
  'stage.label_drop': { attrs: { values: { type: t.array(t.string()), default: [] } } },
  'stage.label_keep': { attrs: { values: { type: t.array(t.string()), required: true } } },
  'stage.structured_metadata': {
    attrs: {
      values: { type: t.map(t.any()), default: {} },
      regex: { type: t.string(), default: '' },
    },
  },
  'stage.structured_metadata_drop': { attrs: { values: { type: t.array(t.string()), default: [] } } },
  'stage.pack': {
    attrs: {
      labels: { type: t.array(t.string()), required: true },
      ingest_timestamp: { type: t.bool(), default: true },
    },
  },
  'stage.truncate': {
    blocks: {
      rule: {
        multiple: true,
        required: true,
        schema: {
          attrs: {
            limit: { type: t.any(), required: true },
            suffix: { type: t.string(), default: '' },
            sources: { type: t.array(t.string()), default: [] },
            source_type: { type: t.string(), default: 'line' },
          },
        },
      },
    },
  },
  'stage.tenant': {
    attrs: {
      label: { type: t.string(), default: '' },
      source: { type: t.string(), default: '' },
      value: { type: t.string(), default: '' },
    },
  },
  'stage.split_json': { attrs: { source: { type: t.string() } } },
  'stage.eventlogmessage': windowsEvent,
  'stage.windowsevent': windowsEvent,
};

// Build each stage once when the config is decoded, so `alloy validate` and a
// reload report a bad regex, template, selector or option at the block.
for (const [name, schema] of Object.entries(parseTransformStageBlocks)) {
  parseTransformStageBlocks[name] = { ...schema, validate: (value) => void buildStage({ name, value }, () => {}, { checkOnly: true }) };
}

/** Every stage block as a nested block spec: repeatable, in order. */
export function stageBlockSpecs(stages: Record<string, BlockSchema>): Record<string, BlockSpec> {
  return Object.fromEntries(Object.entries(stages).map(([name, schema]) => [name, { schema, multiple: true }]));
}

/**
 * Adds stage.match to `stages`; its nested blocks are all of `stages`
 * (stage.match included: the schema refers to itself, the decoder follows
 * the config, so nesting is as deep as the config goes).
 */
export function addMatchStage(stages: Record<string, BlockSchema>): void {
  const match: BlockSchema = {
    attrs: {
      selector: { type: t.string(), required: true },
      action: { type: t.string(), default: 'keep' },
      drop_counter_reason: { type: t.string(), default: 'match_stage' },
      pipeline_name: { type: t.string(), default: '' },
    },
    ordered: true,
    validate: (value) => void buildStage({ name: 'stage.match', value }, () => {}, { checkOnly: true }),
  };
  stages['stage.match'] = match;
  match.blocks = stageBlockSpecs(stages);
}
