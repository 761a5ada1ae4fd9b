// Opens the database: the given MONGODB_URI, or the embedded FerretDB when there is none.
import mongoose, { type Connection } from 'mongoose';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { createModels, onCachedCollectionWrite, type Models } from './models.ts';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.ts';
import { ReadCache } from './read-cache.ts';

export interface Store {
  conn: Connection;
  models: Models;
  /** The server's address (credentials included when the configuration has them: never log it). */
  uri: string;
  /** Plan, tasks and members as read per message; disabled (TTL 0) unless asked for. Writers clear it. */
  cache: ReadCache;
  /** "embedded" or "external", for logs and /healthz. */
  kind: 'embedded' | 'external';
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  mongodbUri: string | undefined;
  dataDir: string;
  dbName?: string;
  logger?: Logger;
  /** How long per-message reads (plan, tasks, members) may be reused; the service uses a second. */
  readCacheTtlMs?: number;
}

export const DEFAULT_DB_NAME = 'duban';

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  let embedded: EmbeddedServer | null = null;
  let uri = options.mongodbUri;
  if (!uri) {
    embedded = await startEmbeddedServer({ dataDir: join(options.dataDir, 'ferretdb') });
    uri = embedded.uri;
    options.logger?.info({ address: uri, pid: embedded.pid }, 'embedded FerretDB started');
  }
  try {
    const store = await connectStore(uri, options.dbName ?? dbNameFromUri(uri) ?? DEFAULT_DB_NAME, embedded ? 'embedded' : 'external', options.readCacheTtlMs);
    const closeConnection = store.close;
    store.close = async () => {
      await closeConnection();
      await embedded?.stop();
    };
    return store;
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
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
    maxPoolSize: 20,
  });
  await conn.asPromise();
  const models = createModels(conn);
  const cache = new ReadCache(readCacheTtlMs);
  onCachedCollectionWrite.set(conn, () => cache.clear());
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
    async close() {
      await conn.close();
    },
  };
}
