// 到期提醒: on a working day, every unit whose task falls due in three working days or today and that has not
// finished (待审核 and 已销号 are finished; a 退回 is not) — one message per liaison, whatever the number of tasks.
import { render } from '../bot/render.ts';
import { deadlineWarningOn, type DeadlineWarning } from '../domain/deadline.ts';
import { shanghaiDate, weekBounds } from '../domain/period.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc } from '../store/models.ts';
import { loadStandings, stageOnly } from '../standing/index.ts';
import { isFinishedStage } from '../domain/lifecycle.ts';
import { liaisonsByDepartment } from './loop-recipients.ts';
import type { LoopMessage } from './loop-types.ts';
import type { CardItem } from '../store/cards.ts';

interface Row {
  warning: DeadlineWarning;
  planId: string;
  taskCode: string;
  stage: string;
  sinceMs: number | null;
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
    const cells = await loadStandings(store, plan, weekBounds(now), now);
    for (const c of cells) {
      if (!c.deadline) continue;
      const warning = deadlineWarningOn(today, c.deadline);
      if (!warning || isFinishedStage(c.stage)) continue;
      rows.push({
        warning, planId: String(plan._id), taskCode: c.task.code, stage: c.stage, sinceMs: c.since?.getTime() ?? null, code: several ? `${plan.name}${c.task.code}` : c.task.code, title: c.task.title, deadline: c.deadline,
        department: c.department, last: stageOnly(c),
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
    const several = m.departments.length > 1;
    const items: CardItem[] = [...view.today, ...view.soon].map((r) => ({
      planId: r.planId, code: r.taskCode, label: r.code, title: r.title, department: r.department, stage: r.stage, sinceMs: r.sinceMs,
      showDepartment: several, detail: `${r.warning === 'today' ? '今天到期' : `${r.deadline} 到期`}，${r.last}`,
    }));
    out.push({
      userid: m.userid, text: render('deadline-warning', view),
      cards: { kind: 'report', source: 'deadline-warning', heading: '到期提醒', userid: m.userid, items, link: null },
    });
  }
  return out;
}
