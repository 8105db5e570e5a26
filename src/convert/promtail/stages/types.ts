// What each promtail stage converter gets: the stage's raw YAML value, where
// it is (for messages), the diagnostics, and a way to convert nested stages
// (match's `stages`).
import type { Block } from '../../builder.js';
import type { Diagnostics } from '../../diagnostics.js';
import { Fields, type Raw } from '../../fields.js';

export interface StageInput {
  /** e.g. `scrape_configs[0].pipeline_stages[2].json` */
  where: string;
  raw: Raw;
  diags: Diagnostics;
  /** Converts a nested list of stages (match.stages). */
  nested(where: string, raw: Raw[]): Block[];
}

export type StageConverter = (input: StageInput) => Block | undefined;

/** The stage's config as a mapping (null or `{}` is an empty one). */
export function fieldsOf(input: StageInput): Fields {
  return Fields.of(input.where, input.raw, input.diags);
}
