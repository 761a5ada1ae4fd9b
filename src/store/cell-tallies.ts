// Per-cell tallies the read model shows beside each (task, unit): 佐证 files and 催办 records. One read of each
// small collection per plan (or task), joined in TypeScript.
import type { Types } from 'mongoose';
import { cellKey, type LastChase } from '../domain/standing.ts';
import type { Store } from './database.ts';
import type { EvidenceDoc } from './evidence-models.ts';
import { loopModels, type ChaseDoc } from './loop-models.ts';

/** Distinct 佐证 files per `taskId|department` of these tasks (through the evidence's taskId index). */
export async function evidenceByCell(store: Store, of: Types.ObjectId[] | { planId: Types.ObjectId }): Promise<Map<string, number>> {
  // A whole plan by its id: one equality per record, where thousands of task ids would be a $in tested on each.
  if (Array.isArray(of) && of.length === 0) return new Map();
  const filter = !Array.isArray(of) ? { planId: of.planId } : of.length === 1 ? { taskId: of[0] } : { taskId: { $in: of } };
  const rows = await store.models.Evidence.find(filter, { taskId: 1, department: 1, sha256: 1 }).lean<EvidenceDoc[]>();
  const files = new Map<string, Set<string>>();
  for (const r of rows) {
    const key = cellKey(String(r.taskId), r.department);
    files.set(key, (files.get(key) ?? new Set()).add(r.sha256));
  }
  return new Map([...files].map(([k, s]) => [k, s.size]));
}

/** 催办 count and the latest one per `taskId|department`, of a plan or of one task. */
export async function chasesByCell(store: Store, of: { planId: Types.ObjectId } | { taskId: Types.ObjectId }): Promise<Map<string, { count: number; last: LastChase | null }>> {
  const { Chase } = await loopModels(store);
  const out = new Map<string, { count: number; last: LastChase | null }>();
  for (const ch of await Chase.find(of).lean<ChaseDoc[]>()) {
    const key = cellKey(String(ch.taskId), ch.department);
    const c = out.get(key) ?? { count: 0, last: null };
    c.count++;
    if (!c.last || ch.at > c.last.at) c.last = { at: ch.at, actor: ch.actor, note: ch.note, kind: ch.kind };
    out.set(key, c);
  }
  return out;
}
