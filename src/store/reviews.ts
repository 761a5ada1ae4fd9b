// 销号 decisions (审核通过, 退回, 重新打开): appended, never rewritten. The lifecycle (domain/lifecycle.ts) derives the
// state from them and the reports.
import { Types } from 'mongoose';
import { cellKey, type ReviewDecision } from '../domain/standing.ts';
import type { Store } from './database.ts';
import { noteStandingChange } from './progress-cache.ts';
import { isDuplicateKeyError, type TaskDoc } from './models.ts';
import { loopModels, type ReviewDoc } from './loop-models.ts';
import { readOwnWrites } from './read-cache.ts';

export interface NewDecision {
  task: Pick<TaskDoc, '_id' | 'code' | 'planId'>;
  department: string;
  decision: ReviewDoc['decision'];
  reason: string;
  actor: string;
  at: Date;
  /** The message that asked for it: a redelivery records the decision once. */
  sourceMsgId: string | null;
}

function decisionKey(sourceMsgId: string, taskId: Types.ObjectId, department: string): string {
  return `msg:${sourceMsgId}|${String(taskId)}|${department}`;
}

/** The decision a message already made, if it got that far before (a redelivery after a crash). */
export async function decisionOfMessage(store: Store, sourceMsgId: string | null, taskId: Types.ObjectId, department: string): Promise<ReviewDoc | null> {
  if (!sourceMsgId) return null;
  const { Review } = await loopModels(store);
  return Review.findOne({ _id: decisionKey(sourceMsgId, taskId, department) }).lean<ReviewDoc>();
}

export async function appendDecision(store: Store, d: NewDecision): Promise<{ decision: ReviewDoc; created: boolean }> {
  const { Review } = await loopModels(store);
  const key = d.sourceMsgId ? decisionKey(d.sourceMsgId, d.task._id, d.department) : `local:${new Types.ObjectId().toHexString()}`;
  const doc: ReviewDoc = {
    _id: key, key, planId: d.task.planId, taskId: d.task._id, taskCode: d.task.code, department: d.department,
    decision: d.decision, reason: d.reason, actor: d.actor, at: d.at,
  };
  try {
    await Review.collection.insertOne(doc as never);
    noteStandingChange(store);
    return { decision: doc, created: true };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await Review.findOne({ _id: key }).lean<ReviewDoc>();
    if (!existing) throw err;
    return { decision: existing, created: false };
  }
}

function toDecision(r: ReviewDoc): ReviewDecision {
  return { at: r.at, decision: r.decision, reason: r.reason ?? '', actor: r.actor };
}

/** Every decision of a plan, by cell (a small collection: one per decision an admin typed). */
export async function decisionsOfPlan(store: Store, planId: Types.ObjectId): Promise<Map<string, ReviewDecision[]>> {
  const { Review } = await loopModels(store);
  const out = new Map<string, ReviewDecision[]>();
  for (const r of await Review.find({ planId }).lean<ReviewDoc[]>()) {
    const k = cellKey(String(r.taskId), r.department);
    const list = out.get(k);
    if (list) list.push(toDecision(r));
    else out.set(k, [toDecision(r)]);
  }
  return out;
}

/** A task's decisions, newest first, with their departments. */
export async function decisionsOfTask(store: Store, taskId: Types.ObjectId): Promise<Array<ReviewDecision & { department: string }>> {
  const { Review } = await loopModels(store);
  // Read on every report (the lifecycle's guard); appendDecision clears it through noteStandingChange.
  const rows = await readOwnWrites(store, `decisions:${String(taskId)}`, () => Review.find({ taskId }).lean<ReviewDoc[]>());
  return rows.map((r) => ({ ...toDecision(r), department: r.department })).sort((a, b) => b.at.getTime() - a.at.getTime());
}
