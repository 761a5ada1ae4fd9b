// Audit entries about tasks: a code is unique only within its plan, so entries carry the plan too.
import type { TaskDoc } from './models.ts';

/** Fields that tie an audit entry to one task. */
export function taskAuditTarget(task: Pick<TaskDoc, 'code' | 'planId'>): { target: string; planId: TaskDoc['planId'] } {
  return { target: `task:${task.code}`, planId: task.planId };
}

/** The entries of one task, including those written before entries carried their plan. */
export function taskAuditFilter(task: Pick<TaskDoc, 'code' | 'planId'>): Record<string, unknown> {
  return { target: `task:${task.code}`, $or: [{ planId: task.planId }, { planId: null }] };
}
