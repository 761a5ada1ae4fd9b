// Access tokens shared by every process on the database (WeCom asks that a token be reused, not refetched).
import type { Store } from './database.ts';

export interface StoredToken {
  value: string;
  expiresAt: Date;
  fetchedAt: Date;
}

export async function findToken(store: Store, key: string): Promise<StoredToken | null> {
  return store.models.Token.findOne({ key }).lean<StoredToken>();
}

/** Last writer wins: every writer holds a token just issued. May throw a duplicate-key error on a racing upsert. */
export async function saveToken(store: Store, key: string, token: StoredToken): Promise<void> {
  await store.models.Token.updateOne({ key }, { $set: token }, { upsert: true });
}

/** Forgets the token only if it is still the refused one (another process may have stored a new one). */
export async function dropToken(store: Store, key: string, value: string): Promise<void> {
  await store.models.Token.deleteOne({ key, value });
}

export async function deleteTokensExpiredBefore(store: Store, before: Date): Promise<number> {
  return (await store.models.Token.deleteMany({ expiresAt: { $lt: before } })).deletedCount;
}
