// Page sessions ended by 退出: the session cookie is signed, not stored, so logging out records its id here and
// every request checks it; a copied cookie dies with the logout. Kept until the session would have expired anyway
// (removed by the cleanup job: no TTL indexes on FerretDB 1.x).
import { Schema, type Model } from 'mongoose';
import type { Store } from './database.ts';
import { isDuplicateKeyError } from './models.ts';

interface RevokedSessionDoc {
  /** The session's random id (the cookie's `sid`). */
  _id: string;
  userid: string;
  /** When the cookie would have expired by itself: after that the record is useless. */
  until: Date;
}

const schema = new Schema<RevokedSessionDoc>(
  {
    _id: { type: String, required: true },
    userid: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { collection: 'revoked_sessions', versionKey: false },
);

function model(store: Store): Model<RevokedSessionDoc> {
  return (store.conn.models.RevokedSession as Model<RevokedSessionDoc> | undefined) ?? store.conn.model<RevokedSessionDoc>('RevokedSession', schema);
}

/** Records the logout; logging out twice (two tabs) is the same logout. */
export async function revokeSession(store: Store, sid: string, userid: string, until: Date): Promise<void> {
  try {
    await model(store).create({ _id: sid, userid, until });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

export async function isSessionRevoked(store: Store, sid: string): Promise<boolean> {
  return (await model(store).exists({ _id: String(sid) })) !== null;
}

export async function deleteRevokedSessionsBefore(store: Store, before: Date): Promise<number> {
  return (await model(store).deleteMany({ until: { $lt: before } })).deletedCount;
}
