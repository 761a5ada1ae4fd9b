// The weekly reminder: one message per member listing what their departments still owe this week.
import { render } from '../bot/render.ts';
import { weekBounds, weekKey } from '../domain/period.ts';
import { describeProgress } from '../domain/progress.ts';
import { LIGHT_ICON } from '../domain/status-light.ts';
import { splitNumbered } from '../domain/text.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc } from '../store/models.ts';
import { loadSnapshot } from '../store/snapshot-queries.ts';
import type { Cell } from '../domain/snapshot.ts';
import { APP_TEXT_MAX_BYTES } from '../wecom/api-client.ts';

export interface Reminder {
  userid: string;
  tasks: string[];
  messages: string[];
}

/**
 * Everyone who owes something this week, over every active plan (archived plans remind nobody), still one
 * message per member; leaders are never reminded, nor is anyone who owes nothing.
 */
export async function buildReminders(store: Store, plans: PlanDoc[], now: Date): Promise<Reminder[]> {
  const members = await store.models.Member.find({ active: true, departments: { $ne: [] } }).sort({ userid: 1 }).lean();
  const liaisons = members.filter((m) => !m.roles.includes('leader') && m.departments.length > 0);
  if (liaisons.length === 0) return [];
  const departments = [...new Set(liaisons.flatMap((m) => m.departments))];
  const owing: Array<{ plan: PlanDoc; cells: Cell[] }> = [];
  for (const plan of plans) {
    owing.push({ plan, cells: (await loadSnapshot(store, plan, weekBounds(now), now, { departments })).filter((c) => c.owes) });
  }
  const several = plans.length > 1;
  const week = weekKey(now);
  const out: Reminder[] = [];
  for (const m of liaisons) {
    const groups = owing.flatMap(({ plan, cells }) =>
      m.departments.map((d) => ({
        department: d,
        heading: [several ? `【${plan.name}】` : '', m.departments.length > 1 ? d : ''].join('') || null,
        rows: cells.filter((c) => c.department === d).map((c) => ({
          code: several ? `${plan.name}${c.task.code}` : c.task.code,
          title: c.task.title, icon: LIGHT_ICON[c.light], last: c.latest ? describeProgress(c.latest) : '尚未汇报',
        })),
      })),
    ).filter((g) => g.rows.length > 0);
    if (groups.length === 0) continue;
    const tasks = [...new Set(groups.flatMap((g) => g.rows.map((r) => r.code)))];
    const text = render('reminder', { week, name: m.name, groups, total: groups.reduce((n, g) => n + g.rows.length, 0), example: tasks[0] });
    out.push({ userid: m.userid, tasks, messages: splitNumbered(text, APP_TEXT_MAX_BYTES) });
  }
  return out;
}
