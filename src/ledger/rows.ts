// Which (task, unit) rows a user sees, and how they are filtered: shared by the pages' task list and the 督办台账,
// so the list on screen and the download always hold the same tasks. Everything comes from the read model
// (src/standing): nothing here decides a state.
import { STAGE_LABEL } from '../domain/lifecycle.ts';
import { shanghaiDate } from '../domain/period.ts';
import { percentOf, taskStageOf, type Standing as Cell, type TaskStage } from '../domain/standing.ts';
import type { Light } from '../domain/status-light.ts';
import type { ReportStatus } from '../domain/vocabulary.ts';
import type { PlanStanding as PlanState } from '../standing/index.ts';
import { unitDeadlineText } from '../standing/words.ts';
import type { PlanDoc, TaskDoc } from '../store/models.ts';
import { canSeeAllDepartments, canSeeDepartment, type User } from '../access.ts';

export const LIGHT_TEXT: Record<Light, string> = { red: '红灯', yellow: '黄灯', green: '绿灯', done: '已完成' };
export const LIGHT_ORDER: Light[] = ['red', 'yellow', 'green', 'done'];
export const LIGHT_RANK: Record<Light, number> = { red: 0, yellow: 1, green: 2, done: 3 };
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

// ---------- filters and rows ----------

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
        // Judged by one unit with a 延期: that unit's deadline; otherwise the task's.
        deadline: judged.length === 1 && judged[0]!.extension ? unitDeadlineText(task, judged[0]!) : task.deadlineText ?? task.deadline,
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

