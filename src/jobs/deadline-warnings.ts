// 到期提醒: on a working day, every unit whose task falls due in three working days or today and that has not
// finished (待审核 and 已销号 are finished; a 退回 is not) — one message per liaison, whatever the number of tasks.
import { render } from '../bot/render.ts';
import { deadlineWarningOn, type DeadlineWarning } from '../domain/deadline.ts';
import { shanghaiDate, weekBounds } from '../domain/period.ts';
import { describeProgress } from '../domain/progress.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc } from '../store/models.ts';
import { loadSnapshot } from '../store/snapshot-queries.ts';
import { liaisonsByDepartment } from './loop-recipients.ts';
import type { LoopMessage } from './loop-types.ts';

interface Row {
  warning: DeadlineWarning;
  code: string;
  title: string;
  deadline: string;
  department: string;
  last: string;
}

export async function buildDeadlineWarnings(store: Store, plans: PlanDoc[], now: Date): Promise<LoopMessage[]> {
  const today = shanghaiDate(now);
  const several = plans.length > 1;
  const rows: Row[] = [];
  for (const plan of plans) {
    const cells = await loadSnapshot(store, plan, weekBounds(now), now);
    for (const c of cells) {
      if (!c.task.deadline) continue;
      const warning = deadlineWarningOn(today, c.task.deadline);
      if (!warning) continue;
      const finished = c.latest?.status === 'done' && c.review !== 'returned';
      if (finished) continue;
      rows.push({
        warning, code: several ? `${plan.name}${c.task.code}` : c.task.code, title: c.task.title, deadline: c.task.deadline,
        department: c.department, last: c.review === 'returned' ? '已退回' : c.latest ? describeProgress(c.latest) : '尚未汇报',
      });
    }
  }
  if (rows.length === 0) return [];
  const liaisons = await liaisonsByDepartment(store);
  const out: LoopMessage[] = [];
  for (const m of liaisons.members) {
    const mine = rows.filter((r) => m.departments.includes(r.department));
    if (mine.length === 0) continue;
    const view = {
      name: m.name,
      today: mine.filter((r) => r.warning === 'today'),
      soon: mine.filter((r) => r.warning === 'soon'),
      showDepartment: m.departments.length > 1,
      example: mine[0]!.code,
    };
    out.push({ userid: m.userid, text: render('deadline-warning', view) });
  }
  return out;
}
