// Loads what a snapshot needs. Reports are read with a projection and joined in TypeScript.
import { buildSnapshot, type Cell, type SnapshotReport, type SnapshotTask } from '../domain/snapshot.ts';
import type { Store } from './database.ts';
import type { PlanDoc, TaskDoc } from './models.ts';
import { activeTasks } from './task-queries.ts';

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
  const tasks = await activeTasks(store, plan._id);
  let departments = await concreteDepartments(store);
  if (only?.departments) departments = departments.filter((d) => only.departments!.includes(d));
  const filter: Record<string, unknown> = { taskId: { $in: tasks.map((t) => t._id) }, at: { $lte: asOf } };
  if (only?.departments) filter.department = { $in: only.departments };
  const raw = await store.models.Report.find(filter, { taskId: 1, department: 1, userid: 1, at: 1, status: 1, percent: 1, note: 1 }).lean();
  const reports: SnapshotReport[] = raw.map((r) => ({
    taskId: String(r.taskId), department: r.department, userid: r.userid, at: r.at, status: r.status, percent: r.percent ?? null, note: r.note ?? '',
  }));
  const snapshotTasks = tasks
    .map((t) => toSnapshotTask(t, asOf))
    .filter((t) => !only?.departments || t.collective || t.departments.some((d) => only.departments!.includes(d)));
  const cells = buildSnapshot({ tasks: snapshotTasks, departments, reports, period, asOf, planStart: plan.date });
  return only?.departments ? cells.filter((c) => only.departments!.includes(c.department)) : cells;
}
