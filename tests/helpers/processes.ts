// Real processes for the reliability drills: the bot (npm start's entry), the CLI, a database proxy that can be
// slowed down (a stalled database, injected without signals), and callback load with WeCom's 5-second cut-off.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_WECOM } from '../../src/wecom/local-settings.ts';
import { buildTextCallback, type SimulatorSettings } from '../../src/wecom/simulator.ts';

export const LOCAL_SETTINGS: SimulatorSettings = {
  corpId: LOCAL_WECOM.corpId, agentId: LOCAL_WECOM.agentId, token: LOCAL_WECOM.token, encodingAESKey: LOCAL_WECOM.encodingAESKey,
};

const dirs: string[] = [];
export function tempDir(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `duban-${label}-`));
  dirs.push(d);
  return d;
}
export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The environment of a newcomer: nothing of ours set, except what the test names. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'GOPATH', 'GOMODCACHE', 'GOCACHE', 'XDG_CACHE_HOME']) if (process.env[k]) env[k] = process.env[k];
  return { ...env, LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...extra };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface BotProcess {
  child: ChildProcess;
  url: string;
  log(): string;
  /** The embedded FerretDB's pid (the latest one, after restarts), or null on an external database. */
  ferretPid(): number | null;
  exited: Promise<number | null>;
  kill9(): Promise<void>;
}

/** Starts src/main.ts as npm start does and waits until it listens (or exits). */
export async function startBot(env: NodeJS.ProcessEnv): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const line = err.split('\n').find((l) => l.includes('is listening'));
      if (line) {
        clearInterval(timer);
        resolve(/"url":"(http:\/\/[^"]+)"/.exec(line)![1]!);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`bot exited (${code}) before listening:\n${err.slice(-3000)}`));
    });
  });
  return {
    child, url, exited,
    log: () => err,
    ferretPid() {
      const pids = [...err.matchAll(/"pid":(\d+)[^\n]*(?:embedded FerretDB started|embedded FerretDB restarted)/g)];
      return pids.length ? Number(pids[pids.length - 1]![1]) : null;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export function runCli(env: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { env, encoding: 'utf8', timeout: 120_000 });
}

/** A TCP proxy in front of a database: every chunk, both ways, waits `delayMs` (in order) before it passes. */
export interface SlowProxy {
  uri(dbName: string): string;
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export async function startSlowProxy(target: string): Promise<SlowProxy> {
  const { hostname, port } = new URL(target);
  let delayMs = 0;
  const sockets = new Set<Socket>();
  // What a stalled database has not taken in yet dies with the client that sent it (a killed bot's last
  // writes never arrive), as a connection reset discards unread data.
  const relay = (from: Socket, to: Socket) => {
    let chain = Promise.resolve();
    let gone = false;
    from.on('data', (chunk) => {
      const wait = delayMs;
      chain = chain.then(() => (wait ? new Promise((r) => setTimeout(r, wait)) : undefined)).then(() => {
        if (!gone && !to.destroyed) to.write(chunk);
      });
    });
    const end = () => {
      gone = true;
      to.destroy();
    };
    from.on('close', end);
    from.on('error', end);
  };
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address() as { port: number };
  return {
    uri: (dbName) => `mongodb://127.0.0.1:${address.port}/${dbName}`,
    setDelay: (ms) => (delayMs = ms),
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

export interface Sent {
  msgId: string;
  status: number | 'timeout' | 'error';
  /** The HTTP answer's body: empty when the reply goes through the outbox. */
  body: string;
}

/** A 汇报 callback as WeCom sends it, with its 5-second cut-off (an answer after that is not an acknowledgement). */
export async function sendReport(url: string, userid: string, text: string, msgId: string, now: Date): Promise<Sent> {
  const first = await sendReportOnce(url, userid, text, msgId, now);
  // A reused keep-alive socket the server closed at the same moment fails before anything is sent; WeCom would
  // simply deliver again, and the message id makes a second delivery harmless.
  return first.status === 'error' ? sendReportOnce(url, userid, text, msgId, now) : first;
}

async function sendReportOnce(url: string, userid: string, text: string, msgId: string, now: Date): Promise<Sent> {
  const cb = buildTextCallback(LOCAL_SETTINGS, { userid, text, createTime: Math.floor(now.getTime() / 1000), msgId });
  try {
    const res = await fetch(`${url}${cb.path}`, { method: 'POST', body: cb.body, headers: { 'content-type': 'text/xml' }, signal: AbortSignal.timeout(5000) });
    return { msgId, status: res.status, body: await res.text() };
  } catch (err) {
    return { msgId, status: (err as Error).name === 'TimeoutError' ? 'timeout' : 'error', body: '' };
  }
}

/** `count` distinct 汇报 from the demo 经贸办 liaison, `concurrency` at a time, to whichever URL `pick` names. */
export async function reportLoad(opts: {
  count: number; concurrency: number; prefix: string; pick: (i: number) => string; onSent?: (done: number) => void; now: () => Date;
}): Promise<Sent[]> {
  const codes = ['1.1', '2.2', '7.1', '7.3', '7.4', '7.5'];
  const out: Sent[] = [];
  let next = 0;
  const worker = async () => {
    while (next < opts.count) {
      const i = next++;
      const msgId = `${opts.prefix}${String(i).padStart(6, '0')}`;
      out.push(await sendReport(opts.pick(i), 'demo-liaison-01', `汇报 ${codes[i % codes.length]} ${1 + (i % 99)}% 第${i}条`, msgId, opts.now()));
      opts.onSent?.(out.length);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return out;
}

export interface DbServe {
  uri: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `npm run -s cli -- db serve --port N` on its own DATA_DIR; resolves once it prints its address. */
export async function startDbServe(dataDir: string, port: number): Promise<DbServe> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'db', 'serve', '--port', String(port)], {
    env: cleanEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /数据库已启动：(mongodb:\/\/\S+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`db serve exited (${code}):\n${out}`));
    });
  });
  return {
    uri, child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A free loopback port (closed again at once; good enough for a test). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
