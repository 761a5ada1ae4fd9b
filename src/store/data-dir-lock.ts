// One owner per data folder: the embedded database's files belong to one process at a time. The lock is a file
// in DATA_DIR naming its owner (pid, its start time, host) and, once it runs, the owner's database address, so a
// CLI command beside the running bot connects to that database instead of starting a second one on the same
// files. It is removed on exit; after a crash (kill -9, power cut) it stays, and is recognised as stale because
// its owner is no longer running (or the pid now belongs to a process started at another time).
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'duban.lock';

export interface LockInfo {
  pid: number;
  /** The owner's start time as the kernel counts it (/proc/PID/stat field 22), against pid reuse. */
  procStart: string | null;
  host: string;
  startedAt: string;
  /** The embedded database's address, once it runs (loopback, no credentials). */
  uri: string | null;
}

export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';
  constructor(public readonly dataDir: string, public readonly owner: LockInfo) {
    super(
      `数据目录 ${dataDir} 正由另一个督办助手进程使用（pid ${owner.pid}，${owner.startedAt} 启动），本进程不再启动。\n` +
        '  同一数据目录只能有一个进程运行内置数据库；CLI 命令会自动连接正在运行的进程。\n' +
        '  要运行多个实例，请让它们通过 MONGODB_URI 共用一个数据库（见 README「多实例」）。\n' +
        `(DATA_DIR ${dataDir} is owned by running process ${owner.pid}; refusing to start a second owner.)`,
    );
  }
}

export interface DataDirLock {
  path: string;
  /** Records the running database's address for CLI commands started beside this process. */
  setUri(uri: string): void;
  release(): void;
}

function procStartOf(pid: number): string | null {
  try {
    // Field 22 of /proc/PID/stat, counted after the ")" that ends the command name (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock's owner is still the process that wrote it. */
export function ownerAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // another machine's lock (a shared folder): never guess it stale
  if (!running(info.pid)) return false;
  const now = procStartOf(info.pid);
  return info.procStart === null || now === null || now === info.procStart;
}

export function readLock(dataDir: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** The running owner of DATA_DIR, if there is one (a stale lock is not an owner). */
export function liveOwner(dataDir: string): LockInfo | null {
  const info = readLock(dataDir);
  return info && ownerAlive(info) ? info : null;
}

/**
 * Takes the lock or throws DataDirBusyError. Written to a temporary file, then hard-linked into place: the link
 * fails if a lock is there, so two processes starting together cannot both win.
 */
export function acquireDataDirLock(dataDir: string, startedAt: Date, onStale?: (stale: LockInfo) => void): DataDirLock {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, procStart: procStartOf(process.pid), host: hostname(), startedAt: startedAt.toISOString(), uri: null };
  const write = (target: string) => writeFileSync(target, `${JSON.stringify(info)}\n`);
  for (let attempt = 0; attempt < 3; attempt++) {
    const tmp = `${path}.${process.pid}.tmp`;
    write(tmp);
    try {
      linkSync(tmp, path);
      rmSync(tmp, { force: true });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        // Only our own lock: never remove one a later owner took after ours was judged stale.
        if (readLock(dir)?.pid === process.pid) rmSync(path, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return {
        path,
        setUri(uri) {
          info.uri = uri;
          write(`${path}.${process.pid}.tmp`);
          renameOver(`${path}.${process.pid}.tmp`, path);
        },
        release,
      };
    } catch (err) {
      rmSync(tmp, { force: true });
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readLock(dir);
    if (owner && ownerAlive(owner)) throw new DataDirBusyError(dataDir, owner);
    if (owner) onStale?.(owner);
    rmSync(path, { force: true }); // stale (or unreadable, half-written by a crash): take it over
  }
  throw new Error(`could not take the lock ${path}`);
}

/** rename replaces the target atomically on POSIX: a reader sees the old lock or the new one, never half. */
function renameOver(from: string, to: string) {
  renameSync(from, to);
}
