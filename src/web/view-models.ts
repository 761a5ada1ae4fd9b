// View models of the pages, from the read model (src/standing): no page reads reports or decides a state.
// Row selection and filters are shared with the 台账 (src/ledger/rows.ts).
import { compareCodes } from '../domain/digest.ts';
import { formatLocal, weekLabel } from '../domain/period.ts';
import { describeProgress } from '../domain/progress.ts';
import { isExpected } from '../domain/standing.ts';
import type { Light } from '../domain/status-light.ts';
import type { PlanStanding as PlanState } from '../standing/index.ts';
import { stageText } from '../standing/index.ts';
import { canSeeAllDepartments, canSeeDepartment, type User } from '../access.ts';
import { LIGHT_ORDER, LIGHT_RANK, LIGHT_TEXT, planId, planLabel, type TaskFilters, type TaskRow, type TaskStatus } from '../ledger/rows.ts';

export {
  isOverdue, LIGHT_ORDER, LIGHT_TEXT, percentOf, planId, planLabel, readTaskFilters, TASK_STATUS_TEXT, taskCells, taskRows, taskStatus, worstLight,
  type TaskFilters, type TaskRow, type TaskStatus,
} from '../ledger/rows.ts';

// ---------- 总览 ----------

export interface OverviewSection {
  id: string;
  label: string;
  title: string;
  week: string;
  /** The week as people read it: "7月26日—8月1日". */
  weekText: string;
  rate: number;
  expected: number;
  reported: number;
  lights: Array<{ light: Light; text: string; count: number }>;
  taskCount: number;
  trend: Array<{ week: string; label: string; rate: number }>;
  lastWeek: { week: string; rate: number } | null;
  departments: Array<{ name: string; rate: number; expected: number; reported: number; red: number; link: boolean }>;
  attention: Array<{ code: string; title: string; light: Light; departments: string[] }>;
  moreAttention: number;
  mine: string[] | null;
  /** 销号 counts of the (task, unit) records, and tasks with a unit 超期: the read model's figures. */
  review: { pending: number; closed: number; returned: number };
  overdue: number;
}

const ATTENTION_SHOWN = 15;

export function overviewSection(state: PlanState, viewer: User): OverviewSection {
  const d = state.digest;
  const redByDept = new Map<string, number>();
  for (const c of state.records) if (c.light === 'red') redByDept.set(c.department, (redByDept.get(c.department) ?? 0) + 1);
  // A liaison sees the town's rates, but of the tasks only their own departments'.
  const attention = d.attention
    .map((a) => ({ ...a, departments: a.departments.filter((dep) => canSeeDepartment(viewer, dep)) }))
    .filter((a) => a.departments.length > 0);
  return {
    id: planId(state.plan), label: planLabel(state.plan), title: state.plan.title, week: state.week, weekText: weekLabel(state.week),
    rate: d.rate, expected: d.expected, reported: d.reported,
    lights: LIGHT_ORDER.map((light) => ({ light, text: LIGHT_TEXT[light], count: d.lights[light] })),
    taskCount: d.taskCount,
    trend: state.trend.map((t) => ({ week: t.week, label: weekLabel(t.week), rate: t.rate })),
    lastWeek: state.trend.length > 1 ? { week: weekLabel(state.trend[state.trend.length - 2]!.week), rate: state.trend[state.trend.length - 2]!.rate } : null,
    departments: d.departments.map((x) => ({ ...x, red: redByDept.get(x.name) ?? 0, link: canSeeDepartment(viewer, x.name) })),
    attention: attention.slice(0, ATTENTION_SHOWN).map((a) => ({ code: a.code, title: a.title, light: a.light, departments: a.departments })),
    moreAttention: Math.max(0, attention.length - ATTENTION_SHOWN),
    mine: canSeeAllDepartments(viewer) ? null : viewer.departments,
    review: d.review, overdue: d.overdue.length,
  };
}

// ---------- 任务列表 ----------

// ---------- 任务列表 ----------

export function filterQuery(f: TaskFilters, extra: Partial<Record<keyof TaskFilters, string | number | boolean>> = {}): string {
  const p = new URLSearchParams();
  const all = { ...f, ...extra } as Record<string, unknown>;
  for (const k of ['plan', 'dept', 'light', 'status', 'q'] as const) if (all[k]) p.set(k, String(all[k]));
  if (all.overdue) p.set('overdue', '1');
  if (Number(all.page) > 1) p.set('page', String(all.page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The display fields of the rows on one page. */
export function presentRows(rows: TaskRow[]): Array<TaskRow & { lastAt: string | null; lastNote: string }> {
  return rows.map((r) => ({ ...r, lastAt: r.last ? formatLocal(r.last.at, 'M月D日') : null, lastNote: r.last ? (r.last.note || describeProgress(r.last)) : '' }));
}

// ---------- 部门 ----------

export function departmentSummary(states: PlanState[], department: string) {
  const plans = states.map((state) => {
    const cells = state.records.filter((c) => c.department === department);
    const expected = cells.filter(isExpected);
    const reported = expected.filter((c) => c.reportedInPeriod).length;
    const lights = Object.fromEntries(LIGHT_ORDER.map((l) => [l, cells.filter((c) => c.light === l).length])) as Record<Light, number>;
    const rows = cells
      .sort((a, b) => LIGHT_RANK[a.light] - LIGHT_RANK[b.light] || compareCodes(a.task.code, b.task.code))
      .map((c) => ({
        code: c.task.code, title: c.task.title, light: c.light, collective: c.task.collective,
        state: stageText(c), stage: c.stage,
        lastAt: c.latest ? formatLocal(c.latest.at, 'M月D日 HH:mm') : null,
        note: c.latest?.note ?? '', owes: c.owes,
      }));
    return {
      id: planId(state.plan), label: planLabel(state.plan), week: state.week, rows,
      rate: expected.length ? Math.round((reported / expected.length) * 100) : 100, expected: expected.length, reported,
      lights: LIGHT_ORDER.map((light) => ({ light, text: LIGHT_TEXT[light], count: lights[light] })),
    };
  });
  return { department, plans };
}
