// local.file: exposes a file's content and follows changes to it
// (fs.watch on the directory, so atomic renames and ConfigMap symlink swaps are seen, plus polling).
import fs from 'node:fs';
import path from 'node:path';
import { registerComponent } from '../../runtime/registry.js';
import { Secret } from '../../syntax/secret.js';
import { t, type Component, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';

interface Args {
  filename: string;
  detector: 'fsnotify' | 'poll';
  poll_frequency: number;
  is_secret: boolean;
}

class LocalFile implements Component<Args> {
  private args!: Args;
  private watcher?: fs.FSWatcher;
  private timer?: NodeJS.Timeout;
  private last?: string;
  private lastError?: string;

  constructor(private readonly ctx: ComponentContext) {}

  update(args: Args): void {
    this.args = args;
    this.unwatch();
    this.read(true);
    if (args.detector === 'fsnotify') {
      try {
        this.watcher = fs.watch(path.dirname(path.resolve(args.filename)), () => this.read(false));
        this.watcher.on('error', () => this.read(false));
      } catch {
        // Directory cannot be watched (missing, permissions): polling below still follows the file.
      }
    }
    // Polling backs up fsnotify (some filesystems emit no events) at a short interval.
    const every = args.detector === 'poll' ? args.poll_frequency : Math.min(args.poll_frequency, 1000);
    this.timer = setInterval(() => this.read(false), Math.max(every, 100));
    this.timer.unref();
  }

  private read(initial: boolean): void {
    let content: string;
    try {
      content = fs.readFileSync(this.args.filename, 'utf8');
    } catch (e) {
      const reason = `failed to read ${this.args.filename}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      if (reason !== this.lastError) this.ctx.logger.warn({ file: this.args.filename }, reason);
      this.lastError = reason;
      this.ctx.setHealth('unhealthy', reason);
      if (initial) throw new Error(reason);
      return; // keep exporting the last good content
    }
    this.lastError = undefined;
    this.ctx.setHealth('healthy', 'file read');
    if (content === this.last && !initial) return;
    this.last = content;
    this.ctx.setExports({ content: this.args.is_secret ? new Secret(content) : content });
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  stop(): void {
    this.unwatch();
  }

  debugInfo() {
    return { filename: this.args?.filename, bytes: this.last?.length ?? 0, lastError: this.lastError ?? null };
  }
}

export const localFile: ComponentDefinition<Args> = {
  name: 'local.file',
  args: {
    attrs: {
      filename: { type: t.string(), required: true },
      detector: { type: t.string(), default: 'fsnotify' },
      poll_frequency: { type: t.duration(), default: 60_000 },
      is_secret: { type: t.bool(), default: false },
    },
    validate(a: Args) {
      if (a.detector !== 'fsnotify' && a.detector !== 'poll') throw new Error(`detector must be "fsnotify" or "poll", got "${a.detector}"`);
    },
  },
  exports: { content: t.any() },
  build: (ctx) => new LocalFile(ctx),
};

registerComponent(localFile);
