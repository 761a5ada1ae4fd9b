// Collections of the 督办 loop (销号 review, 催办, 分管, daily notice claims). Registered on first use on a
// connection, with their unique indexes created before the first write, so models.ts stays as it is.
// Same rules as every other collection: append-only history, claims by unique-index inserts.
import { Schema, type Connection, type Types } from 'mongoose';
import type { Store } from './database.ts';

export type ReviewDecisionKind = 'approved' | 'returned' | 'reopened';

/** One admin decision on a (task, department): appended, never rewritten. */
export interface ReviewDoc {
  _id: string; // = key
  key: string;
  planId: Types.ObjectId;
  taskId: Types.ObjectId;
  taskCode: string;
  department: string;
  decision: ReviewDecisionKind;
  reason: string;
  actor: string; // userid, or "system:auto" when review is off
  at: Date;
}

/** One 催办 of a (task, department): by a person, or by the weekly escalation. */
export interface ChaseDoc {
  _id: string; // = key
  key: string;
  planId: Types.ObjectId;
  taskId: Types.ObjectId;
  taskCode: string;
  department: string;
  kind: 'manual' | 'auto';
  actor: string;
  note: string;
  at: Date;
}

/** The departments a leader is in charge of (分管). One document per leader; changes are audited. */
export interface LeaderChargeDoc {
  _id: string; // userid
  departments: string[];
  updatedAt: Date;
  updatedBy: string;
}

/** "This member got this kind of message on this day": inserted once, so a second one is never sent. */
export interface NoticeClaimDoc {
  _id: string; // `${kind}:${day}:${userid}`
  at: Date;
}

const reviewSchema = new Schema<ReviewDoc>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true, unique: true },
    planId: { type: Schema.Types.ObjectId, required: true },
    taskId: { type: Schema.Types.ObjectId, required: true },
    taskCode: { type: String, required: true },
    department: { type: String, required: true },
    decision: { type: String, enum: ['approved', 'returned', 'reopened'], required: true },
    reason: { type: String, default: '' },
    actor: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'reviews', versionKey: false },
);
reviewSchema.index({ planId: 1 });
reviewSchema.index({ taskId: 1 });

const chaseSchema = new Schema<ChaseDoc>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true, unique: true },
    planId: { type: Schema.Types.ObjectId, required: true },
    taskId: { type: Schema.Types.ObjectId, required: true },
    taskCode: { type: String, required: true },
    department: { type: String, required: true },
    kind: { type: String, enum: ['manual', 'auto'], required: true },
    actor: { type: String, required: true },
    note: { type: String, default: '' },
    at: { type: Date, required: true },
  },
  { collection: 'chases', versionKey: false },
);
chaseSchema.index({ taskId: 1 });
chaseSchema.index({ at: 1 });

const leaderChargeSchema = new Schema<LeaderChargeDoc>(
  {
    _id: { type: String, required: true },
    departments: { type: [String], default: [] },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { collection: 'leader_charges', versionKey: false },
);

const noticeClaimSchema = new Schema<NoticeClaimDoc>(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'notice_claims', versionKey: false },
);
noticeClaimSchema.index({ at: 1 });

function register(conn: Connection) {
  return {
    Review: conn.models.Review ?? conn.model<ReviewDoc>('Review', reviewSchema),
    Chase: conn.models.Chase ?? conn.model<ChaseDoc>('Chase', chaseSchema),
    LeaderCharge: conn.models.LeaderCharge ?? conn.model<LeaderChargeDoc>('LeaderCharge', leaderChargeSchema),
    NoticeClaim: conn.models.NoticeClaim ?? conn.model<NoticeClaimDoc>('NoticeClaim', noticeClaimSchema),
  } as {
    Review: import('mongoose').Model<ReviewDoc>;
    Chase: import('mongoose').Model<ChaseDoc>;
    LeaderCharge: import('mongoose').Model<LeaderChargeDoc>;
    NoticeClaim: import('mongoose').Model<NoticeClaimDoc>;
  };
}

export type LoopModels = ReturnType<typeof register>;

const ready = new WeakMap<Connection, Promise<LoopModels>>();

/** The loop's models on this store's connection, their collections and indexes created once per process. */
export function loopModels(store: Store): Promise<LoopModels> {
  let p = ready.get(store.conn);
  if (!p) {
    p = (async () => {
      const models = register(store.conn);
      for (const model of Object.values(models)) {
        await model.createCollection().catch(() => undefined); // exists already
        await model.createIndexes();
      }
      return models;
    })();
    ready.set(store.conn, p);
    p.catch(() => ready.delete(store.conn)); // a failed start is tried again on the next use
  }
  return p;
}
