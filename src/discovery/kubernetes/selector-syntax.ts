// Syntax checks for the label and field selector strings of `selectors` blocks. A malformed
// selector can never work (the API server answers 400 on every list), so it is a configuration
// error. The grammar itself lives in src/kube/selectors.ts.
import { parseFieldSelectorTerms, parseLabelSelector, SelectorSyntaxError } from '../../kube/selectors.js';

function problem(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (e) {
    if (e instanceof SelectorSyntaxError) return e.reason;
    throw e;
  }
}

/** The reason a label selector string is malformed, or undefined when it parses. */
export function labelSelectorProblem(s: string): string | undefined {
  return problem(() => parseLabelSelector(s));
}

/** The reason a field selector string is malformed, or undefined when it parses. */
export function fieldSelectorProblem(s: string): string | undefined {
  return problem(() => parseFieldSelectorTerms(s));
}
