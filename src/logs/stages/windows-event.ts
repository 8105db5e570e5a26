// stage.windowsevent and the deprecated stage.eventlogmessage: parse the
// Message text of a Windows event (from extracted `source`) into extracted
// fields. eventlogmessage reads "Key: value" lines; windowsevent reads
// sections separated by blank lines: the first is the Description, the
// others hold "Key: value" lines, where a key with no value on a section's
// first line prefixes the keys below it and value-only lines continue the
// previous value (joined by commas).
import { scalarString } from './source.js';
import { isValidLabelName, type Stage, type StageEntry } from './types.js';

export interface WindowsEventArgs {
  source?: string;
  drop_invalid_labels?: boolean;
  overwrite_existing?: boolean;
}

/** Alloy's SanitizeFullLabelName: every character outside [a-zA-Z_] (digits after the first) becomes "_". */
export function sanitizeLabelName(s: string): string {
  if (s === '') return '_';
  let out = '';
  let i = 0;
  for (const c of s) {
    out += /[a-zA-Z_]/.test(c) || (/[0-9]/.test(c) && i > 0) ? c : '_';
    i++;
  }
  return out;
}

/** prometheus/common's LabelName.IsValid (UTF-8 names): what Alloy's windowsevent checks. */
const isValidUtf8Name = (n: string) => n !== '' && !n.includes('\uFFFD');

function options(stage: string, args: WindowsEventArgs, valid: (n: string) => boolean) {
  const source = args.source ?? 'message';
  if (!valid(source)) throw new Error(`${stage}: invalid label name: ${source}`);
  return { source, drop: args.drop_invalid_labels ?? false, overwrite: args.overwrite_existing ?? false };
}

export function eventLogMessageStage(args: WindowsEventArgs): Stage {
  // eventlogmessage checks legacy names ([a-zA-Z_][a-zA-Z0-9_]*); windowsevent UTF-8 names.
  const o = options('stage.eventlogmessage', args, isValidLabelName);
  return {
    name: 'eventlogmessage',
    process(e: StageEntry) {
      if (!(o.source in e.extracted)) return true;
      const s = scalarString(e.extracted[o.source]);
      if (s === undefined) return false; // Alloy drops an entry whose message has no string form
      for (const line of s.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        let key = line.slice(0, colon);
        if (!isValidLabelName(key)) {
          if (o.drop) continue;
          key = sanitizeLabelName(key);
        }
        if (key in e.extracted && !o.overwrite) key += '_extracted';
        e.extracted[key] = line.slice(colon + 1).trim();
      }
      return true;
    },
  };
}

export function windowsEventStage(args: WindowsEventArgs): Stage {
  const o = options('stage.windowsevent', args, isValidUtf8Name);
  const key = (raw: string, extracted: Record<string, unknown>): string | undefined => {
    let k = raw.replace(/[\t\r\n ]/g, '');
    if (!isValidUtf8Name(k)) {
      if (o.drop) return undefined;
      k = sanitizeLabelName(k);
    }
    if (k in extracted && !o.overwrite) k += '_extracted';
    return k;
  };
  const value = (raw: string) => raw.replace(/[\t\r\n]/g, '').trim();
  return {
    name: 'windowsevent',
    process(e: StageEntry) {
      if (!(o.source in e.extracted)) return true;
      const s = scalarString(e.extracted[o.source]);
      if (s === undefined) return false;
      s.split('\r\n\r\n').forEach((section, si) => {
        if (si === 0) {
          const k = key('Description', e.extracted);
          if (k !== undefined) e.extracted[k] = value(section);
          return;
        }
        const lines = section.split('\r\n');
        let prefix = '';
        let j = 0;
        while (j < lines.length) {
          const colon = lines[j].indexOf(':');
          if (colon < 0) {
            j++;
            continue;
          }
          let k = lines[j].slice(0, colon);
          let v = lines[j].slice(colon + 1);
          j++;
          if (v === '') {
            if (j === 1) prefix = k;
            continue;
          }
          while (j < lines.length && lines[j] !== '' && !lines[j].includes(':')) v += ',' + lines[j++];
          if (prefix !== '') k = `${prefix}_${k}`;
          const sk = key(k, e.extracted);
          if (sk !== undefined) e.extracted[sk] = value(v);
        }
      });
      return true;
    },
  };
}
