// Diagnostics of a conversion, with the severities and the text report of
// Alloy's converter: Critical (no output at all), Error (no output unless
// --bypass-errors), Warning and Info (output written).
export type Severity = 'Info' | 'Warning' | 'Error' | 'Critical';

const RANK: Record<Severity, number> = { Info: 1, Warning: 2, Error: 3, Critical: 4 };

export interface Diagnostic {
  severity: Severity;
  summary: string;
  detail?: string;
}

const CRITICAL_FOOTER =
  '\n\nA configuration file was not generated due to critical issues. Refer to the critical messages for more information.';
const ERROR_FOOTER =
  '\n\nA configuration file was not generated due to errors. Refer to the error messages for more information.\n\n' +
  "You can bypass the errors by using the --bypass-errors flag. Bypassing errors isn't recommended for production environments.";
const SUCCESS_FOOTER = '\n\nA configuration file was generated successfully.';

export class Diagnostics {
  readonly list: Diagnostic[] = [];

  add(severity: Severity, summary: string, detail?: string): void {
    this.list.push(detail ? { severity, summary, detail } : { severity, summary });
  }

  info(summary: string, detail?: string): void {
    this.add('Info', summary, detail);
  }
  warn(summary: string): void {
    this.add('Warning', summary);
  }
  error(summary: string): void {
    this.add('Error', summary);
  }
  critical(summary: string): void {
    this.add('Critical', summary);
  }

  /** "The converter does not support converting the provided X config[: why]." (Alloy's wording). */
  unsupported(what: string, why?: string): void {
    this.error(`The converter does not support converting the provided ${what} config${why ? `: ${why}` : '.'}`);
  }

  has(severity: Severity): boolean {
    return this.list.some((d) => d.severity === severity);
  }

  /** Whether an output may be written: no critical, and no error unless bypassed. */
  allowsOutput(bypassErrors: boolean): boolean {
    return !this.has('Critical') && (bypassErrors || !this.has('Error'));
  }

  /** Diagnostics at or above a severity, in the order they were added. */
  atLeast(severity: Severity): Diagnostic[] {
    return this.list.filter((d) => RANK[d.severity] >= RANK[severity]);
  }

  /**
   * The text report as Alloy writes it: when a critical issue (or an unbypassed
   * error) stops the output, only the diagnostics that stopped it are listed.
   */
  report(bypassErrors: boolean): string {
    let shown: Diagnostic[];
    let footer: string;
    if (this.has('Critical')) {
      shown = this.atLeast('Critical');
      footer = CRITICAL_FOOTER;
    } else if (this.has('Error') && !bypassErrors) {
      shown = this.atLeast('Error');
      footer = ERROR_FOOTER;
    } else {
      shown = this.list;
      footer = SUCCESS_FOOTER;
    }
    return shown.map(formatDiagnostic).join('\n') + footer;
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  const head = `(${d.severity}) ${d.summary}`;
  return d.detail ? `${head}\n${d.detail}` : head;
}
