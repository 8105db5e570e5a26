// A local checkout of a Git repository through the `git` CLI: fetched into a
// directory of its own, then the revision (a branch, a tag or a commit) is
// checked out detached. Credentials go through the environment, never the
// command line: basic_auth as an http.extraHeader (GIT_CONFIG_*), ssh_key as
// GIT_SSH_COMMAND with the key in a 0600 file and the passphrase via SSH_ASKPASS.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { revealString, type Secret } from '../../syntax/secret.js';

/** Where the remote's HEAD is fetched to (outside refs/remotes, which the fetch prunes). */
const REMOTE_HEAD = 'refs/alloy/remote-head';

/** One git command may take this long (a first clone of a big repository included). */
const GIT_TIMEOUT_MS = 120_000;

export interface GitAuth {
  basic_auth?: { username?: string; password?: string | Secret };
  ssh_key?: { username: string; key_file?: string; key?: string | Secret; passphrase?: string | Secret };
}

export interface GitCheckoutOptions extends GitAuth {
  repository: string;
  revision: string;
  /** Where the checkout lives (the component's data directory). */
  dir: string;
}

export class GitCheckout {
  readonly repoDir: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly o: GitCheckoutOptions) {
    this.repoDir = path.join(o.dir, 'repo');
    this.env = gitEnv(o);
  }

  /** Fetches and checks out the revision; returns the commit now checked out. */
  async update(signal: AbortSignal): Promise<string> {
    if (!fs.existsSync(path.join(this.repoDir, '.git'))) {
      fs.mkdirSync(this.repoDir, { recursive: true });
      await this.git(['init', '-q'], signal);
      await this.git(['remote', 'add', 'origin', this.o.repository], signal);
    } else {
      await this.git(['remote', 'set-url', 'origin', this.o.repository], signal);
    }
    // A git killed mid-way (process stop) leaves a lock that would block every later pull.
    fs.rmSync(path.join(this.repoDir, '.git', 'index.lock'), { force: true });
    try {
      // HEAD (the documented default) is the remote's default branch: fetched into a ref of our own.
      const head = this.o.revision === 'HEAD' ? [`+HEAD:${REMOTE_HEAD}`] : [];
      await this.git(['fetch', '-q', '--force', '--prune', '--tags', 'origin', '+refs/heads/*:refs/remotes/origin/*', ...head], signal);
    } catch (e) {
      throw new Error(`failed to fetch ${this.o.repository}: ${(e as Error).message}`);
    }
    const commit = await this.resolve(signal);
    await this.git(['-c', 'advice.detachedHead=false', 'checkout', '-q', '--force', '--detach', commit], signal);
    await this.git(['clean', '-q', '-f', '-d'], signal);
    return commit;
  }

  /** HEAD: the remote's default branch; else a branch first (its latest commit), then a tag or a commit id. */
  private async resolve(signal: AbortSignal): Promise<string> {
    if (this.o.revision === 'HEAD') return (await this.git(['rev-parse', '--verify', '-q', `${REMOTE_HEAD}^{commit}`], signal)).trim();
    for (const ref of [`refs/remotes/origin/${this.o.revision}`, `refs/tags/${this.o.revision}`, this.o.revision]) {
      try {
        return (await this.git(['rev-parse', '--verify', '-q', `${ref}^{commit}`], signal)).trim();
      } catch {
        // not this kind of revision
      }
    }
    throw new Error(`revision "${this.o.revision}" is neither a branch, a tag nor a commit of ${this.o.repository}`);
  }

  private git(args: string[], signal: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('git', args, { cwd: this.repoDir, env: this.env, timeout: GIT_TIMEOUT_MS, signal, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error((stderr || err.message).trim().split('\n').slice(-3).join('; ')));
        else resolve(stdout);
      });
    });
  }
}

function gitEnv(o: GitCheckoutOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '/bin/false', LC_ALL: 'C' };
  const b = o.basic_auth;
  if (b && (b.username || b.password)) {
    const token = Buffer.from(`${b.username ?? ''}:${revealString(b.password) ?? ''}`).toString('base64');
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${token}`;
  }
  const s = o.ssh_key;
  if (s) {
    let keyFile = s.key_file;
    if (!keyFile && s.key !== undefined) {
      fs.mkdirSync(o.dir, { recursive: true });
      keyFile = path.join(o.dir, 'ssh_key');
      const key = revealString(s.key) ?? '';
      fs.writeFileSync(keyFile, key.endsWith('\n') ? key : `${key}\n`, { mode: 0o600 });
    }
    const opts = ['-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=accept-new', '-o', `User=${s.username}`];
    if (keyFile) opts.push('-i', keyFile);
    const passphrase = revealString(s.passphrase);
    if (passphrase) {
      // ssh reads the passphrase from SSH_ASKPASS; the script prints it from the environment.
      const askpass = path.join(o.dir, 'ssh-askpass.sh');
      fs.mkdirSync(o.dir, { recursive: true });
      fs.writeFileSync(askpass, '#!/bin/sh\nprintf "%s\\n" "$ALLOY_SSH_PASSPHRASE"\n', { mode: 0o700 });
      env.SSH_ASKPASS = askpass;
      env.SSH_ASKPASS_REQUIRE = 'force';
      env.ALLOY_SSH_PASSPHRASE = passphrase;
    } else {
      opts.push('-o', 'BatchMode=yes');
    }
    env.GIT_SSH_COMMAND = ['ssh', ...opts].map(shellQuote).join(' ');
  }
  return env;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
