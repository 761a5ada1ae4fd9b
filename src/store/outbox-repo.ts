// The outbox as stored: messages (one per idempotency key) and their attempt claims (one insert per attempt,
// so two workers cannot both win). The delivery rules are in src/outbox.
import type { Types } from 'mongoose';
import type { Store } from './database.ts';
import { isDuplicateKeyError, type OutboxDoc } from './models.ts';

export type NewOutboxMessage = Pick<OutboxDoc, 'key' | 'channel' | 'payload' | 'createdAt' | 'nextAttemptAt'>;

/** 'exists' when a message with this key was stored before: a rerun of a job stores nothing twice. */
export async function insertOutboxMessage(store: Store, msg: NewOutboxMessage): Promise<'queued' | 'exists'> {
  try {
    await store.models.Outbox.create({ ...msg, state: 'pending', attempts: 0 });
    return 'queued';
  } catch (err) {
    if (isDuplicateKeyError(err)) return 'exists';
    throw err;
  }
}

/** Pending messages due at `now`, oldest first. */
export async function dueOutboxMessages(store: Store, now: Date, limit: number): Promise<OutboxDoc[]> {
  return store.models.Outbox.find({ state: 'pending', nextAttemptAt: { $lte: now } }).sort({ createdAt: 1, _id: 1 }).limit(limit).lean<OutboxDoc[]>();
}

/** Pending messages not yet due (waiting for a retry or leased) created at or before `createdBy`, oldest first. */
export async function waitingOutboxMessages(store: Store, now: Date, createdBy: Date): Promise<OutboxDoc[]> {
  return store.models.Outbox.find({ state: 'pending', nextAttemptAt: { $gt: now }, createdAt: { $lte: createdBy } })
    .sort({ createdAt: 1, _id: 1 })
    .lean<OutboxDoc[]>();
}

/** The pending message that comes due next after `now`. */
export async function nextWaitingOutboxMessage(store: Store, now: Date): Promise<OutboxDoc | null> {
  return store.models.Outbox.findOne({ state: 'pending', nextAttemptAt: { $gt: now } }).sort({ nextAttemptAt: 1 }).lean<OutboxDoc>();
}

export async function countPendingOutbox(store: Store): Promise<number> {
  return store.models.Outbox.countDocuments({ state: 'pending' });
}

export async function findOutboxMessage(store: Store, id: Types.ObjectId): Promise<OutboxDoc | null> {
  return store.models.Outbox.findOne({ _id: id }).lean<OutboxDoc>();
}

export type OutboxFields = Partial<Pick<OutboxDoc, 'state' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'sentAt'>>;

/** Writes bookkeeping on one message; `onlyAtAttempts` makes it conditional on the attempts recorded. */
export async function updateOutboxMessage(store: Store, id: Types.ObjectId, set: OutboxFields, onlyAtAttempts?: number): Promise<void> {
  await store.models.Outbox.updateOne(onlyAtAttempts === undefined ? { _id: id } : { _id: id, attempts: onlyAtAttempts }, { $set: set });
}

export interface OutboxClaim {
  key: string; // `${outboxId}:${attempt}`
  outboxId: Types.ObjectId;
  attempt: number;
  worker: string;
  at: Date;
}

/** True when this insert won the attempt; false when another worker's claim exists. */
export async function insertOutboxClaim(store: Store, claim: OutboxClaim): Promise<boolean> {
  try {
    await store.models.OutboxClaim.create(claim);
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

export async function findOutboxClaim(store: Store, key: string): Promise<OutboxClaim | null> {
  return store.models.OutboxClaim.findOne({ key }).lean<OutboxClaim>();
}

/** Delivered messages, and claims, older than `before` (dead letters stay until someone looks). */
export async function deleteDeliveredOutboxBefore(store: Store, before: Date): Promise<{ messages: number; claims: number }> {
  const messages = await store.models.Outbox.deleteMany({ state: 'sent', sentAt: { $lt: before } });
  const claims = await store.models.OutboxClaim.deleteMany({ at: { $lt: before } });
  return { messages: messages.deletedCount, claims: claims.deletedCount };
}
