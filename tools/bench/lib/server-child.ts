// Parent side of lib/bot-process.ts: forks it, waits until it listens, asks it things over IPC, stops it.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BotMessage, ParentMessage } from './protocol.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(HERE, '../../..');
const SCRIPT = resolve(HERE, 'bot-process.ts');

export type Ready = Extract<BotMessage, { type: 'ready' }>;

export interface ServerChildOptions {
  mode: 'bot' | 'koa';
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  readyTimeoutMs: number;
  /**
   * Another checkout of the project (bench --against REF): its own tools/bench/lib/bot-process.ts and src run,
   * in its directory. The IPC protocol (lib/protocol.ts) must be the same there.
   */
  root?: string;
}

export class ServerChild {
  private waiting: { type: string; resolve: (m: BotMessage) => void; reject: (e: Error) => void } | null = null;
  private exited = false;
  ready!: Ready;

  private constructor(readonly child: ChildProcess) {
    child.on('message', (raw) => {
      const msg = raw as BotMessage;
      const w = this.waiting;
      if (!w) return;
      if (msg.type === 'error') {
        this.waiting = null;
        w.reject(new Error(`server process: ${msg.message}`));
      } else if (msg.type === w.type) {
        this.waiting = null;
        w.resolve(msg);
      }
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(new Error(`server process exited (code ${code}, signal ${signal}) while waiting for "${w.type}"`));
    });
  }

  static async start(opts: ServerChildOptions): Promise<ServerChild> {
    const root = opts.root ?? PROJECT_ROOT;
    const script = opts.root ? resolve(opts.root, 'tools/bench/lib/bot-process.ts') : SCRIPT;
    const child = fork(script, [opts.mode], {
      cwd: root,
      // Only what the service needs; nothing of the caller's WECOM_* etc. leaks in (local mode is wanted).
      env: { ...baseEnv(), ...opts.env },
      execArgv: ['--import', 'tsx', ...(opts.nodeFlags ?? [])],
      stdio: ['ignore', 2, 2, 'ipc'], // its stdout goes to our stderr: our stdout stays one JSON object
    });
    const sc = new ServerChild(child);
    sc.ready = (await sc.expect('ready', undefined, opts.readyTimeoutMs)) as Ready;
    return sc;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Sends a command (if any) and waits for the message of the given type. */
  expect(type: BotMessage['type'], cmd?: ParentMessage, timeoutMs = 30_000): Promise<BotMessage> {
    if (this.exited) return Promise.reject(new Error('server process is gone'));
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`server process did not answer "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = {
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolvePromise(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      if (cmd) this.child.send(cmd);
    });
  }

  /** Asks the process to stop (service, database) and waits for it to exit; kills it if it does not. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    try {
      if (this.child.connected) this.child.send({ cmd: 'stop' } satisfies ParentMessage);
    } catch {
      /* channel closed already */
    }
    const timer = setTimeout(() => this.kill(), timeoutMs);
    await gone;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL'); // FerretDB follows: it exits when its stdin pipe closes
  }
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'GOPATH', 'GOMODCACHE', 'GOCACHE', 'XDG_CACHE_HOME']) {
    const v = process.env[k];
    if (v) env[k] = v;
  }
  return env;
}
