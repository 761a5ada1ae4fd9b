// Changes of responsibility for a task: the new list is written and the change is recorded (留痕).
import type { Clock } from '../clock.ts';
import { isCollectiveUnit, normalizeUnitName } from '../domain/plan/units.ts';
import { record, taskAuditTarget } from './audit.ts';
import type { Store } from './database.ts';
import type { TaskDoc } from './models.ts';

export interface AssignmentChange {
  before: string[];
  after: string[];
  added: string[];
  removed: string[];
  auditId: string;
}

/** Collective units that stand for every department of the township: these can be spelled out. */
const WHOLE_TOWNSHIP = /^(?:镇直)?各(?:部门|单位)$/;

export type Expansion = { departments: string[] } | { refused: string };

/**
 * The departments a list typed by an admin stands for: 镇直各部门 becomes every department the bot knows;
 * a collective unit that names no definite set (有关部门, 各村（社区）, 县直各部门…) is refused, never guessed.
 */
export async function expandCollectiveUnits(store: Store, typed: string[]): Promise<Expansion> {
  const out: string[] = [];
  for (const name of typed) {
    if (!isCollectiveUnit(name)) {
      if (!out.includes(name)) out.push(name);
      continue;
    }
    const unit = normalizeUnitName(name);
    if (!WHOLE_TOWNSHIP.test(unit)) return { refused: unit };
    const all = await store.models.Department.find({ collective: false }, { name: 1 }).lean();
    if (all.length === 0) return { refused: unit };
    for (const d of all.map((x) => x.name).sort((a, b) => a.localeCompare(b, 'zh-CN'))) if (!out.includes(d)) out.push(d);
  }
  return { departments: out };
}

export class EmptyAssignmentError extends Error {
  override name = 'EmptyAssignmentError';
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
  // The last line of defence: nobody would be reminded, and every report would be refused.
  if (after.length === 0) throw new EmptyAssignmentError(`task ${task.code} would be left with no department`);
  // The same departments in another order are no change of responsibility: nothing to write or record.
  if (before.length === after.length && after.every((d) => before.includes(d))) return null;
  // 镇直各部门 in the list makes the task everyone's; taking it out makes it the named departments' again.
  await store.models.Task.updateOne({ _id: task._id }, { $set: { departments: after, collective: after.some(isCollectiveUnit) } });
  const auditId = await record(store, { at: clock.now(), actor, action, ...taskAuditTarget(task), before, after });
  return {
    before, after,
    added: after.filter((d) => !before.includes(d)),
    removed: before.filter((d) => !after.includes(d)),
    auditId,
  };
}

/** Active members of the given departments: who hears about a change. */
export async function liaisonsOf(store: Store, departments: string[]): Promise<string[]> {
  if (departments.length === 0) return [];
  const members = await store.models.Member.find({ departments: { $in: departments }, active: true }, { userid: 1 }).lean();
  return members.map((m) => m.userid);
}
