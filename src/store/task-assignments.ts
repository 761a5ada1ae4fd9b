// Changes of responsibility for a task: the new list is written and the change is recorded (留痕).
import type { Clock } from '../clock.ts';
import { isCollectiveUnit } from '../domain/plan/units.ts';
import { taskAuditTarget } from './audit.ts';
import type { Store } from './database.ts';
import type { TaskDoc } from './models.ts';

export interface AssignmentChange {
  before: string[];
  after: string[];
  added: string[];
  removed: string[];
  auditId: string;
}

export async function setTaskDepartments(
  store: Store,
  clock: Clock,
  actor: string,
  task: TaskDoc,
  after: string[],
  action: 'task.departments.transfer' | 'task.departments.add' | 'task.departments.remove',
): Promise<AssignmentChange | null> {
  const before = task.departments;
  // The same departments in another order are no change of responsibility: nothing to write or record.
  if (before.length === after.length && after.every((d) => before.includes(d))) return null;
  // 镇直各部门 in the list makes the task everyone's; taking it out makes it the named departments' again.
  await store.models.Task.updateOne({ _id: task._id }, { $set: { departments: after, collective: after.some(isCollectiveUnit) } });
  const entry = await store.models.Audit.create({
    at: clock.now(), actor, action, ...taskAuditTarget(task), before, after,
  });
  return {
    before, after,
    added: after.filter((d) => !before.includes(d)),
    removed: before.filter((d) => !after.includes(d)),
    auditId: String(entry._id),
  };
}

/** Active members of the given departments: who hears about a change. */
export async function liaisonsOf(store: Store, departments: string[]): Promise<string[]> {
  if (departments.length === 0) return [];
  const members = await store.models.Member.find({ departments: { $in: departments }, active: true }, { userid: 1 }).lean();
  return members.map((m) => m.userid);
}
