// Loads what a snapshot needs. Reports are read with a projection and joined in TypeScript.
import { buildSnapshot, type Cell, type SnapshotReport, type SnapshotTask } from '../domain/snapshot.ts';
import type { Store } from './database.ts';
import { cachedReports } from './progress-cache.ts';
import type { PlanDoc, TaskDoc } from './models.ts';
import { activeTasks } from './task-queries.ts';
import { decisionsOfPlan } from './reviews.ts';

/** What a snapshot needs of a task: not its full text, which is most of its bytes. */
const SNAPSHOT_TASK_FIELDS: Record<string, 1> = { code: 1, title: 1, section: 1, sectionTitle: 1, departments: 1, collective: 1, deadline: 1, cadence: 1, createdAt: 1, order: 1 };

export function toSnapshotTask(t: TaskDoc, fallbackSince: Date): SnapshotTask {
  return {
    id: String(t._id), code: t.code, title: t.title, section: t.section, sectionTitle: t.sectionTitle,
    departments: t.departments, collective: t.collective, deadline: t.deadline, cadence: t.cadence ?? 'weekly',
    since: t.createdAt ?? fallbackSince,
  };
}

/** Departments that collective tasks (镇直各部门 …) bind: every department that is not itself collective. */
export async function concreteDepartments(store: Store): Promise<string[]> {
  const all = await store.models.Department.find({ collective: false }, { name: 1 }).lean();
  return all.map((d) => d.name).sort((a, b) => a.localeCompare(b, 'zh-CN'));
}

export async function loadSnapshot(
  store: Store,
  plan: PlanDoc,
  period: { start: Date; end: Date },
  asOf: Date,
  only?: { departments?: string[] },
): Promise<Cell[]> {
  const tasks = await activeTasks(store, plan._id, SNAPSHOT_TASK_FIELDS);
  let departments = await concreteDepartments(store);
  if (only?.departments) departments = departments.filter((d) => only.departments!.includes(d));
  const reports = (await cachedReports(store, plan._id, period.start, only?.departments)) ?? (await scanReports(store, plan, asOf, only?.departments));
  const snapshotTasks = tasks
    .map((t) => toSnapshotTask(t, asOf))
    .filter((t) => !only?.departments || t.collective || t.departments.some((d) => only.departments!.includes(d)));
  const decisions = await decisionsOfPlan(store, plan._id);
  const cells = buildSnapshot({ tasks: snapshotTasks, departments, reports, period, asOf, planStart: plan.date, decisions });
  return only?.departments ? cells.filter((c) => only.departments!.includes(c.department)) : cells;
}

/** The slow path, for periods older than the cache keeps: every report of the plan up to `asOf`. */
async function scanReports(store: Store, plan: PlanDoc, asOf: Date, departments?: string[]): Promise<SnapshotReport[]> {
  // One equality on planId, not $in over thousands of task ids: FerretDB evaluates filters per document.
  const filter: Record<string, unknown> = { planId: plan._id, at: { $lte: asOf } };
  if (departments) filter.department = { $in: departments };
  const raw = await store.models.Report.find(filter, { taskId: 1, department: 1, userid: 1, at: 1, status: 1, percent: 1, note: 1 }).lean();
  return raw.map((r) => ({
    taskId: String(r.taskId), department: r.department, userid: r.userid, at: r.at, status: r.status, percent: r.percent ?? null, note: r.note ?? '',
  }));
}
