// The parsing and transforming stages of loki.process (CRI/Docker formats,
// regex/pattern/template/replace, labels and structured metadata, match,
// pack, truncate, tenant, split_json, Windows events): block name -> stage. pipeline.ts
// asks here for the blocks it does not build itself.
import { criStage, type CriArgs } from './cri.js';
import { decolorizeStage } from './decolorize.js';
import { dockerStage } from './docker.js';
import { labelDropStage, labelKeepStage, type LabelListArgs } from './label-filter.js';
import { matchStage, type MatchArgs } from './match.js';
import { outputStage, type OutputArgs } from './output.js';
import { packStage, type PackArgs } from './pack.js';
import { patternStage, type PatternArgs } from './pattern.js';
import { regexStage, type RegexArgs } from './regex.js';
import { replaceStage, type ReplaceArgs } from './replace.js';
import { splitJsonStage, type SplitJsonArgs } from './split-json.js';
import { structuredMetadataDropStage, structuredMetadataStage, type StructuredMetadataArgs, type StructuredMetadataDropArgs } from './structured-metadata.js';
import { templateStage, type TemplateArgs } from './template.js';
import { tenantStage, type TenantArgs } from './tenant.js';
import { truncateStage, type TruncateArgs } from './truncate.js';
import { eventLogMessageStage, windowsEventStage, type WindowsEventArgs } from './windows-event.js';
import type { BuildStages, DropCounter, Stage, StageBlock, StageEnv } from './types.js';

export function buildParseTransformStage(block: StageBlock, onDrop: DropCounter, env: StageEnv, buildNested: BuildStages): Stage | undefined {
  const v = block.value ?? {};
  switch (block.name) {
    case 'stage.cri':
      return criStage(v as CriArgs, env);
    case 'stage.docker':
      return dockerStage();
    case 'stage.decolorize':
      return decolorizeStage();
    case 'stage.regex':
      return regexStage(v as RegexArgs);
    case 'stage.pattern':
      return patternStage(v as PatternArgs);
    case 'stage.replace':
      return replaceStage(v as ReplaceArgs);
    case 'stage.template':
      return templateStage(v as TemplateArgs);
    case 'stage.output':
      return outputStage(v as OutputArgs);
    case 'stage.label_drop':
      return labelDropStage(v as LabelListArgs);
    case 'stage.label_keep':
      return labelKeepStage(v as LabelListArgs);
    case 'stage.structured_metadata':
      return structuredMetadataStage(v as StructuredMetadataArgs);
    case 'stage.structured_metadata_drop':
      return structuredMetadataDropStage(v as StructuredMetadataDropArgs);
    case 'stage.pack':
      return packStage(v as PackArgs);
    case 'stage.truncate':
      return truncateStage(v as TruncateArgs, env);
    case 'stage.tenant':
      return tenantStage(v as TenantArgs);
    case 'stage.match':
      return matchStage({ ...(v as MatchArgs), _blocks: (v as MatchArgs)._blocks }, onDrop, buildNested);
    case 'stage.split_json':
      return splitJsonStage(v as SplitJsonArgs);
    case 'stage.eventlogmessage':
      return eventLogMessageStage(v as WindowsEventArgs);
    case 'stage.windowsevent':
      return windowsEventStage(v as WindowsEventArgs);
    default:
      return undefined;
  }
}
