// History as the pages show it: each audit entry (and each 催办 record) as its Chinese sentence, with names for
// people, never an action key, a target key or a userid.
import { actorName, auditSentence, readUnitNote, splitTarget, unitNote, type AuditFacts, type AuditNames } from '../domain/audit-sentence.ts';
import { formatLocal } from '../domain/period.ts';
import { memberNames } from '../store/audit.ts';
import { chasesOfTask } from '../store/chases.ts';
import type { Store } from '../store/database.ts';
import type { ChaseDoc } from '../store/loop-models.ts';
import type { AuditDoc, PlanDoc, TaskDoc } from '../store/models.ts';
import { taskHistory } from '../store/audit.ts';

type Fact = AuditFacts & { at: Date };

export interface HistoryLine {
  when: string;
  sentence: string;
  /** The unit an entry is about (review decisions, 重新打开, 催办), for the unit's own history. */
  department: string | null;
  /** Filters of the 操作记录 page: the actor's name (members only) and what the entry is about, as people call it. */
  actorFilter: string | null;
  targetFilter: string;
}

/** The names every sentence of these entries needs: actors and members they are about; plans by short name. */
export async function namesFor(store: Store, entries: Fact[], plans: PlanDoc[] = []): Promise<AuditNames> {
  const ids = entries.flatMap((e) => {
    const t = splitTarget(e.target);
    return t.kind === 'member' ? [e.actor, t.key] : [e.actor];
  });
  const members = await memberNames(store, ids);
  const planNames = new Map(plans.map((p) => [String(p._id), p.name]));
  return { member: (id) => members.get(id), plan: plans.length > 1 ? (id) => planNames.get(id) : undefined };
}

const UNIT_ACTIONS = new Set(['task.review.approve', 'task.review.return', 'task.reopen', 'task.chase']);

export function historyLines(entries: Fact[], names: AuditNames): HistoryLine[] {
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

/** A 催办 record as the entry it stands for. */
function chaseFact(c: ChaseDoc): Fact {
  return { at: c.at, actor: c.actor, action: 'task.chase', target: `task:${c.taskCode}`, planId: c.planId, before: null, after: null, note: unitNote(c.department, c.note) };
}

/**
 * A task's history, newest first: its audit entries with its 催办 records, which are kept apart (the escalation
 * writes them too). An audit entry of a 催办, should one be written, is left out for its record.
 */
export async function taskHistoryLines(store: Store, task: Pick<TaskDoc, '_id' | 'code' | 'planId'>, limit = 50): Promise<HistoryLine[]> {
  const audit: Fact[] = (await taskHistory(store, task, limit)).filter((a: AuditDoc) => a.action !== 'task.chase');
  const chases = (await chasesOfTask(store, task._id)).slice(0, limit).map(chaseFact);
  const all = [...audit, ...chases].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
  return historyLines(all, await namesFor(store, all));
}
