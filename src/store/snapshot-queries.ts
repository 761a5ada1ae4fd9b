// What the read model (src/standing) needs of tasks and units, read here so nothing above the store touches models.
import type { SnapshotTask } from '../domain/standing.ts';
import type { Store } from './database.ts';
import type { TaskDoc } from './models.ts';

/** What a record needs of a task: not its full text, which is most of its bytes. */
export const SNAPSHOT_TASK_FIELDS: Record<string, 1> = { code: 1, title: 1, section: 1, sectionTitle: 1, departments: 1, lead: 1, collective: 1, deadline: 1, cadence: 1, createdAt: 1, order: 1 };

export function toSnapshotTask(t: TaskDoc, fallbackSince: Date): SnapshotTask {
  return {
    id: String(t._id), code: t.code, title: t.title, section: t.section, sectionTitle: t.sectionTitle,
    departments: t.departments, lead: t.lead ?? [], collective: t.collective, deadline: t.deadline, cadence: t.cadence ?? 'weekly',
    since: t.createdAt ?? fallbackSince,
  };
}

/** Departments that collective tasks (镇直各部门 …) bind: every department that is not itself collective. */
export async function concreteDepartments(store: Store): Promise<string[]> {
  const all = await store.models.Department.find({ collective: false }, { name: 1 }).lean();
  return all.map((d) => d.name).sort((a, b) => a.localeCompare(b, 'zh-CN'));
}
