// What a failed command prints: one line per failure kind, the stack only on request.
import { Diagnostic } from '../syntax/diagnostic.js';
import { describeFailure, DEBUG_STACKS_ENV } from './errors.js';
import { FlagError } from './flags.js';

const FRAME = /\n\s+at /;

describe('describeFailure', () => {
  test.each([
    ['a config error: positioned, as it is', new Diagnostic({ file: '/etc/alloy/config.alloy', line: 2, col: 11 } as never, 'logging: level: unknown value "verbose"'), '/etc/alloy/config.alloy:2:11: logging: level: unknown value "verbose"'],
    ['a flag error: as it is', new FlagError('--log.level must be one of debug, info, warn, error'), '--log.level must be one of debug, info, warn, error'],
    ['any other error: its message after "alloy: "', Object.assign(new Error('cluster: 127.0.0.1:7946 refused the join: cluster name mismatch'), { name: 'ClusterJoinError' }), 'alloy: cluster: 127.0.0.1:7946 refused the join: cluster name mismatch'],
    ['a message that already names the command', new Error('alloy convert: cannot read x'), 'alloy convert: cannot read x'],
    ['an error without a message: its name', new TypeError(''), 'alloy: TypeError'],
    ['a thrown non-error', 'boom', 'alloy: boom'],
  ])('%s', (_what, e, text) => {
    expect(describeFailure(e, {})).toBe(text);
  });

  test(`${DEBUG_STACKS_ENV}=1 appends the stack; 0, false and empty do not`, () => {
    const e = new Error('port in use');
    expect(describeFailure(e, { [DEBUG_STACKS_ENV]: '1' })).toMatch(new RegExp(`^alloy: port in use\\nError: port in use${FRAME.source}`));
    for (const v of ['0', 'false', '']) expect(describeFailure(e, { [DEBUG_STACKS_ENV]: v })).toBe('alloy: port in use');
    expect(describeFailure(e, {})).not.toMatch(FRAME);
  });
});
