// Every report of a plan, for the pages that list them all (汇报记录, a task's history, the 督办台账).
// On MongoDB these are indexed reads. The embedded FerretDB 1.x answers any filter by decoding the whole
// collection (a county's 100,000 reports take tens of seconds), so there this process keeps a copy: read once,
// then extended by its own appends (appendReport calls noteReport). That is exact because the embedded database
// has one writer, this process (the progress cache relies on the same fact).
import type { Types } from 'mongoose';
import type { Store } from './database.ts';
import type { ReportDoc } from './models.ts';

export type LoggedReport = Pick<ReportDoc, '_id' | 'planId' | 'taskId' | 'taskCode' | 'department' | 'userid' | 'at' | 'status' | 'percent' | 'note'>;

const FIELDS = { planId: 1, taskId: 1, taskCode: 1, department: 1, userid: 1, at: 1, status: 1, percent: 1, note: 1 } as const;

interface Copy {
  /** Oldest first once loaded. */
  loaded: Promise<LoggedReport[]>;
  /** Appended while the first read ran: merged in when it ends (it may or may not have seen them). */
  pending: LoggedReport[] | null;
}

const copies = new WeakMap<Store, Map<string, Copy>>();

function normalize(r: LoggedReport): LoggedReport {
  return { _id: r._id, planId: r.planId, taskId: r.taskId, taskCode: r.taskCode, department: r.department, userid: r.userid, at: r.at, status: r.status, percent: r.percent ?? null, note: r.note ?? '' };
}

/**
 * Read through the driver in batches, each report kept as one small object whose repeated strings (unit, person,
 * code, status) are shared: a county's 100,000 reports then take tens of megabytes, not hundreds.
 */
async function readAll(store: Store, planId: Types.ObjectId): Promise<LoggedReport[]> {
  const shared = new Map<string, string>();
  const intern = (s: string) => {
    const hit = shared.get(s);
    if (hit !== undefined) return hit;
    shared.set(s, s);
    return s;
  };
  const taskIds = new Map<string, Types.ObjectId>();
  const out: LoggedReport[] = [];
  const cursor = store.models.Report.collection.find({ planId }, { projection: FIELDS, batchSize: 5000 });
  for await (const d of cursor) {
    const r = d as unknown as LoggedReport;
    const tid = String(r.taskId);
    let taskId = taskIds.get(tid);
    if (!taskId) taskIds.set(tid, (taskId = r.taskId));
    out.push({
      _id: r._id, planId, taskId, taskCode: intern(r.taskCode), department: intern(r.department), userid: intern(r.userid), at: r.at,
      status: intern(r.status) as LoggedReport['status'], percent: r.percent ?? null, note: r.note ? intern(r.note) : '',
    });
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The plan's reports, oldest first. Callers must not change the array. */
export async function planReports(store: Store, planId: Types.ObjectId): Promise<LoggedReport[]> {
  if (store.kind !== 'embedded') return readAll(store, planId);
  let perPlan = copies.get(store);
  if (!perPlan) copies.set(store, (perPlan = new Map()));
  const key = String(planId);
  let copy = perPlan.get(key);
  if (!copy) {
    const fresh: Copy = { pending: [], loaded: Promise.resolve([]) };
    fresh.loaded = readAll(store, planId).then((all) => {
      const seen = new Set(fresh.pending!.length ? all.map((r) => r._id) : []);
      for (const r of fresh.pending!) if (!seen.has(r._id)) insertInOrder(all, r);
      fresh.pending = null;
      return all;
    });
    fresh.loaded.catch(() => perPlan!.delete(key)); // a failed read is not remembered
    perPlan.set(key, (copy = fresh));
  }
  return copy.loaded;
}

/** Called by appendReport after a report is stored: keeps this process's copy (if any) complete. */
export function noteReport(store: Store, report: LoggedReport): void {
  const copy = copies.get(store)?.get(String(report.planId));
  if (!copy) return;
  const r = normalize(report);
  if (copy.pending) copy.pending.push(r);
  else void copy.loaded.then((all) => insertInOrder(all, r));
}

function insertInOrder(all: LoggedReport[], r: LoggedReport): void {
  let i = all.length;
  while (i > 0 && all[i - 1]!.at > r.at) i--;
  all.splice(i, 0, r);
}

/** A member's latest report within [since, until], whatever the task: the one a photo sent then belongs to. */
export async function latestReportBy(store: Store, userid: string, since: Date, until: Date): Promise<ReportDoc | null> {
  const recent = await store.models.Report.find({ userid, at: { $gte: since, $lte: until } }).sort({ at: -1 }).limit(1).lean<ReportDoc[]>();
  return recent[0] ?? null;
}
