// The report and the output rule of Alloy's converter.
import { Diagnostics } from './diagnostics.js';

function diags(...sevs: ('Info' | 'Warning' | 'Error' | 'Critical')[]): Diagnostics {
  const d = new Diagnostics();
  for (const [i, s] of sevs.entries()) d.add(s, `${s.toLowerCase()} ${i}`);
  return d;
}

describe('convert diagnostics', () => {
  test('errors stop the output unless bypassed; critical always does', () => {
    expect(diags('Info', 'Warning').allowsOutput(false)).toBe(true);
    expect(diags('Info', 'Error').allowsOutput(false)).toBe(false);
    expect(diags('Info', 'Error').allowsOutput(true)).toBe(true);
    expect(diags('Error', 'Critical').allowsOutput(true)).toBe(false);
  });

  test('the report lists what stopped the output, or everything, with Alloy\'s footers', () => {
    const d = diags('Info', 'Warning', 'Error');
    d.add('Info', 'converted', '\tA prometheus.scrape.x component');
    expect(d.report(false)).toBe(
      '(Error) error 2\n\nA configuration file was not generated due to errors. Refer to the error messages for more information.\n\n' +
        "You can bypass the errors by using the --bypass-errors flag. Bypassing errors isn't recommended for production environments.",
    );
    expect(d.report(true)).toBe(
      '(Info) info 0\n(Warning) warning 1\n(Error) error 2\n(Info) converted\n\tA prometheus.scrape.x component\n\nA configuration file was generated successfully.',
    );
    expect(diags('Error', 'Critical').report(true)).toBe(
      '(Critical) critical 1\n\nA configuration file was not generated due to critical issues. Refer to the critical messages for more information.',
    );
  });
});
