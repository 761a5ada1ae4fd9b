// 延期 requests and decisions (extension-models.ts): appended, never rewritten. The read model takes the approved
// ones as the lifecycle's `extend` events (domain/lifecycle.ts); nothing here edits a task's deadline.
import type { Types } from 'mongoose';
import type { ExtensionEvent } from '../domain/lifecycle.ts';
import { cellKey } from '../domain/standing.ts';
import type { Store } from './database.ts';
import type { ExtensionDecisionDoc, ExtensionRequestDoc, ExtensionVerdict } from './extension-models.ts';
import { isDuplicateKeyError, type TaskDoc } from './models.ts';
import { noteStandingChange } from './progress-cache.ts';
import { readOwnWrites } from './read-cache.ts';

export type { ExtensionDecisionDoc, ExtensionRequestDoc, ExtensionVerdict } from './extension-models.ts';

/** A request with its decision, if it has one yet. */
export interface ExtensionRecord {
  request: ExtensionRequestDoc;
  decision: ExtensionDecisionDoc | null;
}

export interface NewExtensionRequest {
  task: Pick<TaskDoc, '_id' | 'code' | 'planId'>;
  department: string;
  fromDeadline: string | null;
  deadline: string;
  reason: string;
  userid: string;
  at: Date;
  sourceMsgId: string | null;
}

function join(requests: ExtensionRequestDoc[], decisions: ExtensionDecisionDoc[]): ExtensionRecord[] {
  const byId = new Map(decisions.map((d) => [d._id, d]));
  return requests.map((request) => ({ request, decision: byId.get(request._id) ?? null }))
    .sort((a, b) => a.request.at.getTime() - b.request.at.getTime());
}

/** Every request of a task, oldest first, with its decision. */
export async function extensionsOfTask(store: Store, taskId: Types.ObjectId): Promise<ExtensionRecord[]> {
  const { ExtensionRequest, ExtensionDecision } = store.models;
  const [requests, decisions] = await Promise.all([
    ExtensionRequest.find({ taskId }).lean<ExtensionRequestDoc[]>(),
    ExtensionDecision.find({ taskId }).lean<ExtensionDecisionDoc[]>(),
  ]);
  return join(requests, decisions);
}

/** One request with its decision (a 延期 card's tap reads it back), or null when there is no such request. */
export async function findExtension(store: Store, requestId: string): Promise<ExtensionRecord | null> {
  const { ExtensionRequest, ExtensionDecision } = store.models;
  const [request, decision] = await Promise.all([
    ExtensionRequest.findOne({ _id: requestId }).lean<ExtensionRequestDoc>(),
    ExtensionDecision.findOne({ _id: requestId }).lean<ExtensionDecisionDoc>(),
  ]);
  return request ? { request, decision: decision ?? null } : null;
}

/** Requests nobody has decided yet, oldest first (every plan, or one). */
export async function pendingExtensions(store: Store, planId?: Types.ObjectId): Promise<ExtensionRequestDoc[]> {
  const { ExtensionRequest, ExtensionDecision } = store.models;
  const filter = planId ? { planId } : {};
  const [requests, decisions] = await Promise.all([
    ExtensionRequest.find(filter).lean<ExtensionRequestDoc[]>(),
    ExtensionDecision.find(filter, { _id: 1 }).lean<Array<Pick<ExtensionDecisionDoc, '_id'>>>(),
  ]);
  const decided = new Set(decisions.map((d) => d._id));
  return requests.filter((r) => !decided.has(r._id)).sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The request a message already made (a redelivery after a crash). */
export async function extensionRequestOfMessage(store: Store, sourceMsgId: string | null, taskId: Types.ObjectId, department: string): Promise<ExtensionRequestDoc | null> {
  if (!sourceMsgId) return null;
  return store.models.ExtensionRequest.findOne({ taskId, department, sourceMsgId }).lean<ExtensionRequestDoc>();
}

/**
 * Appends a request, numbered after the cell's earlier ones: two sent at once take the same number and the second
 * is refused by the unique _id ('conflict'), so a cell never holds two pending requests.
 */
export async function appendExtensionRequest(store: Store, r: NewExtensionRequest): Promise<{ request: ExtensionRequestDoc } | 'conflict'> {
  const { ExtensionRequest } = store.models;
  const n = (await ExtensionRequest.countDocuments({ taskId: r.task._id, department: r.department })) + 1;
  const doc: ExtensionRequestDoc = {
    _id: `${String(r.task._id)}|${r.department}|${n}`, planId: r.task.planId, taskId: r.task._id, taskCode: r.task.code,
    department: r.department, fromDeadline: r.fromDeadline, deadline: r.deadline, reason: r.reason, userid: r.userid, at: r.at,
    sourceMsgId: r.sourceMsgId,
  };
  try {
    await ExtensionRequest.collection.insertOne(doc as never);
    return { request: doc };
  } catch (err) {
    if (isDuplicateKeyError(err)) return 'conflict';
    throw err;
  }
}

/** Decides a request once: the first decision stands ('decided' carries it when another came first). */
export async function appendExtensionDecision(
  store: Store, request: ExtensionRequestDoc, d: { verdict: ExtensionVerdict; reason: string; actor: string; at: Date },
): Promise<{ decision: ExtensionDecisionDoc; created: boolean }> {
  const { ExtensionDecision } = store.models;
  const doc: ExtensionDecisionDoc = { _id: request._id, planId: request.planId, taskId: request.taskId, department: request.department, ...d };
  try {
    await ExtensionDecision.collection.insertOne(doc as never);
    if (d.verdict === 'approved') noteStandingChange(store);
    return { decision: doc, created: true };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await ExtensionDecision.findOne({ _id: request._id }).lean<ExtensionDecisionDoc>();
    if (!existing) throw err;
    return { decision: existing, created: false };
  }
}

/** The lifecycle's event of an approved request. */
export function toExtensionEvent(request: ExtensionRequestDoc, decision: ExtensionDecisionDoc): ExtensionEvent {
  return { kind: 'extend', at: decision.at, deadline: request.deadline, reason: request.reason, actor: decision.actor };
}

async function approvedBy(store: Store, filter: Record<string, unknown>): Promise<Map<string, ExtensionEvent[]>> {
  const { ExtensionRequest, ExtensionDecision } = store.models;
  const decisions = await ExtensionDecision.find({ ...filter, verdict: 'approved' }).lean<ExtensionDecisionDoc[]>();
  const out = new Map<string, ExtensionEvent[]>();
  if (decisions.length === 0) return out; // the usual case: no read of the requests
  const requests = new Map((await ExtensionRequest.find({ _id: { $in: decisions.map((d) => d._id) } }).lean<ExtensionRequestDoc[]>()).map((r) => [r._id, r]));
  for (const d of decisions) {
    const r = requests.get(d._id);
    if (!r) continue;
    const key = cellKey(String(r.taskId), r.department);
    out.set(key, [...(out.get(key) ?? []), toExtensionEvent(r, d)]);
  }
  return out;
}

/** Approved 延期 of a plan, by cell: the read model's `extensions`. */
export function approvedExtensionsOfPlan(store: Store, planId: Types.ObjectId): Promise<Map<string, ExtensionEvent[]>> {
  return approvedBy(store, { planId });
}

/** Approved 延期 of one task, by cell. */
export function approvedExtensionsOfTask(store: Store, taskId: Types.ObjectId): Promise<Map<string, ExtensionEvent[]>> {
  // Read on every report (the lifecycle's guard); an approval clears it through noteStandingChange. Callers only read the map.
  return readOwnWrites(store, `extensions:${String(taskId)}`, () => approvedBy(store, { taskId }));
}
