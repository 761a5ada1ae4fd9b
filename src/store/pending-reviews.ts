// What waits for 销号 review: the (task, department) parts whose latest report is 完成 with no decision after it.
// Read by the daily 待审核 notice and by the admins' 待审核 command.
import { Types } from 'mongoose';
import { formatLocal, weekBounds } from '../domain/period.ts';
import { cellKey } from '../domain/review.ts';
import type { Store } from './database.ts';
import type { PlanDoc } from './models.ts';
import { evidenceByCell } from './loop-ledger.ts';
import { loadSnapshot } from './snapshot-queries.ts';

export interface PendingItem {
  code: string;
  title: string;
  department: string;
  doneAt: string;
  note: string;
  /** 佐证材料 of the unit for this task: distinct files, from chat photos and web uploads. */
  evidence: number;
}

export async function pendingReviews(store: Store, plans: PlanDoc[], asOf: Date): Promise<Array<PendingItem & { at: Date }>> {
  const several = plans.length > 1;
  const out: Array<PendingItem & { at: Date }> = [];
  for (const plan of plans) {
    const pending = (await loadSnapshot(store, plan, weekBounds(asOf), asOf)).filter((c) => c.review === 'pending' && c.latest);
    const evidence = await evidenceByCell(store, [...new Set(pending.map((c) => c.task.id))].map((id) => new Types.ObjectId(id)));
    for (const c of pending) {
      out.push({
        code: several ? `${plan.name}${c.task.code}` : c.task.code, title: c.task.title, department: c.department,
        at: c.latest!.at, doneAt: formatLocal(c.latest!.at, 'M月D日 HH:mm'), note: c.latest!.note, evidence: evidence.get(cellKey(c.task.id, c.department)) ?? 0,
      });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

