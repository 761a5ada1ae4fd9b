// View models of the pages, from the read model (src/standing): no page reads reports or decides a state.
import { compareCodes } from '../domain/digest.ts';
import { formatLocal, shanghaiDate } from '../domain/period.ts';
import { describeProgress } from '../domain/progress.ts';
import { STAGE_LABEL } from '../domain/lifecycle.ts';
import { isExpected, percentOf, taskStageOf, type Standing as Cell, type TaskStage } from '../domain/standing.ts';
import type { Light } from '../domain/status-light.ts';
import type { PlanDoc, TaskDoc } from '../store/models.ts';
import type { ReportStatus } from '../domain/vocabulary.ts';
import type { PlanStanding as PlanState } from '../standing/index.ts';
import { stageOnly, stageText } from '../standing/index.ts';
import { canSeeAllDepartments, canSeeDepartment, type User } from '../access.ts';

export const LIGHT_TEXT: Record<Light, string> = { red: '红灯', yellow: '黄灯', green: '绿灯', done: '已完成' };
export const LIGHT_ORDER: Light[] = ['red', 'yellow', 'green', 'done'];
const LIGHT_RANK: Record<Light, number> = { red: 0, yellow: 1, green: 2, done: 3 };
export type TaskStatus = TaskStage;
export const TASK_STATUS_TEXT: Record<TaskStatus, string> = { ...STAGE_LABEL, none: '未汇报' };
export { percentOf };

/** The plan's 简称: what chat commands qualify codes with. */
export function planLabel(plan: PlanDoc): string {
  return plan.name ?? plan.title;
}
export function planId(plan: PlanDoc): string {
  return String(plan._id);
}

const cellsByTask = new WeakMap<PlanState, Map<string, Cell[]>>();
export function taskCells(state: PlanState): Map<string, Cell[]> {
  let m = cellsByTask.get(state);
  if (!m) {
    m = new Map();
    for (const c of state.records) {
      const list = m.get(c.task.id);
      if (list) list.push(c);
      else m.set(c.task.id, [c]);
    }
    cellsByTask.set(state, m);
  }
  return m;
}

export function worstLight(cells: Cell[]): Light {
  return cells.reduce((w, c) => (LIGHT_RANK[c.light] < LIGHT_RANK[w] ? c.light : w), 'done' as Light);
}

/** One word for where a task stands across its departments (the read model's, see taskStageOf). */
export const taskStatus = taskStageOf;

/** 超期 when any of these units is (the read model's flag). */
export function isOverdue(cells: Cell[]): boolean {
  return cells.some((c) => c.overdue);
}

// ---------- 总览 ----------

export interface OverviewSection {
  id: string;
  label: string;
  title: string;
  week: string;
  rate: number;
  expected: number;
  reported: number;
  lights: Array<{ light: Light; text: string; count: number }>;
  taskCount: number;
  trend: Array<{ week: string; rate: number }>;
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
    id: planId(state.plan), label: planLabel(state.plan), title: state.plan.title, week: state.week,
    rate: d.rate, expected: d.expected, reported: d.reported,
    lights: LIGHT_ORDER.map((light) => ({ light, text: LIGHT_TEXT[light], count: d.lights[light] })),
    taskCount: d.taskCount,
    trend: state.trend.map((t) => ({ week: t.week, rate: t.rate })),
    lastWeek: state.trend.length > 1 ? { week: state.trend[state.trend.length - 2]!.week, rate: state.trend[state.trend.length - 2]!.rate } : null,
    departments: d.departments.map((x) => ({ ...x, red: redByDept.get(x.name) ?? 0, link: canSeeDepartment(viewer, x.name) })),
    attention: attention.slice(0, ATTENTION_SHOWN).map((a) => ({ code: a.code, title: a.title, light: a.light, departments: a.departments })),
    moreAttention: Math.max(0, attention.length - ATTENTION_SHOWN),
    mine: canSeeAllDepartments(viewer) ? null : viewer.departments,
    review: d.review, overdue: d.overdue.length,
  };
}

// ---------- 任务列表 ----------

export interface TaskFilters {
  plan: string;
  dept: string;
  light: Light | '';
  status: TaskStatus | '';
  overdue: boolean;
  q: string;
  page: number;
}

export function readTaskFilters(query: Record<string, unknown>): TaskFilters {
  const text = (k: string) => (typeof query[k] === 'string' ? (query[k] as string).trim().slice(0, 100) : '');
  const light = text('light');
  const status = text('status');
  return {
    plan: text('plan'), dept: text('dept'),
    light: (LIGHT_ORDER as string[]).includes(light) ? (light as Light) : '',
    status: status in TASK_STATUS_TEXT ? (status as TaskStatus) : '',
    overdue: text('overdue') === '1',
    q: text('q'),
    page: Math.max(1, Math.min(1000, Number.parseInt(text('page'), 10) || 1)),
  };
}

export function filterQuery(f: TaskFilters, extra: Partial<Record<keyof TaskFilters, string | number | boolean>> = {}): string {
  const p = new URLSearchParams();
  const all = { ...f, ...extra } as Record<string, unknown>;
  for (const k of ['plan', 'dept', 'light', 'status', 'q'] as const) if (all[k]) p.set(k, String(all[k]));
  if (all.overdue) p.set('overdue', '1');
  if (Number(all.page) > 1) p.set('page', String(all.page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface TaskRow {
  planId: string;
  planLabel: string;
  code: string;
  title: string;
  deadline: string | null;
  overdue: boolean;
  light: Light;
  status: TaskStatus;
  statusText: string;
  collective: boolean;
  units: Array<{ name: string; light: Light }>;
  unitCount: number;
  /** Formatted only for the rows a page shows (formatting dates in Shanghai time is slow for thousands). */
  last: { at: Date; status: ReportStatus; percent: number | null; note: string } | null;
  /** The 退回 reason (or 受阻 note) of the unit that decides the row, when there is one. */
  reason: string | null;
}

/** The display fields of the rows on one page. */
export function presentRows(rows: TaskRow[]): Array<TaskRow & { lastAt: string | null; lastNote: string }> {
  return rows.map((r) => ({ ...r, lastAt: r.last ? formatLocal(r.last.at, 'M月D日') : null, lastNote: r.last ? (r.last.note || describeProgress(r.last)) : '' }));
}

/** Every task's row of a plan view as judged by one department (or all), computed once per view: pages filter these. */
const rowMemo = new WeakMap<PlanState, Map<string, Array<{ row: TaskRow; task: TaskDoc; departments: string[] }>>>();

function judgedRows(state: PlanState, dept: string, today: string) {
  let perKey = rowMemo.get(state);
  if (!perKey) rowMemo.set(state, (perKey = new Map()));
  const key = `${dept}|${today}`;
  let rows = perKey.get(key);
  if (rows) return rows;
  rows = [];
  const byTask = taskCells(state);
  for (const task of state.tasks) {
    const all = byTask.get(String(task._id)) ?? [];
    const judged = dept ? all.filter((c) => c.department === dept) : all;
    if (judged.length === 0) continue;
    const status = taskStatus(judged);
    const last = judged.reduce<Cell['latest']>((l, c) => (c.latest && (!l || c.latest.at > l.at) ? c.latest : l), null);
    const reportedUnits = task.collective ? judged.filter((c) => c.latest) : judged;
    rows.push({
      task, departments: all.map((c) => c.department),
      row: {
        planId: planId(state.plan), planLabel: planLabel(state.plan), code: task.code, title: task.title,
        deadline: task.deadlineText ?? task.deadline,
        overdue: isOverdue(judged),
        light: worstLight(judged), status, statusText: TASK_STATUS_TEXT[status], collective: task.collective,
        units: reportedUnits.slice(0, 6).map((c) => ({ name: c.department, light: c.light })),
        unitCount: judged.length, last, reason: judged.find((c) => c.stage === status)?.reason ?? null,
      },
    });
  }
  perKey.set(key, rows);
  return rows;
}

/** The rows a viewer may see, filtered: one per task (with `dept`, that department's cell decides light and status). */
export function taskRows(states: PlanState[], viewer: User, f: TaskFilters, now: Date): TaskRow[] {
  const rows: TaskRow[] = [];
  const q = f.q.toLowerCase();
  const today = shanghaiDate(now);
  if (f.dept && !canSeeDepartment(viewer, f.dept)) return rows;
  for (const state of states) {
    if (f.plan && f.plan !== planId(state.plan)) continue;
    for (const { row, task, departments } of judgedRows(state, f.dept, today)) {
      if (!canSeeAllDepartments(viewer) && !departments.some((d) => canSeeDepartment(viewer, d))) continue;
      if (f.light && row.light !== f.light) continue;
      if (f.status && row.status !== f.status) continue;
      if (f.overdue && !row.overdue) continue;
      if (q && !task.code.includes(q) && !task.title.toLowerCase().includes(q) && !task.text.toLowerCase().includes(q)) continue;
      rows.push(row);
    }
  }
  return rows; // plans in their order, tasks in the plan's order
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
