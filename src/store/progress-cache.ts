// Keeps the `progress` cache in step with `reports`, and reads it. The reports stay the truth: the cache holds,
// per (task, department), the last report of each of its most recent report weeks — enough to answer "where
// does it stand", "did it report this week" and "where did it stand before" without scanning every report.
import { randomInt } from 'node:crypto';
import type { Types } from 'mongoose';
import { sequenceOf } from '../domain/receipt-sequence.ts';
import type { SnapshotReport } from '../domain/standing.ts';
import type { Store } from './database.ts';
import { isDuplicateKeyError, type ProgressDoc, type ProgressEntry, type ReportDoc } from './models.ts';

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

function toEntry(r: Pick<ReportDoc, 'period' | 'at' | 'status' | 'percent' | 'note' | 'userid' | 'seq'>): ProgressEntry {
  const entry: ProgressEntry = { period: r.period, at: r.at, status: r.status, percent: r.percent ?? null, note: r.note ?? '', userid: r.userid };
  if (r.seq != null) entry.seq = r.seq;
  return entry;
}

/**
 * Merges a report: it replaces its week's entry only if it was received later (by its sequence, not its
 * timestamp: several reports can share a second); idempotent, order-independent.
 */
export function mergeEntry(entries: ProgressEntry[], entry: ProgressEntry): { entries: ProgressEntry[]; dropped: boolean } {
  const same = entries.find((e) => e.period === entry.period);
  if (same && sequenceOf(same) >= sequenceOf(entry)) return { entries, dropped: false };
  const merged = [...entries.filter((e) => e.period !== entry.period), entry].sort((a, b) => sequenceOf(b) - sequenceOf(a));
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

/**
 * Anything else a read-model record shows changed in this process (a 销号 decision, a 催办, a 佐证 file): cached
 * plan views recompute, as they do after a report.
 */
export function noteStandingChange(store: Store): void {
  bumpGeneration(store);
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

type ReportFields = Pick<ReportDoc, 'planId' | 'taskId' | 'department' | 'period' | 'at' | 'status' | 'percent' | 'note' | 'userid' | 'seq'>;

interface Cell {
  entries: ProgressEntry[];
  truncated: boolean;
  rev: number;
}

/**
 * What this process last read or wrote per cell: the first guess of a compare-and-set, so the usual write is one
 * update (FerretDB 1.x scans on every read). A wrong guess (another instance, the CLI, a rebuild wrote the cell)
 * only costs a read and a retry.
 */
const knownCells = new WeakMap<Store, Map<string, Cell>>();

function knownOf(store: Store): Map<string, Cell> {
  let cells = knownCells.get(store);
  if (!cells) knownCells.set(store, (cells = new Map()));
  return cells;
}

/**
 * Records a report in the cache, by _id (FerretDB's indexed path). Writes of one cell in this process are chained
 * so they never collide with each other. Across processes:
 * - on a shared database (`external`: MongoDB, or `db serve` behind several instances) every write is a
 *   compare-and-set on the cell's revision, so instances never lose each other's entries;
 * - on the embedded database the owner of DATA_DIR is the only process that records reports (CLI commands
 *   beside it send chat through it), so it writes what it knows by _id alone: FerretDB 1.x cannot use an index
 *   for `{_id, rev}` and would scan the collection on every report.
 */
export async function recordProgress(store: Store, r: ReportFields): Promise<void> {
  const _id = progressId(r.taskId, r.department);
  try {
    return await serialized(`${store.conn.name}:${_id}`, () => writeCell(store, _id, r, store.kind === 'external'));
  } finally {
    bumpGeneration(store);
  }
}

async function readCell(store: Store, _id: string): Promise<Cell | null> {
  const doc = await store.models.Progress.findOne({ _id }).lean<ProgressDoc>();
  return doc ? { entries: decodeEntries(doc.entries), truncated: doc.truncated ?? false, rev: doc.rev ?? 0 } : null;
}

async function writeCell(store: Store, _id: string, r: ReportFields, cas: boolean): Promise<void> {
  const { Progress } = store.models;
  const known = knownOf(store);
  let cell: Cell | null | undefined = known.get(_id);
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    if (cell === undefined) cell = await readCell(store, _id);
    if (cell === null) {
      const created = { entries: [toEntry(r)], truncated: false, rev: 1 };
      try {
        await Progress.collection.insertOne({ _id, planId: r.planId, taskId: r.taskId, department: r.department, entries: encodeEntries(created.entries), truncated: false, rev: 1 } as never);
        known.set(_id, created);
        return;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        cell = undefined; // created meanwhile: merge into it
        continue;
      }
    }
    const { entries, dropped } = mergeEntry(cell.entries, toEntry(r));
    if (entries === cell.entries && (!dropped || cell.truncated)) {
      if (known.get(_id) === cell) return; // what we know is what we wrote or read: nothing to change
      known.set(_id, cell);
      return;
    }
    const next = { entries, truncated: cell.truncated || dropped, rev: cell.rev + 1 };
    // The driver's update: every field is a plain value, and mongoose's casting costs a burst dearly.
    const filter = (cas ? { _id, rev: cell.rev } : { _id }) as never;
    const res = await Progress.collection.updateOne(filter, { $set: { entries: encodeEntries(next.entries), truncated: next.truncated, rev: next.rev } });
    if (res.matchedCount === 1) {
      known.set(_id, next);
      return;
    }
    // Someone else wrote the cell since we knew it: read it again and merge into what is there.
    known.delete(_id);
    cell = undefined;
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
  }
  throw new Error(`progress cache: too much contention on ${_id}`);
}

/** Recomputes the cache of a plan from its reports: after a bulk load, or to repair it. */
export async function rebuildProgress(store: Store, planId: Types.ObjectId): Promise<number> {
  const { Progress, Report } = store.models;
  const cells = new Map<string, { taskId: Types.ObjectId; department: string; entries: ProgressEntry[]; truncated: boolean }>();
  const cursor = Report.find({ planId }, { taskId: 1, department: 1, period: 1, at: 1, status: 1, percent: 1, note: 1, userid: 1, seq: 1 }).lean().cursor();
  for await (const r of cursor) {
    const id = progressId(r.taskId, r.department);
    const cell = cells.get(id) ?? { taskId: r.taskId, department: r.department, entries: [], truncated: false };
    const { entries, dropped } = mergeEntry(cell.entries, toEntry(r as ReportDoc));
    cell.entries = entries;
    cell.truncated ||= dropped;
    cells.set(id, cell);
  }
  knownCells.delete(store);
  await Progress.deleteMany({ planId });
  // A fresh random revision: another process's remembered revision of a rebuilt cell must not match it.
  const rev = randomInt(1_000_000, 1_000_000_000);
  const docs = [...cells].map(([_id, c]) => ({ _id, planId, ...c, entries: encodeEntries(c.entries), rev }));
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
      out.push({ taskId: String(d.taskId), department: d.department, userid: e.userid, at: e.at, seq: e.seq ?? null, status: e.status, percent: e.percent, note: e.note });
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
    for (const e of entries) reports.push({ taskId, department: d.department, userid: e.userid, at: e.at, seq: e.seq ?? null, status: e.status, percent: e.percent, note: e.note });
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

/** The slow path, for periods older than the cache keeps: every report of a plan up to `asOf`. */
export async function scanReports(store: Store, planId: Types.ObjectId, asOf: Date, departments?: string[]): Promise<SnapshotReport[]> {
  // One equality on planId, not $in over thousands of task ids: FerretDB evaluates filters per document.
  const filter: Record<string, unknown> = { planId, at: { $lte: asOf } };
  if (departments) filter.department = { $in: departments };
  const raw = await store.models.Report.find(filter, { taskId: 1, department: 1, userid: 1, at: 1, seq: 1, status: 1, percent: 1, note: 1 }).lean();
  return raw.map((r) => ({
    taskId: String(r.taskId), department: r.department, userid: r.userid, at: r.at, seq: r.seq ?? null, status: r.status, percent: r.percent ?? null, note: r.note ?? '',
  }));
}

/** The reports of (task, department) cells as read-model input, newest first per cell: from the cache's entries. */
export async function reportsOfCells(store: Store, cells: Array<{ taskId: Types.ObjectId; department: string }>): Promise<SnapshotReport[]> {
  const progress = await progressOf(store, cells);
  return [...progress].flatMap(([id, entries]) => {
    const bar = id.indexOf('|');
    return entries.map((e) => ({ taskId: id.slice(0, bar), department: id.slice(bar + 1), userid: e.userid, at: e.at, seq: e.seq ?? null, status: e.status, percent: e.percent, note: e.note }));
  });
}
