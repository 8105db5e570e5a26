// JMESPath for stage.json, with the JMESPath Community implementation (the
// same specification as Alloy's github.com/jmespath-community/go-jmespath).
// An expression that does not compile is rejected when the configuration is
// loaded.
import { compile, TreeInterpreter } from '@jmespath-community/jmespath';

export type CompiledPath = (v: unknown) => unknown;

export function compilePath(expr: string): CompiledPath {
  let ast: ReturnType<typeof compile>;
  try {
    ast = compile(expr);
  } catch (err) {
    throw new Error(`could not compile JMES expression "${expr}": ${(err as Error).message}`);
  }
  return (v: unknown) => TreeInterpreter.search(ast, v as Parameters<typeof TreeInterpreter.search>[1]);
}
