// Group commit for the writes every callback makes (the journal entry, the report, the outcome, the progress cell):
// while one write into a collection is on its way, the ones that arrive meanwhile wait and then go together, as one
// insertMany or one bulkWrite.
// Nothing waits for a timer: a lone insert goes at once, as before, and only a burst is grouped. Each caller still
// returns after the write that holds its own document has stood, so nothing is acknowledged before it is stored.
// Under a burst of 50 callbacks this turns about 200 round trips (each a pool checkout and a FerretDB request)
// into a handful.
import { isDuplicateKeyError } from './models.ts';

/** 'duplicate': a document with that _id was there already (a retry, another instance); nothing was written. */
export type InsertOutcome = 'inserted' | 'duplicate';

/** An insertMany never carries more than this: one write stays short. */
const MAX_INSERTS = 100;
/**
 * A bulk of updates never carries more than this. FerretDB 1.24 (embedded) stops answering altogether — that
 * request and every later one — when one update command carries 100 statements or more (99 work; measured with the
 * driver's bulkWrite on a fresh database, no other load). Half of that leaves room.
 */
export const MAX_UPDATES = 50;

type Document = Record<string, unknown>;

/** The driver's side of a model's collection (model.collection), as much of it as a grouped insert uses. */
export interface InsertTarget {
  insertOne(doc: never): Promise<unknown>;
  insertMany(docs: never[], options: { ordered: boolean }): Promise<unknown>;
}

interface Waiting {
  doc: Document;
  resolve: (outcome: InsertOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * One collection's queue of one kind of write. Up to IN_FLIGHT batches are on their way at once; what arrives
 * meanwhile waits for the next. A write function settles each of its callers itself and never rejects.
 */
class Lane<T> {
  private readonly waiting: T[] = [];
  private inFlight = 0;

  constructor(private readonly write: (batch: T[]) => Promise<void>, private readonly maxBatch: number) {}

  push(item: T): void {
    this.waiting.push(item);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < IN_FLIGHT && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }
}

/** The embedded database writes one thing at a time: two batches on their way measured no faster than one. */
const IN_FLIGHT = 1;

/** The lanes of each collection object (a model's collection belongs to one connection, so to one store). */
const lanes = new WeakMap<object, Map<string, Lane<never>>>();

function laneOf<T>(collection: object, kind: 'insert' | 'update', write: (batch: T[]) => Promise<void>): Lane<T> {
  const maxBatch = kind === 'insert' ? MAX_INSERTS : MAX_UPDATES;
  let byKind = lanes.get(collection);
  if (!byKind) lanes.set(collection, (byKind = new Map()));
  let lane = byKind.get(kind) as Lane<T> | undefined;
  if (!lane) byKind.set(kind, (lane = new Lane<T>(write, maxBatch) as never));
  return lane;
}

/** Inserts one document, grouped with the inserts into the same collection that arrive while others are written. */
export function insertGrouped(collection: InsertTarget, doc: Document): Promise<InsertOutcome> {
  const lane = laneOf<Waiting>(collection, 'insert', (batch) => writeBatch(collection, batch));
  return new Promise<InsertOutcome>((resolve, reject) => lane.push({ doc, resolve, reject }));
}

async function writeBatch(collection: InsertTarget, batch: Waiting[]): Promise<void> {
  if (batch.length === 1) {
    const only = batch[0]!;
    try {
      await collection.insertOne(only.doc as never);
      only.resolve('inserted');
    } catch (err) {
      if (isDuplicateKeyError(err)) only.resolve('duplicate');
      else only.reject(err);
    }
    return;
  }
  try {
    // Unordered: one duplicate (a retry) does not stop the others, and each failure names its document's index.
    await collection.insertMany(batch.map((w) => w.doc) as never[], { ordered: false });
    for (const w of batch) w.resolve('inserted');
  } catch (err) {
    const failures = writeErrorsByIndex(err);
    if (!failures) {
      // Not a per-document failure (the connection, the server): nobody can tell which were written, so every
      // caller gets the error, as a lone insert would; each retries by its own _id and finds its document or not.
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      const failure = failures.get(i);
      if (!failure) w.resolve('inserted');
      else if (isDuplicateKeyError(failure)) w.resolve('duplicate');
      else w.reject(Object.assign(new Error(failure.errmsg ?? 'insert failed'), { code: failure.code }));
    });
  }
}

/** The per-document failures of an unordered insertMany, by the document's index; null when it failed as a whole. */
function writeErrorsByIndex(err: unknown): Map<number, { code: number; errmsg?: string }> | null {
  const raw = (err as { writeErrors?: unknown }).writeErrors;
  if (!raw) return null;
  const list = (Array.isArray(raw) ? raw : [raw]) as Array<{ index?: number; code?: number; errmsg?: string; err?: { index?: number; code?: number; errmsg?: string } }>;
  const out = new Map<number, { code: number; errmsg?: string }>();
  for (const e of list) {
    const index = e.index ?? e.err?.index;
    const code = e.code ?? e.err?.code;
    if (index === undefined || code === undefined) return null;
    out.set(index, { code, errmsg: e.errmsg ?? e.err?.errmsg });
  }
  return out;
}

// ---- updates by _id -------------------------------------------------------------------------------------------

/** The driver's side of a collection, as much of it as a grouped update uses. */
export interface UpdateTarget {
  updateOne(filter: never, update: never): Promise<{ matchedCount: number }>;
  bulkWrite(ops: never[], options: { ordered: boolean }): Promise<{ matchedCount: number }>;
}

interface WaitingUpdate {
  _id: string;
  set: Document;
  resolve: (matched: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * `$set` on one document by _id (FerretDB's indexed path), grouped with the updates of other documents of the
 * collection that arrive while others are written. Resolves whether the document was there. Callers must not have
 * two updates of the same document on their way at once (progress cells are written one write at a time per cell).
 */
export function updateByIdGrouped(collection: UpdateTarget, _id: string, set: Document): Promise<boolean> {
  const lane = laneOf<WaitingUpdate>(collection, 'update', (batch) => writeUpdates(collection, batch));
  return new Promise<boolean>((resolve, reject) => lane.push({ _id, set, resolve, reject }));
}

async function writeUpdates(collection: UpdateTarget, batch: WaitingUpdate[]): Promise<void> {
  try {
    if (batch.length === 1) {
      const only = batch[0]!;
      only.resolve((await collection.updateOne({ _id: only._id } as never, { $set: only.set } as never)).matchedCount === 1);
      return;
    }
    const ops = batch.map((u) => ({ updateOne: { filter: { _id: u._id }, update: { $set: u.set } } }));
    const res = await collection.bulkWrite(ops as never[], { ordered: false });
    if (res.matchedCount === batch.length) {
      for (const u of batch) u.resolve(true);
      return;
    }
    // Some document was missing (deleted by a rebuild meanwhile): the total cannot say which, so each is written
    // again alone — the same $set, harmless where it already stood — and learns its own answer.
    for (const u of batch) u.resolve((await collection.updateOne({ _id: u._id } as never, { $set: u.set } as never)).matchedCount === 1);
  } catch (err) {
    for (const u of batch) u.reject(err);
  }
}
