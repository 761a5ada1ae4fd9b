// Runs FerretDB 1.24 (SQLite backend) as a child process when no MONGODB_URI is given.
// The binary is built once with this machine's Go from tools/ferretdb and cached outside the repo,
// keyed by a hash of the wrapper's sources, so later runs and fresh clones reuse it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FERRETDB_VERSION = 'v1.24.2';

const WRAPPER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../tools/ferretdb');
const WRAPPER_FILES = ['main.go', 'go.mod', 'go.sum'];
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export class EmbeddedServerError extends Error {
  override name = 'EmbeddedServerError';
}

export interface EmbeddedServer {
  uri: string;
  pid: number;
  stop(): Promise<void>;
}

export interface BuildOptions {
  cacheDir?: string;
  /** Where progress lines go; the first build takes minutes, so say so. */
  onProgress?: (line: string) => void;
}

export function defaultCacheDir(): string {
  return join(homedir(), '.cache', 'duban-assistant', 'ferretdb');
}

/** Path of the cached binary for the current wrapper sources (may not exist yet). */
export function binaryPath(cacheDir = defaultCacheDir()): string {
  const hash = createHash('sha256');
  for (const f of WRAPPER_FILES) hash.update(readFileSync(join(WRAPPER_DIR, f)));
  return join(cacheDir, `${FERRETDB_VERSION}-${hash.digest('hex').slice(0, 12)}`, 'ferretdb-embedded');
}

function findGo(): string | null {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    const r = spawnSync(candidate, ['version'], { encoding: 'utf8' });
    if (r.status === 0) return candidate;
  }
  return null;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function checksumPath(target: string): string {
  return `${target}.sha256`;
}

/**
 * Why the cached binary cannot be used, or null when it can: it must be executable and match the checksum
 * written when it was built. A binary cached before checksums existed must answer a version probe (`-h`),
 * and then its checksum is recorded.
 */
export async function cachedBinaryProblem(target: string): Promise<string | null> {
  if (!existsSync(target)) return 'missing';
  try {
    accessSync(target, constants.X_OK);
  } catch {
    return '不可执行 (not executable)';
  }
  const sum = await sha256Of(target);
  const recorded = existsSync(checksumPath(target)) ? readFileSync(checksumPath(target), 'utf8').trim() : null;
  if (recorded) return recorded === sum ? null : '校验和不符，文件已损坏或被截断 (checksum mismatch: corrupt or truncated)';
  const problem = probeProblem(target);
  if (problem) return problem;
  writeFileSync(checksumPath(target), `${sum}\n`);
  return null;
}

/** Runs the binary's usage (`-h`): a file that is not our FerretDB wrapper cannot print its -listen flag. */
function probeProblem(target: string): string | null {
  const probe = spawnSync(target, ['-h'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error || !/-listen/.test(`${probe.stderr}${probe.stdout}`)) {
    return `无法运行 (version probe failed: ${probe.error?.message ?? `exit ${probe.status ?? probe.signal}`})`;
  }
  return null;
}

/**
 * Builds the FerretDB wrapper if it is not cached yet, or rebuilds it when the cached file is broken (corrupt,
 * truncated, not executable), saying so; returns the binary's path.
 */
export async function ensureFerretDbBinary(options: BuildOptions = {}): Promise<string> {
  const target = binaryPath(options.cacheDir);
  const say = options.onProgress ?? ((l: string) => process.stderr.write(`${l}\n`));
  const problem = await cachedBinaryProblem(target);
  if (problem === null) return target;
  if (problem !== 'missing') {
    say(`缓存的内置数据库程序已损坏（${problem}）：${target}\n正在自动重新构建…`);
    rmSync(target, { force: true });
    rmSync(checksumPath(target), { force: true });
  }

  const go = findGo();
  if (!go) {
    throw new EmbeddedServerError(
      '没有 MONGODB_URI，也找不到 Go，无法启动内置数据库。两种办法：\n' +
        '  1) 设置 MONGODB_URI=mongodb://… 连接现有的 MongoDB；或\n' +
        '  2) 安装 Go (https://go.dev/dl/)，首次启动时会自动构建内置的 FerretDB。\n' +
        '(No MONGODB_URI and no Go: set MONGODB_URI to use a MongoDB, or install Go to build the embedded FerretDB.)',
    );
  }
  const dir = dirname(target);
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, '.building');
  await acquireLock(lock);
  try {
    if ((await cachedBinaryProblem(target)) === null) return target; // another process built it while we waited
    say(`首次使用：正在用 Go 构建内置数据库 FerretDB ${FERRETDB_VERSION}（需下载模块并编译，约 2–4 分钟，只做一次）…`);
    const started = Date.now();
    const tmp = `${target}.tmp-${process.pid}`;
    await run(go, ['build', '-trimpath', '-o', tmp, '.'], WRAPPER_DIR, say);
    // The checksum vouches only for what was built: the new file must run before it is recorded.
    const built = probeProblem(tmp);
    if (built !== null) {
      rmSync(tmp, { force: true });
      throw new EmbeddedServerError(`构建出的内置数据库程序无法使用（${built}）：${target}`);
    }
    writeFileSync(checksumPath(target), `${await sha256Of(tmp)}\n`);
    renameSync(tmp, target);
    say(`内置数据库构建完成（${Math.round((Date.now() - started) / 1000)} 秒）：${target}`);
    return target;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A directory as lock: mkdir is atomic. A lock older than 15 minutes is a crashed build's. */
async function acquireLock(lock: string): Promise<void> {
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* vanished meanwhile: retry */
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function run(cmd: string, args: string[], cwd: string, say: (l: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let errText = '';
    let lastSaid = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      errText += chunk.toString();
      if (Date.now() - lastSaid > 10_000) {
        lastSaid = Date.now();
        say('  …仍在构建 (still building)');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new EmbeddedServerError(`构建 FerretDB 失败 (go build exited ${code}):\n${errText.slice(-4000)}`));
    });
  });
}

export interface StartOptions extends BuildOptions {
  dataDir: string;
  host?: string;
  port?: number;
  /**
   * Restart the database when it dies (with backoff); called with each event, and with a fatal error when it
   * cannot be brought back (the caller should exit non-zero so that a supervisor restarts everything).
   */
  supervise?: SupervisionHooks;
  /** Waits before each restart attempt (tests shorten them); its length is the number of attempts. */
  restartBackoffMs?: readonly number[];
}

export interface SupervisionHooks {
  onDied(info: { pid: number; code: number | null; signal: string | null }): void;
  onRestarted(info: { pid: number; attempt: number; downMs: number }): void;
  onRestartFailed(info: { attempt: number; error: string; nextInMs: number }): void;
  onGaveUp(error: Error): void;
}

/** Waits before each restart attempt in a row; after the last one fails (about a minute) it gives up. */
const RESTART_BACKOFF_MS = [200, 500, 1000, 2000, 4000, 8000, 15_000, 30_000];

interface Running {
  child: ChildProcess;
  uri: string;
}

async function spawnFerretDb(bin: string, dir: string, listen: string): Promise<Running> {
  const child = spawn(bin, ['-dir', dir, '-listen', listen], { stdio: ['pipe', 'pipe', 'pipe'] });
  const uri = await waitReady(child);
  // Once ready, keep draining its output so a chatty child never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return { child, uri };
}

/**
 * Starts FerretDB on a free loopback port (or the one given). The child exits when our stdin pipe closes, even
 * on SIGKILL. Supervised, it is restarted on the same address when it dies, so the driver reconnects by itself.
 */
export async function startEmbeddedServer(options: StartOptions): Promise<EmbeddedServer> {
  const bin = await ensureFerretDbBinary(options);
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true });
  let current = await spawnFerretDb(bin, dir, `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`);
  const address = new URL(current.uri).host; // the port picked the first time is kept across restarts
  let stopping: Promise<void> | null = null;

  const watch = (running: Running) => {
    running.child.once('exit', (code, signal) => {
      if (stopping || !options.supervise) return;
      const hooks = options.supervise;
      hooks.onDied({ pid: running.child.pid ?? -1, code, signal });
      void restart(hooks, Date.now());
    });
  };
  const backoff = options.restartBackoffMs ?? RESTART_BACKOFF_MS;
  const restart = async (hooks: SupervisionHooks, diedAt: number) => {
    for (let attempt = 1; attempt <= backoff.length && !stopping; attempt++) {
      await new Promise((r) => setTimeout(r, backoff[attempt - 1]));
      if (stopping) return;
      try {
        current = await spawnFerretDb(await ensureFerretDbBinary(options), dir, address);
        if (stopping) {
          await stopChild(current.child);
          return;
        }
        watch(current);
        hooks.onRestarted({ pid: current.child.pid ?? -1, attempt, downMs: Date.now() - diedAt });
        return;
      } catch (err) {
        hooks.onRestartFailed({ attempt, error: err instanceof Error ? err.message : String(err), nextInMs: backoff[attempt] ?? 0 });
      }
    }
    if (!stopping) hooks.onGaveUp(new EmbeddedServerError(`内置数据库退出后 ${backoff.length} 次重启均失败，程序退出以便由上级进程重启。`));
  };
  watch(current);

  return {
    uri: current.uri,
    get pid() {
      return current.child.pid ?? -1;
    },
    stop: () => (stopping ??= stopChild(current.child)),
  };
}

function waitReady(child: ChildProcess): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new EmbeddedServerError(`内置数据库 ${READY_TIMEOUT_MS / 1000} 秒内未就绪:\n${err.slice(-2000)}`));
    }, READY_TIMEOUT_MS);
    const onOut = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^READY (mongodb:\/\/\S+)$/m.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stdout?.off('data', onOut);
        child.off('exit', onExit);
        resolvePromise(m[1]);
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new EmbeddedServerError(
        `内置数据库启动失败 (exit ${code ?? child.signalCode})。数据目录是否可写？程序文件可运行 npm run -s cli -- db build 检查并重建。\n${err.slice(-2000)}`,
      ));
    };
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.length > 20_000) err = err.slice(-10_000);
    });
    child.once('exit', onExit);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}
