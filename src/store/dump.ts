// Whole-database access for backups, restores and copies: list collections and their indexes, read every
// document as a line of canonical Extended JSON, write lines back. Extended JSON keeps what plain JSON loses
// (ObjectId, Date, Binary, Int32 vs Double), so a restored document is the stored one.
import mongoose from 'mongoose';
import type { Store } from './database.ts';
import { isDuplicateKeyError } from './models.ts';

const { EJSON } = mongoose.mongo.BSON;

/** Written by the health probe on every /healthz: nothing worth keeping, and it changes while a backup runs. */
const TRANSIENT = new Set(['health']);

/**
 * Read order for a backup taken while the bot runs. Records that point at others are read before what they
 * point at, and the writers write them in the opposite order (chunks, then the file record, then the evidence),
 * so every evidence record in an archive finds its file record, and every file record all its chunks.
 */
const READ_LAST = ['evidence', 'files', 'file_chunks'];

/** Documents per read batch: chunks are 768 KB each, and a reply must stay under 16 MB. */
const BATCH = { default: 500, file_chunks: 8 } as const;

/** Bytes per insert batch (documents are written in batches of about this size). */
const INSERT_BATCH_BYTES = 4 * 1024 * 1024;

export interface IndexSpec {
  name: string;
  key: Record<string, 1 | -1>;
  unique?: boolean;
  sparse?: boolean;
}

/** Every collection of the database that a backup keeps, in the order a backup must read them. */
export async function listDataCollections(store: Store): Promise<string[]> {
  const all = (await store.conn.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  const names = all.filter((n) => !n.startsWith('system.') && !TRANSIENT.has(n)).sort();
  const last = READ_LAST.filter((n) => names.includes(n));
  return [...names.filter((n) => !READ_LAST.includes(n)), ...last];
}

/** The collection's indexes beside `_id`, as createIndex takes them back. */
export async function listIndexSpecs(store: Store, collection: string): Promise<IndexSpec[]> {
  const raw = await store.conn.db!.collection(collection).listIndexes().toArray().catch(() => []);
  return raw
    .filter((ix) => ix.name !== '_id_')
    .map((ix) => ({
      name: String(ix.name),
      key: ix.key as Record<string, 1 | -1>,
      ...(ix.unique ? { unique: true } : {}),
      ...(ix.sparse ? { sparse: true } : {}),
    }));
}

/** Every document of the collection, one canonical Extended JSON line each (no newline inside). */
export async function* readDocumentLines(store: Store, collection: string): AsyncGenerator<string> {
  const batchSize = collection === 'file_chunks' ? BATCH.file_chunks : BATCH.default;
  const cursor = store.conn.db!.collection(collection).find({}, { batchSize });
  try {
    for await (const doc of cursor) yield EJSON.stringify(doc, { relaxed: false });
  } finally {
    await cursor.close();
  }
}

/** Collections that hold documents (the health probe's excepted): what makes a restore target "not empty". */
export async function nonEmptyCollections(store: Store): Promise<Array<{ name: string; count: number }>> {
  const out: Array<{ name: string; count: number }> = [];
  for (const name of await listDataCollections(store)) {
    const count = await countDocuments(store, name);
    if (count > 0) out.push({ name, count });
  }
  return out;
}

export async function countDocuments(store: Store, collection: string): Promise<number> {
  return store.conn.db!.collection(collection).countDocuments({});
}

/** Drops every collection a backup would keep (restore --force). */
export async function dropDataCollections(store: Store): Promise<void> {
  for (const name of await listDataCollections(store)) await store.conn.db!.collection(name).drop().catch(() => undefined);
}

/**
 * Writes Extended JSON lines into the collection, in batches. A document already there (same `_id`) is left
 * as it is, so an interrupted restore or copy can be run again.
 */
export async function insertDocumentLines(store: Store, collection: string, lines: AsyncIterable<string>): Promise<number> {
  const coll = store.conn.db!.collection(collection);
  await store.conn.db!.createCollection(collection).catch(() => undefined); // exists already
  let batch: mongoose.mongo.BSON.Document[] = [];
  let bytes = 0;
  let written = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    try {
      const r = await coll.insertMany(batch, { ordered: false });
      written += r.insertedCount;
    } catch (err) {
      // Duplicates of an earlier, interrupted run: the rest of the batch went in.
      const inserted = (err as { insertedCount?: number; result?: { insertedCount?: number } }).insertedCount
        ?? (err as { result?: { insertedCount?: number } }).result?.insertedCount;
      if (!isDuplicateKeyError(err) && !isBulkOfDuplicates(err)) throw err;
      written += inserted ?? 0;
    }
    batch = [];
    bytes = 0;
  };
  for await (const line of lines) {
    batch.push(EJSON.parse(line, { relaxed: false }) as mongoose.mongo.BSON.Document);
    bytes += line.length;
    if (bytes >= INSERT_BATCH_BYTES || batch.length >= 1000) await flush();
  }
  await flush();
  return written;
}

function isBulkOfDuplicates(err: unknown): boolean {
  const errors = (err as { writeErrors?: Array<{ code?: number; err?: { code?: number } }> }).writeErrors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => (e.code ?? e.err?.code) === 11000);
}

/** Creates the indexes a backup listed (existing ones of the same shape are left alone). */
export async function createIndexSpecs(store: Store, collection: string, specs: IndexSpec[]): Promise<void> {
  const coll = store.conn.db!.collection(collection);
  for (const spec of specs) {
    await coll.createIndex(spec.key, { name: spec.name, ...(spec.unique ? { unique: true } : {}), ...(spec.sparse ? { sparse: true } : {}) })
      .catch(async (err) => {
        // Same key under another name (created by the models first): that index serves.
        const existing = await coll.listIndexes().toArray();
        if (existing.some((ix) => JSON.stringify(ix.key) === JSON.stringify(spec.key))) return;
        throw err;
      });
  }
}

/** The models' own indexes, as a start creates them (after a --force restore dropped the collections). */
export async function ensureModelIndexes(store: Store): Promise<void> {
  for (const model of Object.values(store.models)) {
    await model.createCollection().catch(() => undefined); // exists already
    await model.createIndexes();
  }
}
