// The weekly reminder: one message per member listing what their departments still owe this week.
import { render } from '../bot/render.ts';
import { weekBounds, weekKey } from '../domain/period.ts';
import { splitNumbered } from '../domain/text.ts';
import type { Store } from '../store/database.ts';
import type { PlanDoc } from '../store/models.ts';
import { activeBoundMembers } from '../store/members-repo.ts';
import type { Standing } from '../domain/standing.ts';
import { loadStandings, stageIcon, stageText } from '../standing/index.ts';
import { APP_TEXT_MAX_BYTES } from '../wecom/api-client.ts';
import { taskListUrl } from '../web/links.ts';
import type { CardItem } from '../store/cards.ts';

export interface Reminder {
  userid: string;
  tasks: string[];
  messages: string[];
  /** The owed items as cards offer them (WECOM_CARDS), with the page link. */
  items: CardItem[];
  link: string | null;
}

/**
 * Everyone who owes something this week, over every active plan (archived plans remind nobody), still one
 * message per member; leaders are never reminded, nor is anyone who owes nothing.
 */
export async function buildReminders(store: Store, plans: PlanDoc[], now: Date, opts: { webBaseUrl?: string } = {}): Promise<Reminder[]> {
  const members = await activeBoundMembers(store);
  const liaisons = members.filter((m) => !m.roles.includes('leader') && m.departments.length > 0);
  if (liaisons.length === 0) return [];
  const departments = [...new Set(liaisons.flatMap((m) => m.departments))];
  const owing: Array<{ plan: PlanDoc; cells: Standing[] }> = [];
  for (const plan of plans) {
    owing.push({ plan, cells: (await loadStandings(store, plan, weekBounds(now), now, { departments })).filter((c) => c.owes) });
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
          title: c.task.title, icon: stageIcon(c), last: stageText(c),
        })),
      })),
    ).filter((g) => g.rows.length > 0);
    if (groups.length === 0) continue;
    const tasks = [...new Set(groups.flatMap((g) => g.rows.map((r) => r.code)))];
    // The task list page, filtered to the department when there is one (the page limits a liaison to theirs anyway).
    const link = opts.webBaseUrl ? taskListUrl(opts.webBaseUrl, groups.length === 1 ? { dept: groups[0]!.department } : {}) : null;
    const text = render('reminder', { week, name: m.name, groups, total: groups.reduce((n, g) => n + g.rows.length, 0), example: tasks[0], link });
    const items: CardItem[] = owing.flatMap(({ plan, cells }) => cells.filter((c) => m.departments.includes(c.department)).map((c) => ({
      planId: String(plan._id), code: c.task.code, label: several ? `${plan.name}${c.task.code}` : c.task.code, title: c.task.title,
      department: c.department, stage: c.stage, sinceMs: c.since?.getTime() ?? null, showDepartment: m.departments.length > 1, detail: stageText(c),
    })));
    out.push({ userid: m.userid, tasks, messages: splitNumbered(text, APP_TEXT_MAX_BYTES), items, link });
  }
  return out;
}
