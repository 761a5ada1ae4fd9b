// What waits for 销号 review: the records in 待审核. Read by the daily 待审核 notice and the admins' 待审核 command.
import { formatLocal, weekBounds } from '../domain/period.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc } from '../store/models.ts';
import { loadStandings } from './load.ts';

export interface PendingItem {
  code: string;
  title: string;
  department: string;
  at: Date;
  doneAt: string;
  note: string;
  /** 佐证材料 of the unit for this task: distinct files, from chat photos and web uploads. */
  evidence: number;
  /** Which plan and task, and when the stage began: a card of the item can tell later whether it changed. */
  planId: string;
  taskCode: string;
  since: Date | null;
}

export async function pendingReviews(store: Store, plans: PlanDoc[], asOf: Date): Promise<PendingItem[]> {
  const several = plans.length > 1;
  const out: PendingItem[] = [];
  for (const plan of plans) {
    for (const c of await loadStandings(store, plan, weekBounds(asOf), asOf)) {
      if (c.stage !== 'pending_review' || !c.latest) continue;
      out.push({
        code: several ? `${plan.name}${c.task.code}` : c.task.code, title: c.task.title, department: c.department,
        at: c.latest.at, doneAt: formatLocal(c.latest.at, 'M月D日 HH:mm'), note: c.latest.note, evidence: c.evidence,
        planId: String(plan._id), taskCode: c.task.code, since: c.since,
      });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}
