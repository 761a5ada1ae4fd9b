// A chat conversation waiting for the user's next message: the guided 汇报 (pick an item, then give the progress)
// or a guess waiting for “是”. Kept in the database, not in memory, so it survives a restart and any instance
// answers the next message. One per user (the userid is the key): starting a new one replaces the old. Expiry is
// read with the clock passed in; the cleanup job deletes expired ones (no TTL indexes on FerretDB 1.x).
import { randomBytes } from 'node:crypto';
import { Schema, type Model } from 'mongoose';
import type { Store } from './database.ts';
import { readOwnWrites } from './read-cache.ts';

export interface ConversationDoc {
  /** The userid: one pending conversation per user. */
  _id: string;
  /** This conversation's own id: what it writes carries it, so it writes once however often it is answered. */
  id: string;
  kind: string;
  data: unknown;
  startedAt: Date;
  expiresAt: Date;
}

export interface Conversation<T = unknown> {
  userid: string;
  id: string;
  kind: string;
  data: T;
  startedAt: Date;
  expiresAt: Date;
}

const schema = new Schema<ConversationDoc>(
  {
    _id: { type: String, required: true },
    id: { type: String, required: true },
    kind: { type: String, required: true },
    data: { type: Schema.Types.Mixed, default: null },
    startedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'conversations', versionKey: false, minimize: false },
);

function model(store: Store): Model<ConversationDoc> {
  return (store.conn.models.Conversation as Model<ConversationDoc> | undefined) ?? store.conn.model<ConversationDoc>('Conversation', schema);
}

function fromDoc<T>(doc: ConversationDoc): Conversation<T> {
  return { userid: doc._id, id: doc.id, kind: doc.kind, data: doc.data as T, startedAt: doc.startedAt, expiresAt: doc.expiresAt };
}

/** Starts (or replaces) the user's conversation; it lasts `ttlMs` from `now`. */
export async function startConversation<T>(store: Store, userid: string, kind: string, data: T, now: Date, ttlMs: number): Promise<Conversation<T>> {
  const doc: ConversationDoc = {
    _id: userid, id: randomBytes(8).toString('hex'), kind, data, startedAt: now, expiresAt: new Date(now.getTime() + ttlMs),
  };
  await model(store).replaceOne({ _id: userid }, doc, { upsert: true });
  store.cache.clear();
  return fromDoc<T>(doc);
}

/** The user's conversation if one is open at `now`; an expired one counts as none. */
export async function openConversation<T = unknown>(store: Store, userid: string, now: Date): Promise<Conversation<T> | null> {
  // Asked on every message, and almost always "none": see readOwnWrites. Its writers below clear the cache.
  const doc = await readOwnWrites(store, `conversation:${userid}`, () => model(store).findOne({ _id: userid }).lean<ConversationDoc>());
  if (!doc || doc.expiresAt.getTime() <= now.getTime()) return null;
  return fromDoc<T>(doc);
}

/** Ends that conversation (not a newer one that replaced it); true when it was still there. */
export async function endConversation(store: Store, userid: string, id: string): Promise<boolean> {
  const ended = (await model(store).deleteOne({ _id: userid, id })).deletedCount > 0;
  store.cache.clear();
  return ended;
}

export async function deleteConversationsExpiredBefore(store: Store, before: Date): Promise<number> {
  const deleted = (await model(store).deleteMany({ expiresAt: { $lt: before } })).deletedCount;
  store.cache.clear();
  return deleted;
}
