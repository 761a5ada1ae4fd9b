// What 任务 and 我的任务 add for the 督办 loop: each department's 销号 state and 超期, the review decisions and the
// 催办 records of a task. Kept apart from those handlers so each only asks for it.
import { formatLocal, shanghaiDate } from '../../src/domain/period.ts';
import { daysPast, reviewStateOf, type ReviewDecision } from '../../src/domain/review.ts';
import { statusLight, LIGHT_ICON } from '../../src/domain/status-light.ts';
import type { Store } from '../../src/store/database.ts';
import type { PlanDoc, TaskDoc } from '../../src/store/models.ts';
import type { ReportStatus } from '../../src/domain/vocabulary.ts';
import { chasesOfTask } from '../../src/store/chases.ts';
import { decisionsOfTask } from '../../src/store/reviews.ts';

export interface CellLine {
  /** Replaces the plain progress text when review or the deadline says more; null keeps it. */
  state: string | null;
  /** Replaces the light's icon (a 退回 is no longer ✅); null keeps it. */
  icon: string | null;
  /** Appended to the plain progress text: "，⏰超期 3 天" for an unfinished part past its deadline. */
  suffix: string;
}

type Latest = { at: Date; status: ReportStatus; percent: number | null } | null;

/** A department's line for a task: 待审核 / 已销号 / 退回 with its reason, and 超期 when unfinished and late. */
export function describeCell(plan: Pick<PlanDoc, 'date'>, task: Pick<TaskDoc, 'deadline' | 'createdAt'>, latest: Latest, decisions: readonly ReviewDecision[], now: Date): CellLine {
  const review = reviewStateOf(latest, decisions);
  const today = shanghaiDate(now);
  const late = task.deadline && today > task.deadline ? `，⏰超期 ${daysPast(today, task.deadline)} 天` : '';
  switch (review.state) {
    case 'pending':
      return { state: `已完成，待审核（${formatLocal(latest!.at, 'M月D日')}）`, icon: null, suffix: '' };
    case 'closed':
      return { state: `已销号（${formatLocal(review.decision!.at, 'M月D日')}）`, icon: null, suffix: '' };
    case 'returned': {
      const light = statusLight({ now, since: task.createdAt ?? now, latest: { at: review.decision!.at, status: 'in_progress', percent: null }, deadline: task.deadline, planStart: plan.date });
      return { state: `退回推进中：${review.decision!.reason}（${formatLocal(review.decision!.at, 'M月D日')}）`, icon: LIGHT_ICON[light], suffix: late };
    }
    case 'open':
      return { state: null, icon: null, suffix: latest?.status === 'done' ? '' : late };
  }
}

const RECENT = 5;

export async function taskLoop(store: Store, plan: PlanDoc, task: TaskDoc, now: Date) {
  const decisions = await decisionsOfTask(store, task._id);
  const chases = await chasesOfTask(store, task._id);
  const today = shanghaiDate(now);
  const overdueDays = task.deadline && today > task.deadline ? daysPast(today, task.deadline) : 0;
  return {
    department: (name: string, latest: Latest) => describeCell(plan, task, latest, decisions.filter((d) => d.department === name), now),
    overdue: overdueDays > 0 ? `已超期 ${overdueDays} 天` : null,
    reviews: decisions.slice(0, RECENT).map((d) => ({
      when: formatLocal(d.at, 'M月D日'), department: d.department, actor: d.actor,
      what: d.decision === 'approved' ? '审核通过，已销号' : `退回：${d.reason}`,
    })),
    chases: chases.slice(0, RECENT).map((c) => ({
      when: formatLocal(c.at, 'M月D日 HH:mm'), department: c.department, actor: c.kind === 'auto' ? '系统（连续两周红灯）' : c.actor, note: c.note,
    })),
    chaseCount: chases.length,
  };
}
