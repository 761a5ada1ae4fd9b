// History as the pages show it: each audit entry (and each 催办 record) as its Chinese sentence, with names for
// people, never an action key, a target key or a userid.
import { actorName, auditSentence, readUnitNote, splitTarget, type AuditNames } from '../domain/audit-sentence.ts';
import { formatLocal } from '../domain/period.ts';
import { historyNames, taskEvents, type HistoryFact } from '../store/audit.ts';
import type { Store } from '../store/database.ts';
import type { TaskDoc } from '../store/models.ts';

export interface HistoryLine {
  when: string;
  sentence: string;
  /** The unit an entry is about (review decisions, 重新打开, 催办, 延期), for the unit's own history. */
  department: string | null;
  /** Filters of the 操作记录 page: the actor's name (members only) and what the entry is about, as people call it. */
  actorFilter: string | null;
  targetFilter: string;
}

const UNIT_ACTIONS = new Set(['task.review.approve', 'task.review.return', 'task.reopen', 'task.chase', 'task.extension.request', 'task.extension.approve', 'task.extension.refuse']);

export function historyLines(entries: HistoryFact[], names: AuditNames): HistoryLine[] {
  return entries.map((e) => {
    const actor = actorName(e.actor, names);
    const member = !e.actor.startsWith('system:') && e.actor !== 'cli' && e.actor !== 'scheduler';
    const target = splitTarget(e.target);
    return {
      when: formatLocal(e.at, 'YYYY-MM-DD HH:mm'),
      sentence: auditSentence(e, names),
      department: UNIT_ACTIONS.has(e.action) ? readUnitNote(e.note).department || null : null,
      actorFilter: member ? actor : null,
      targetFilter: target.kind === 'member' ? names.member(target.key) || target.key : target.key,
    };
  });
}

/** A task's history (its audit entries and 催办 records), newest first. */
export async function taskHistoryLines(store: Store, task: Pick<TaskDoc, '_id' | 'code' | 'planId'>, limit = 50): Promise<HistoryLine[]> {
  const events = await taskEvents(store, task, limit);
  return historyLines(events, await historyNames(store, events));
}
