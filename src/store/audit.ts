// The audit log (留痕): every change of responsibility, review, role or plan is one `record()`, appended, never
// rewritten. Entries about tasks carry the plan too, since a code is unique only within its plan. What an entry
// says to people is src/domain/audit-sentence.ts; this module only writes and reads.
import type { Types } from 'mongoose';
import { splitTarget, unitNote, type AuditAction, type AuditFacts, type AuditNames } from '../domain/audit-sentence.ts';
import { chasesOfTask } from './chases.ts';
import type { Store } from './database.ts';
import type { AuditDoc, MemberDoc, PlanDoc, TaskDoc } from './models.ts';

export type AuditTargetKey = `task:${string}` | `member:${string}` | `plan:${string}` | `unit:${string}`;

export interface AuditEntry {
  at: Date;
  /** A userid, "system:…" for the service's own work, or "cli". */
  actor: string;
  action: AuditAction;
  target: AuditTargetKey;
  /** For task targets (see taskAuditTarget). */
  planId?: Types.ObjectId | null;
  before?: unknown;
  after?: unknown;
  /** Review decisions, 重新打开 and 催办: "部门：原因" (domain/audit-sentence.ts `unitNote`). */
  note?: string;
}

/** Appends one entry; its id. */
export async function record(store: Store, entry: AuditEntry): Promise<string> {
  const doc = await store.models.Audit.create({ before: null, after: null, note: '', planId: null, ...entry });
  return String(doc._id);
}

/**
 * Appends the entry unless the same one (action, target, actor, moment) is there already: for work that may run
 * again after a crash, such as announcing a stored review decision. True when written now.
 */
export async function recordOnce(store: Store, entry: AuditEntry): Promise<boolean> {
  const same = { action: entry.action, target: entry.target, actor: entry.actor, at: entry.at };
  if ((await store.models.Audit.countDocuments(same)) > 0) return false;
  await record(store, entry);
  return true;
}

/** Fields that tie an audit entry to one task. */
export function taskAuditTarget(task: Pick<TaskDoc, 'code' | 'planId'>): { target: AuditTargetKey; planId: TaskDoc['planId'] } {
  return { target: `task:${task.code}`, planId: task.planId };
}

export const memberAuditTarget = (userid: string): { target: AuditTargetKey } => ({ target: `member:${userid}` });
export const planAuditTarget = (name: string): { target: AuditTargetKey } => ({ target: `plan:${name}` });
export const unitAuditTarget = (name: string): { target: AuditTargetKey } => ({ target: `unit:${name}` });

/** The entries of one task, including those written before entries carried their plan. */
export function taskAuditFilter(task: Pick<TaskDoc, 'code' | 'planId'>): Record<string, unknown> {
  return { target: `task:${task.code}`, $or: [{ planId: task.planId }, { planId: null }] };
}

/** A task's history, newest first. */
export async function taskHistory(store: Store, task: Pick<TaskDoc, 'code' | 'planId'>, limit = 50): Promise<AuditDoc[]> {
  return store.models.Audit.find(taskAuditFilter(task)).sort({ at: -1, _id: -1 }).limit(limit).lean<AuditDoc[]>();
}

export type HistoryFact = AuditFacts & { at: Date };

/**
 * A task's history for people, newest first: its audit entries with its 催办 records, which are kept apart (the
 * weekly escalation writes them too). An audit entry of a 催办, should one be written, gives way to its record.
 */
export async function taskEvents(store: Store, task: Pick<TaskDoc, '_id' | 'code' | 'planId'>, limit = 50): Promise<HistoryFact[]> {
  const audit: HistoryFact[] = (await taskHistory(store, task, limit)).filter((a) => a.action !== 'task.chase');
  const chases: HistoryFact[] = (await chasesOfTask(store, task._id)).slice(0, limit).map((c) => ({
    at: c.at, actor: c.actor, action: 'task.chase', target: `task:${c.taskCode}`, planId: c.planId, note: unitNote(c.department, c.note),
  }));
  return [...audit, ...chases].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}

/** The names the sentences of these entries need: actors and the members they are about; plans by short name. */
export async function historyNames(store: Store, entries: AuditFacts[], plans: PlanDoc[] = []): Promise<AuditNames> {
  const ids = entries.flatMap((e) => {
    const t = splitTarget(e.target);
    return t.kind === 'member' ? [e.actor, t.key] : [e.actor];
  });
  const members = await memberNames(store, ids);
  const planNames = new Map(plans.map((p) => [String(p._id), p.name]));
  return { member: (id) => members.get(id), plan: plans.length > 1 ? (id) => planNames.get(id) : undefined };
}

export interface AuditQuery {
  /** Entries by any of these actors (userids, "cli", "system:…"). */
  actors?: string[];
  /** Entries about any of these targets. */
  targets?: string[];
  /** Entries about something whose key (a task code, a userid, a plan's or unit's name) is exactly this. */
  key?: string;
}

/** The 操作记录 page: newest first, at most `limit`. */
export async function auditEntries(store: Store, q: AuditQuery, limit: number): Promise<AuditDoc[]> {
  const filter: Record<string, unknown> = {};
  if (q.actors) filter.actor = { $in: q.actors };
  const about: Array<Record<string, unknown>> = [];
  if (q.targets) about.push({ target: { $in: q.targets } });
  if (q.key) about.push({ target: { $regex: `^[a-z]+:${escapeRegex(q.key)}$` } });
  if (about.length) filter.$or = about;
  return store.models.Audit.find(filter).sort({ at: -1, _id: -1 }).limit(limit).lean<AuditDoc[]>();
}

/** Members' names by userid (the name, else nothing): how history names people. */
export async function memberNames(store: Store, userids: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(userids)];
  if (ids.length === 0) return new Map();
  const members = await store.models.Member.find({ userid: { $in: ids } }, { userid: 1, name: 1 }).lean<Array<Pick<MemberDoc, 'userid' | 'name'>>>();
  return new Map(members.filter((m) => m.name).map((m) => [m.userid, m.name]));
}

/** The userids of members called `name` (or whose userid it is): the 操作记录 filter takes either. */
export async function memberIdsNamed(store: Store, name: string): Promise<string[]> {
  const members = await store.models.Member.find({ $or: [{ name }, { userid: name }] }, { userid: 1 }).lean<Array<Pick<MemberDoc, 'userid'>>>();
  return members.map((m) => m.userid);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
