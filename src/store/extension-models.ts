// 延期 requests and their decisions: two append-only collections. A request is pending while it has no decision;
// a decision's _id is its request's, so two approvers deciding at once leave exactly one decision (the unique index).
import { Schema, type Connection, type Types } from 'mongoose';

/** A liaison's 延期 request for one (task, unit). */
export interface ExtensionRequestDoc {
  _id: string; // `${taskId}|${department}|${n}`: the n-th request of the cell; two at once collide on it
  planId: Types.ObjectId;
  taskId: Types.ObjectId;
  taskCode: string;
  department: string;
  /** The unit's deadline when asked (the task's, or an earlier 延期's), and the one asked for ("YYYY-MM-DD"). */
  fromDeadline: string | null;
  deadline: string;
  reason: string;
  userid: string;
  at: Date;
  /** The message that asked: a redelivery finds its request instead of asking twice. */
  sourceMsgId: string | null;
}

export type ExtensionVerdict = 'approved' | 'refused';

/** The decision on one request. */
export interface ExtensionDecisionDoc {
  _id: string; // = the request's _id
  planId: Types.ObjectId;
  taskId: Types.ObjectId;
  department: string;
  verdict: ExtensionVerdict;
  reason: string;
  actor: string;
  at: Date;
}

const requestSchema = new Schema<ExtensionRequestDoc>(
  {
    _id: { type: String, required: true },
    planId: { type: Schema.Types.ObjectId, required: true },
    taskId: { type: Schema.Types.ObjectId, required: true },
    taskCode: { type: String, required: true },
    department: { type: String, required: true },
    fromDeadline: { type: String, default: null },
    deadline: { type: String, required: true },
    reason: { type: String, required: true },
    userid: { type: String, required: true },
    at: { type: Date, required: true },
    sourceMsgId: { type: String, default: null },
  },
  { collection: 'extension_requests', versionKey: false },
);
requestSchema.index({ planId: 1 });
requestSchema.index({ taskId: 1 });

const decisionSchema = new Schema<ExtensionDecisionDoc>(
  {
    _id: { type: String, required: true },
    planId: { type: Schema.Types.ObjectId, required: true },
    taskId: { type: Schema.Types.ObjectId, required: true },
    department: { type: String, required: true },
    verdict: { type: String, enum: ['approved', 'refused'], required: true },
    reason: { type: String, default: '' },
    actor: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'extension_decisions', versionKey: false },
);
decisionSchema.index({ planId: 1 });
decisionSchema.index({ taskId: 1 });

export function createExtensionModels(conn: Connection) {
  return {
    ExtensionRequest: conn.model<ExtensionRequestDoc>('ExtensionRequest', requestSchema),
    ExtensionDecision: conn.model<ExtensionDecisionDoc>('ExtensionDecision', decisionSchema),
  };
}
