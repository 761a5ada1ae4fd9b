// Reads about tasks and their progress. Joins are done here in TypeScript over small results (FerretDB has no $lookup).
import type { Types } from 'mongoose';
import type { Store } from './database.ts';
import type { TaskDoc } from './models.ts';
import type { Cadence } from '../domain/vocabulary.ts';

export { activePlans } from './plans.ts';

export async function activeTasks(store: Store, planId: Types.ObjectId, projection?: Record<string, 1>): Promise<TaskDoc[]> {
  const load = async () => {
    const tasks = await store.models.Task.find({ planId, retired: false }, projection).lean();
    return tasks.sort((a, b) => a.order - b.order) as TaskDoc[];
  };
  // Only the whole task is cached; a projected read (the county-sized digest) goes to the database.
  return projection ? load() : store.cache.get(`tasks:${String(planId)}`, load);
}

/** How many tasks a plan has now (retired ones apart). */
export async function countActiveTasks(store: Store, planId: Types.ObjectId | string): Promise<number> {
  return store.models.Task.countDocuments({ planId, retired: false });
}

/** Every plan's current tasks, only the fields asked for, in no particular order. */
export async function activeTasksOfAllPlans<K extends keyof TaskDoc>(store: Store, fields: readonly K[]): Promise<Array<Pick<TaskDoc, K | '_id'>>> {
  return store.models.Task.find({ retired: false }, Object.fromEntries(fields.map((f) => [f, 1]))).lean<Array<Pick<TaskDoc, K | '_id'>>>();
}

export async function setTaskCadence(store: Store, taskId: Types.ObjectId, cadence: Cadence): Promise<void> {
  await store.models.Task.updateOne({ _id: taskId }, { $set: { cadence } });
}

export async function findTask(store: Store, planId: Types.ObjectId, code: string): Promise<TaskDoc | null> {
  return (await activeTasks(store, planId)).find((t) => t.code === code) ?? null;
}

/** Collective tasks (镇直各部门 …) bind every department. */
export function isResponsible(task: Pick<TaskDoc, 'departments' | 'collective'>, department: string): boolean {
  return task.collective || task.departments.includes(department);
}

/** Named responsibility only (collective tasks apart), for listing "my" tasks first. */
export function isNamedResponsible(task: Pick<TaskDoc, 'departments'>, department: string): boolean {
  return task.departments.includes(department);
}


/** Tasks that look like what was asked for: same section first, then by keyword in the title/text. */
export function suggestTasks(tasks: TaskDoc[], code: string | null, keyword: string | null, limit = 3): TaskDoc[] {
  const scored = tasks.map((t) => {
    let score = 0;
    if (code) {
      const [section, item] = code.split('.');
      const [ts, ti] = t.code.split('.');
      if (ts === section) score += 3;
      if (item && ti && Math.abs(Number(ti) - Number(item)) <= 1) score += 1;
      if (ti === section) score += 0.5; // "3.7" typed for "7.3"
    }
    if (keyword) {
      for (const ch of new Set(keyword)) if (t.title.includes(ch)) score += 0.3;
      if (t.text.includes(keyword)) score += 3;
    }
    return { t, score };
  });
  return scored.filter((s) => s.score > 0).sort((a, b) => b.score - a.score).slice(0, limit).map((s) => s.t);
}

