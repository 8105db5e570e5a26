// import.file: a module from a file, or from every *.alloy file of a directory.
// Re-read on file system events and every poll_frequency (the fallback).
import fs from 'node:fs';
import path from 'node:path';
import { registerComponent } from '../../runtime/registry.js';
import { readModulePath } from '../../modules/sources/files.js';
import { ModulePoller } from '../../modules/sources/poller.js';
import { t, type Component, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';

interface Args {
  filename: string;
  detector: 'fsnotify' | 'poll';
  poll_frequency: number;
}

class ImportFile implements Component<Args> {
  private readonly poller: ModulePoller;
  private watcher?: fs.FSWatcher;
  private debounce?: NodeJS.Timeout;
  private args?: Args;

  constructor(private readonly ctx: ComponentContext) {
    this.poller = new ModulePoller(ctx);
  }

  async update(args: Args): Promise<void> {
    this.args = args;
    this.unwatch();
    const target = path.resolve(args.filename);
    const fetch = () => readModulePath(target);
    // fsnotify also polls at poll_frequency as a fallback, as Alloy's detector does.
    await this.poller.start(fetch, args.poll_frequency);
    if (args.detector === 'fsnotify') {
      try {
        const stat = fs.statSync(target);
        this.watcher = fs.watch(stat.isDirectory() ? target : path.dirname(target), () => this.onEvent(fetch, args.poll_frequency));
        this.watcher.on('error', () => undefined);
      } catch {
        // Not watchable: the poll still follows the file.
      }
    }
  }

  /** Editors write in bursts: read once the burst is over. */
  private onEvent(fetch: () => ReturnType<typeof readModulePath>, every: number): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.poller.start(fetch, every).catch(() => undefined), 50);
    this.debounce.unref();
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.debounce) clearTimeout(this.debounce);
  }

  stop(): void {
    this.unwatch();
    this.poller.stop();
  }

  debugInfo() {
    return { filename: this.args?.filename, lastError: this.poller.lastError ?? null, lastSuccess: this.poller.lastSuccess ?? null };
  }
}

export const importFile: ComponentDefinition<Args> = {
  name: 'import.file',
  kind: 'import',
  args: {
    attrs: {
      filename: { type: t.string(), required: true },
      detector: { type: t.string(), default: 'fsnotify' },
      poll_frequency: { type: t.duration(), default: 60_000 },
    },
    validate(a: Args) {
      if (a.detector !== 'fsnotify' && a.detector !== 'poll') throw new Error(`detector must be "fsnotify" or "poll", got "${a.detector}"`);
      if (a.poll_frequency <= 0) throw new Error('poll_frequency must be greater than 0');
    },
  },
  exports: {},
  build: (ctx) => new ImportFile(ctx),
};

registerComponent(importFile);
