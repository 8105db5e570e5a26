// import.string: a module from a string (often another component's export, e.g. local.file's content).
import { registerComponent } from '../../runtime/registry.js';
import { t, type ComponentDefinition } from '../../runtime/types.js';
import { revealString, type Secret } from '../../syntax/secret.js';

interface Args {
  content: string | Secret;
}

export const importString: ComponentDefinition<Args> = {
  name: 'import.string',
  kind: 'import',
  args: { attrs: { content: { type: t.secret(), required: true } } },
  exports: {},
  build: (ctx) => ({
    update(args) {
      // module_path "" : the module inherits the importer's (as Alloy's import.string does).
      ctx.setModuleContent?.({ files: { [ctx.id]: revealString(args.content) ?? '' }, modulePath: '' });
      ctx.setHealth('healthy', 'module updated');
    },
  }),
};

registerComponent(importString);
