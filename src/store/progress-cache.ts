// Keeps the `progress` cache in step with `reports`, and reads it. The reports stay the truth: the cache holds,
// per (task, department), the last report of each of its most recent report weeks — enough to answer "where
// does it stand", "did it report this week" and "where did it stand before" without scanning every report.
import type { Types } from 'mongoose';
import type { SnapshotReport } from '../domain/snapshot.ts';
import type { Store } from './database.ts';
import type { ProgressDoc, ProgressEntry, ReportDoc } from './models.ts';

/** Report weeks kept per (task, department): this week, last week and what stood before, with room to spare. */
export const ENTRIES_KEPT = 8;
const MAX_RETRIES = 30;

export function progressId(taskId: Types.ObjectId | string, department: string): string {
  return `${String(taskId)}|${department}`;
}

/** The stored JSON back into entries, dates as Dates. */
export function decodeEntries(json: string | undefined): ProgressEntry[] {
  if (!json) return [];
  return (JSON.parse(json) as Array<ProgressEntry & { at: string }>).map((e) => ({ ...e, at: new Date(e.at) }));
}

function encodeEntries(entries: ProgressEntry[]): string {
  return JSON.stringify(entries);
}

function toEntry(r: Pick<ReportDoc, 'period' | 'at' | 'status' | 'percent' | 'note' | 'userid'>): ProgressEntry {
  return { period: r.period, at: r.at, status: r.status, percent: r.percent ?? null, note: r.note ?? '', userid: r.userid };
}

/** Merges a report: it replaces its week's entry only if it is the later one; idempotent, order-independent. */
export function mergeEntry(entries: ProgressEntry[], entry: ProgressEntry): { entries: ProgressEntry[]; dropped: boolean } {
  const same = entries.find((e) => e.period === entry.period);
  if (same && new Date(same.at).getTime() >= new Date(entry.at).getTime()) return { entries, dropped: false };
  const merged = [...entries.filter((e) => e.period !== entry.period), entry].sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime());
  const kept = merged.slice(0, ENTRIES_KEPT);
  // A report older than every week kept changes nothing but the knowledge that history was cut.
  if (!kept.includes(entry)) return { entries, dropped: true };
  return { entries: kept, dropped: merged.length > ENTRIES_KEPT };
}

/**
 * Bumped on every cache write in this process: the web pages keep a computed view per plan and recompute it when
 * this moves (another instance's writes show when that view's short lifetime ends).
 */
const generations = new WeakMap<Store, number>();
export function progressGeneration(store: Store): number {
  return generations.get(store) ?? 0;
}
function bumpGeneration(store: Store): void {
  generations.set(store, progressGeneration(store) + 1);
}

/** Writers of one cell in this process, chained: see recordProgress. */
const cellQueues = new Map<string, Promise<void>>();

function serialized(key: string, fn: () => Promise<void>): Promise<void> {
  const previous = cellQueues.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(fn);
  cellQueues.set(key, next);
  void next.finally(() => {
    if (cellQueues.get(key) === next) cellQueues.delete(key);
  }).catch(() => undefined);
  return next;
}

type ReportFields = Pick<ReportDoc, 'planId' | 'taskId' | 'department' | 'period' | 'at' | 'status' | 'percent' | 'note' | 'userid'>;

/**
 * Records a report in the cache, by _id (FerretDB's indexed path). Concurrent writers of one cell must not lose
 * each other's entries: on MongoDB a revision number in the filter makes the write a compare-and-set; FerretDB
 * 1.x updates are read-modify-write whatever the filter, so there the writes of a cell are serialized in this
 * process — the embedded database belongs to one process anyway.
 */
export async function recordProgress(store: Store, r: ReportFields): Promise<void> {
  const _id = progressId(r.taskId, r.department);
  try {
    if (store.kind === 'embedded') return await serialized(`${store.conn.name}:${_id}`, () => writeKnownCell(store, _id, r));
    return await writeCell(store, _id, r, true);
  } finally {
    bumpGeneration(store);
  }
}

/**
 * The embedded database has one writer, this process, and a cell's writes are serialized: what we last wrote
 * is what is stored, so a cell is read once and then only written (one scan fewer per report on FerretDB).
 */
const knownCells = new WeakMap<Store, Map<string, { entries: ProgressEntry[]; truncated: boolean; rev: number }>>();

async function writeKnownCell(store: Store, _id: string, r: ReportFields): Promise<void> {
  let cells = knownCells.get(store);
  if (!cells) knownCells.set(store, (cells = new Map()));
  let known = cells.get(_id);
  if (!known) {
    const doc = await store.models.Progress.findOne({ _id }).lean<ProgressDoc>();
    known = { entries: decodeEntries(doc?.entries), truncated: doc?.truncated ?? false, rev: doc?.rev ?? 0 };
  }
  const { entries, dropped } = mergeEntry(known.entries, toEntry(r));
  if (entries === known.entries && (!dropped || known.truncated)) {
    cells.set(_id, known);
    return;
  }
  const next = { entries, truncated: known.truncated || dropped, rev: known.rev + 1 };
  await store.models.Progress.updateOne(
    { _id },
    { $set: { entries: encodeEntries(next.entries), truncated: next.truncated, rev: next.rev }, $setOnInsert: { planId: r.planId, taskId: r.taskId, department: r.department } },
    { upsert: true },
  );
  cells.set(_id, next);
}

/** After a rebuild the stored cells are new: forget what this process remembered. */
function forgetKnownCells(store: Store): void {
  knownCells.delete(store);
}

async function writeCell(store: Store, _id: string, r: ReportFields, cas: boolean): Promise<void> {
  const { Progress } = store.models;
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    const doc = await Progress.findOne({ _id }).lean<ProgressDoc>();
    if (!doc) {
      try {
        await Progress.create({ _id, planId: r.planId, taskId: r.taskId, department: r.department, entries: encodeEntries([toEntry(r)]), rev: 1 });
        return;
      } catch (err) {
        if ((err as { code?: number }).code === 11000) continue; // created meanwhile: merge into it
        throw err;
      }
    }
    const stored = decodeEntries(doc.entries);
    const { entries, dropped } = mergeEntry(stored, toEntry(r));
    if (entries === stored) {
      if (dropped && !doc.truncated) await Progress.updateOne({ _id }, { $set: { truncated: true } });
      return;
    }
    const res = await Progress.updateOne(cas ? { _id, rev: doc.rev } : { _id }, { $set: { entries: encodeEntries(entries), truncated: doc.truncated || dropped, rev: doc.rev + 1 } });
    if (!cas || res.modifiedCount === 1) return;
    // Another writer of the same cell won: step aside briefly so the retries do not collide again.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
  }
  throw new Error(`progress cache: too much contention on ${_id}`);
}

/** Recomputes the cache of a plan from its reports: after a bulk load, or to repair it. */
export async function rebuildProgress(store: Store, planId: Types.ObjectId): Promise<number> {
  const { Progress, Report } = store.models;
  const cells = new Map<string, { taskId: Types.ObjectId; department: string; entries: ProgressEntry[]; truncated: boolean }>();
  const cursor = Report.find({ planId }, { taskId: 1, department: 1, period: 1, at: 1, status: 1, percent: 1, note: 1, userid: 1 }).lean().cursor();
  for await (const r of cursor) {
    const id = progressId(r.taskId, r.department);
    const cell = cells.get(id) ?? { taskId: r.taskId, department: r.department, entries: [], truncated: false };
    const { entries, dropped } = mergeEntry(cell.entries, toEntry(r as ReportDoc));
    cell.entries = entries;
    cell.truncated ||= dropped;
    cells.set(id, cell);
  }
  forgetKnownCells(store);
  await Progress.deleteMany({ planId });
  const docs = [...cells].map(([_id, c]) => ({ _id, planId, ...c, entries: encodeEntries(c.entries), rev: 1 }));
  for (let i = 0; i < docs.length; i += 1000) await Progress.insertMany(docs.slice(i, i + 1000), { ordered: false });
  bumpGeneration(store);
  return docs.length;
}

/**
 * The cached reports of a plan, as snapshot input, or null when the cache cannot answer for a period starting at
 * `since` (a cell dropped weeks it would need): the caller then reads the reports themselves.
 */
export async function cachedReports(store: Store, planId: Types.ObjectId, since: Date, departments?: string[]): Promise<SnapshotReport[] | null> {
  const filter: Record<string, unknown> = { planId };
  if (departments) filter.department = departments.length === 1 ? departments[0] : { $in: departments };
  const docs = await store.models.Progress.find(filter, { taskId: 1, department: 1, entries: 1, truncated: 1 }).lean<ProgressDoc[]>();
  const out: SnapshotReport[] = [];
  for (const d of docs) {
    const entries = decodeEntries(d.entries);
    const oldest = entries[entries.length - 1];
    // Needed: the last entry before `since`. Lost to truncation only if every kept entry is newer.
    if (d.truncated && oldest && new Date(oldest.at) >= since) return null;
    for (const e of entries) {
      out.push({ taskId: String(d.taskId), department: d.department, userid: e.userid, at: e.at, status: e.status, percent: e.percent, note: e.note });
    }
  }
  return out;
}

/**
 * Every cached report of a plan, and from when on they answer for a period: a cell that dropped old weeks can only
 * answer for periods starting after its oldest kept entry. `coveredAfter` is the latest such entry (null: all of
 * history is there), so one read serves this week's snapshot and the weeks before it that the cache still covers.
 */
export async function cachedReportsWithCoverage(store: Store, planId: Types.ObjectId): Promise<{ reports: SnapshotReport[]; coveredAfter: Date | null }> {
  const docs = await store.models.Progress.find({ planId }, { taskId: 1, department: 1, entries: 1, truncated: 1 }).lean<ProgressDoc[]>();
  const reports: SnapshotReport[] = [];
  let coveredAfter: Date | null = null;
  for (const d of docs) {
    const entries = decodeEntries(d.entries);
    const oldest = entries[entries.length - 1];
    if (d.truncated && oldest && (!coveredAfter || oldest.at > coveredAfter)) coveredAfter = oldest.at;
    const taskId = String(d.taskId);
    for (const e of entries) reports.push({ taskId, department: d.department, userid: e.userid, at: e.at, status: e.status, percent: e.percent, note: e.note });
  }
  return { reports, coveredAfter };
}

/** The cached entries (newest first) of given (task, department) cells, by _id lookups: FerretDB's fast path. */
export async function progressOf(store: Store, cells: Array<{ taskId: Types.ObjectId; department: string }>): Promise<Map<string, ProgressEntry[]>> {
  const docs = await Promise.all(cells.map((c) => store.models.Progress.findOne({ _id: progressId(c.taskId, c.department) }, { entries: 1 }).lean<ProgressDoc>()));
  const out = new Map<string, ProgressEntry[]>();
  docs.forEach((d, i) => {
    const entries = decodeEntries(d?.entries);
    if (entries.length) out.set(progressId(cells[i]!.taskId, cells[i]!.department), entries);
  });
  return out;
}
