// The loop's figures per (task, department) of a plan, for pages and the 台账 (ledger) to show beside progress:
// 销号 state, 佐证 count, 催办 count and last 催办, 超期. One read of each small collection, joined in TypeScript.
import type { Types } from 'mongoose';
import { shanghaiDate } from '../domain/period.ts';
import { cellKey, reviewStateOf, type ReviewState } from '../domain/review.ts';
import type { Store } from './database.ts';
import type { EvidenceDoc } from './evidence-models.ts';
import { loopModels, type ChaseDoc } from './loop-models.ts';
import type { ProgressDoc, TaskDoc } from './models.ts';
import { decodeEntries } from './progress-cache.ts';
import { decisionsOfPlan } from './reviews.ts';

export interface LoopCell {
  review: ReviewState;
  /** 佐证材料 attached: distinct files (the same photo sent twice counts once). */
  evidence: number;
  chases: number;
  lastChase: { at: Date; actor: string; note: string; kind: ChaseDoc['kind'] } | null;
  overdue: boolean;
}

/** Distinct 佐证 files per `taskId|department` of these tasks (through the evidence's taskId index). */
export async function evidenceByCell(store: Store, taskIds: Types.ObjectId[]): Promise<Map<string, number>> {
  if (taskIds.length === 0) return new Map();
  const rows = await store.models.Evidence.find({ taskId: { $in: taskIds } }, { taskId: 1, department: 1, sha256: 1 }).lean<EvidenceDoc[]>();
  const files = new Map<string, Set<string>>();
  for (const r of rows) {
    const key = cellKey(String(r.taskId), r.department);
    files.set(key, (files.get(key) ?? new Set()).add(r.sha256));
  }
  return new Map([...files].map(([k, s]) => [k, s.size]));
}

/** Keyed by `taskId|department`, for the cells that have a report, a decision, a 佐证 or a 催办 (others are open, 0, 0). */
export async function loopLedger(store: Store, planId: Types.ObjectId, tasks: Array<Pick<TaskDoc, '_id' | 'deadline'>>, now: Date): Promise<Map<string, LoopCell>> {
  const { Chase } = await loopModels(store);
  const decisions = await decisionsOfPlan(store, planId);
  const chases = await Chase.find({ planId }).lean<ChaseDoc[]>();
  const evidence = await evidenceByCell(store, tasks.map((t) => t._id));
  const progress = await store.models.Progress.find({ planId }, { taskId: 1, department: 1, entries: 1 }).lean<ProgressDoc[]>();
  const deadline = new Map(tasks.map((t) => [String(t._id), t.deadline]));
  const today = shanghaiDate(now);
  const out = new Map<string, LoopCell>();
  const cell = (key: string): LoopCell => {
    let c = out.get(key);
    if (!c) {
      const d = deadline.get(key.slice(0, key.indexOf('|')));
      c = { review: 'open', evidence: 0, chases: 0, lastChase: null, overdue: !!d && today > d };
      out.set(key, c);
    }
    return c;
  };
  for (const p of progress) {
    const key = cellKey(String(p.taskId), p.department);
    const latest = decodeEntries(p.entries)[0] ?? null;
    const c = cell(key);
    c.review = reviewStateOf(latest ? { at: new Date(latest.at), status: latest.status } : null, decisions.get(key) ?? [], now).state;
    if (c.review === 'pending' || c.review === 'closed') c.overdue = false;
  }
  for (const [key, files] of evidence) cell(key).evidence = files;
  for (const ch of chases) {
    const c = cell(cellKey(String(ch.taskId), ch.department));
    c.chases++;
    if (!c.lastChase || ch.at > c.lastChase.at) c.lastChase = { at: ch.at, actor: ch.actor, note: ch.note, kind: ch.kind };
  }
  return out;
}
