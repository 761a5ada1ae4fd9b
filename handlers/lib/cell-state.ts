// Where each department of one task stands, with its 销号 review: the latest cached report and the decisions.
import type { TaskDoc } from '../../src/store/models.ts';
import type { ReportStatus } from '../../src/domain/vocabulary.ts';
import { progressId, progressOf } from '../../src/store/progress-cache.ts';
import { decisionsOfTask } from '../../src/store/reviews.ts';
import { reviewStateOf, type ReviewDecision, type ReviewOutcome } from '../../src/domain/review.ts';
import type { Store } from '../../src/store/database.ts';

export interface CellState {
  department: string;
  latest: { at: Date; status: ReportStatus; percent: number | null; note: string } | null;
  review: ReviewOutcome;
  decisions: ReviewDecision[];
}

export async function cellStates(store: Store, task: Pick<TaskDoc, '_id'>, departments: string[]): Promise<Map<string, CellState>> {
  const progress = await progressOf(store, departments.map((d) => ({ taskId: task._id, department: d })));
  const decisions = await decisionsOfTask(store, task._id);
  const out = new Map<string, CellState>();
  for (const department of departments) {
    const e = progress.get(progressId(task._id, department))?.[0] ?? null;
    const latest = e ? { at: new Date(e.at), status: e.status, percent: e.percent, note: e.note } : null;
    const mine = decisions.filter((d) => d.department === department);
    out.set(department, { department, latest, review: reviewStateOf(latest, mine), decisions: mine });
  }
  return out;
}

/** Finished from the department's side: 待审核 or 已销号 (a 退回 is open again). */
export function isFinished(s: CellState): boolean {
  return s.review.state === 'pending' || s.review.state === 'closed';
}
