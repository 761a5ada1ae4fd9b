// Opens the database: the given MONGODB_URI, or the embedded FerretDB when there is none.
import mongoose, { type Connection } from 'mongoose';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { createModels, onCachedCollectionWrite, type Models } from './models.ts';
import { startEmbeddedServer, type EmbeddedServer, type SupervisionHooks } from './embedded-server.ts';
import { acquireDataDirLock, liveOwner, type DataDirLock } from './data-dir-lock.ts';
import { DatabaseTimeoutError, withinMs } from './database-errors.ts';
import { hostname } from 'node:os';
import { ReadCache } from './read-cache.ts';

export interface Store {
  conn: Connection;
  models: Models;
  /** The server's address (credentials included when the configuration has them: never log it). */
  uri: string;
  /** Plan, tasks and members as read per message; disabled (TTL 0) unless asked for. Writers clear it. */
  cache: ReadCache;
  /**
   * "embedded": this process owns the embedded database (the only writer of report-derived cells);
   * "external": a database others may share (MongoDB, `db serve`, or the embedded one of a running bot).
   */
  kind: 'embedded' | 'external';
  ping(): Promise<boolean>;
  /** A bounded ping and a write probe: true only when both answer within `timeoutMs` (see /healthz). */
  probe(timeoutMs: number): Promise<ProbeResult>;
  /** Run by close() before the connection ends (errors ignored): writes this process holds back are finished. */
  beforeClose: Array<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ProbeResult {
  ok: boolean;
  /** Why not, in a few words (no addresses, no credentials). */
  problem?: string;
}

export interface OpenStoreOptions {
  mongodbUri: string | undefined;
  dataDir: string;
  dbName?: string;
  logger?: Logger;
  /** How long per-message reads (plan, tasks, members) may be reused; the service uses a second. */
  readCacheTtlMs?: number;
  /**
   * When another running process owns DATA_DIR's embedded database: 'refuse' (a second bot must not start) or
   * 'join' (a CLI command beside the running bot works through its database). Default 'refuse'.
   */
  besideOwner?: 'refuse' | 'join';
  /** When the lock was taken (for the lock file; the clock stays outside the store). */
  startedAt?: Date;
  /** The embedded database died and could not be restarted: the process should exit non-zero. */
  onFatal?: (err: Error) => void;
}

export const DEFAULT_DB_NAME = 'duban';

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  let embedded: EmbeddedServer | null = null;
  let lock: DataDirLock | null = null;
  let uri = options.mongodbUri;
  const log = options.logger;
  if (!uri) {
    const owner = liveOwner(options.dataDir);
    if (owner && options.besideOwner === 'join') {
      if (!owner.uri) throw new Error(`督办助手（pid ${owner.pid}）正在启动，数据库尚未就绪，请几秒后再试。`);
      log?.info({ pid: owner.pid }, 'using the database of the bot running on this DATA_DIR');
      // Not the owner: 'external', so that anything it writes to shared cells goes by compare-and-set.
      return connectStore(owner.uri, options.dbName ?? DEFAULT_DB_NAME, 'external', options.readCacheTtlMs);
    }
    lock = acquireDataDirLock(options.dataDir, options.startedAt ?? UNKNOWN_START, (stale) => {
      log?.warn({ pid: stale.pid, startedAt: stale.startedAt }, 'stale DATA_DIR lock of a process that is gone: taking it over');
    });
    try {
      embedded = await startEmbeddedServer({ dataDir: join(options.dataDir, 'ferretdb'), supervise: supervisionLog(log, options.onFatal) });
    } catch (err) {
      lock.release();
      throw err;
    }
    uri = embedded.uri;
    lock.setUri(uri);
    log?.info({ address: uri, pid: embedded.pid }, 'embedded FerretDB started');
  }
  try {
    const store = await connectStore(uri, options.dbName ?? dbNameFromUri(uri) ?? DEFAULT_DB_NAME, embedded ? 'embedded' : 'external', options.readCacheTtlMs);
    const closeConnection = store.close;
    store.close = async () => {
      await closeConnection();
      await embedded?.stop();
      lock?.release();
    };
    return store;
  } catch (err) {
    await embedded?.stop();
    lock?.release();
    throw err;
  }
}

/** The supervisor's events, logged; giving up is fatal. */
function supervisionLog(log: Logger | undefined, onFatal: ((err: Error) => void) | undefined): SupervisionHooks {
  return {
    onDied: (info) => log?.error(info, 'embedded FerretDB died; restarting it'),
    onRestarted: (info) => log?.warn(info, 'embedded FerretDB restarted'),
    onRestartFailed: (info) => log?.error(info, 'embedded FerretDB restart failed'),
    onGaveUp: (err) => {
      log?.fatal({ err }, 'embedded FerretDB cannot be restarted');
      onFatal?.(err);
    },
  };
}

/** The database named in the URI's path (mongodb://host/NAME?…), if any. */
export function dbNameFromUri(uri: string): string | null {
  const m = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}

/** Connects to a running server and makes sure every index exists. */
export async function connectStore(uri: string, dbName: string, kind: Store['kind'] = 'external', readCacheTtlMs = 0): Promise<Store> {
  const conn = mongoose.createConnection(uri, {
    dbName,
    autoIndex: false, // created explicitly below, awaited, so unique indexes exist before the first write
    serverSelectionTimeoutMS: 10_000,
    // Notice a restarted or returning server within seconds rather than the default ten.
    heartbeatFrequencyMS: 2000,
    maxPoolSize: 20,
  });
  await conn.asPromise();
  const models = createModels(conn);
  const cache = new ReadCache(readCacheTtlMs);
  onCachedCollectionWrite.set(conn, () => cache.clear());
  const beforeClose: Store['beforeClose'] = [];
  for (const model of Object.values(models)) {
    await model.createCollection().catch(() => undefined); // exists already
    await model.createIndexes();
  }
  return {
    conn,
    models,
    uri,
    cache,
    kind,
    async ping() {
      try {
        await conn.db!.command({ ping: 1 });
        return true;
      } catch {
        return false;
      }
    },
    async probe(timeoutMs) {
      const probeId = `probe:${hostname()}:${process.pid}`;
      const ping = conn.db!.command({ ping: 1 });
      const write = conn.db!.collection<{ _id: string; n: number }>('health').updateOne({ _id: probeId }, { $set: { n: ++probes } }, { upsert: true });
      try {
        await withinMs(Promise.all([ping, write]), timeoutMs, 'database probe');
        return { ok: true };
      } catch (err) {
        ping.catch(() => undefined);
        write.catch(() => undefined);
        return { ok: false, problem: err instanceof DatabaseTimeoutError ? `no answer within ${timeoutMs} ms` : (err as Error).name || 'error' };
      }
    },
    beforeClose,
    async close() {
      for (const hook of beforeClose) await hook().catch(() => undefined);
      await conn.close();
    },
  };
}

let probes = 0;

/** For callers that do not say when they started (benchmarks): the lock then shows the epoch. */
const UNKNOWN_START = new Date(0);
