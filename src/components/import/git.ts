// import.git: a module from a file or a directory of a Git repository at a
// branch, tag or commit, pulled every pull_frequency ("0s": once).
import path from 'node:path';
import { registerComponent } from '../../runtime/registry.js';
import { readModulePath } from '../../modules/sources/files.js';
import { GitCheckout, type GitAuth } from '../../modules/sources/git.js';
import { ModulePoller } from '../../modules/sources/poller.js';
import { t, type Component, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';

interface Args extends GitAuth {
  repository: string;
  revision: string;
  path: string;
  pull_frequency: number;
}

/** Refused: they name the state of a checkout, not a revision of the repository (HEAD is the remote's default branch). */
const SPECIAL_REFS = new Set(['FETCH_HEAD', 'ORIG_HEAD', 'MERGE_HEAD', 'CHERRY_PICK_HEAD']);

class ImportGit implements Component<Args> {
  private readonly poller: ModulePoller;
  private args?: Args;
  private commit?: string;

  constructor(private readonly ctx: ComponentContext) {
    this.poller = new ModulePoller(ctx);
  }

  async update(args: Args): Promise<void> {
    this.args = args;
    const checkout = new GitCheckout({ ...args, dir: this.ctx.dataPath() });
    const target = path.resolve(checkout.repoDir, args.path);
    if (target !== checkout.repoDir && !target.startsWith(checkout.repoDir + path.sep)) throw new Error(`path "${args.path}" leaves the repository`);
    await this.poller.start(async (signal) => {
      this.commit = await checkout.update(signal);
      // File names as paths in the repository, so errors point into it.
      const source = await readModulePath(target, (f) => path.relative(checkout.repoDir, f) || '.');
      return { ...source, modulePath: checkout.repoDir };
    }, args.pull_frequency);
  }

  stop(): void {
    this.poller.stop();
  }

  debugInfo() {
    return { repository: this.args?.repository, revision: this.args?.revision, commit: this.commit ?? null, lastError: this.poller.lastError ?? null, lastSuccess: this.poller.lastSuccess ?? null };
  }
}

export const importGit: ComponentDefinition<Args> = {
  name: 'import.git',
  kind: 'import',
  args: {
    attrs: {
      repository: { type: t.string(), required: true },
      // The reference's default: the remote's default branch.
      revision: { type: t.string(), default: 'HEAD' },
      path: { type: t.string(), required: true },
      pull_frequency: { type: t.duration(), default: 60_000 },
    },
    blocks: {
      basic_auth: { schema: { attrs: { username: { type: t.string() }, password: { type: t.secret() } } } },
      ssh_key: {
        schema: {
          attrs: { username: { type: t.string(), required: true }, key_file: { type: t.string() }, key: { type: t.secret() }, passphrase: { type: t.secret() } },
        },
      },
    },
    validate(a: Args) {
      if (SPECIAL_REFS.has(a.revision)) {
        throw new Error('revision cannot be a special git reference such as FETCH_HEAD, ORIG_HEAD, MERGE_HEAD, or CHERRY_PICK_HEAD');
      }
      if (a.pull_frequency < 0) throw new Error('pull_frequency must not be negative');
      if (a.ssh_key && a.ssh_key.key_file && a.ssh_key.key !== undefined) throw new Error('ssh_key: set key_file or key, not both');
    },
  },
  exports: {},
  build: (ctx) => new ImportGit(ctx),
};

registerComponent(importGit);
