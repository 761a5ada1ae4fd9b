// Keeps the `progress` cache in step with `reports`, and reads it. The reports stay the truth: the cache holds,
// per (task, department), the last report of each of its most recent report weeks — enough to answer "where
// does it stand", "did it report this week" and "where did it stand before" without scanning every report.
import { randomInt, randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import { sequenceOf } from '../domain/receipt-sequence.ts';
import type { SnapshotReport } from '../domain/standing.ts';
import type { Store } from './database.ts';
import { insertGrouped, updateByIdGrouped } from './grouped-writes.ts';
import { isDuplicateKeyError, type ProgressDoc, type ProgressPendingDoc, type ProgressEntry, type ReportDoc } from './models.ts';

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
  store.cache.clear(); // cached decisions and 延期 (readOwnWrites) included
  bumpGeneration(store);
}

/**
 * The reports waiting for one cell's write in this process. While a write of a cell is in flight, the reports
 * that arrive for it wait here and the next write takes them all: a busy cell (several reports within one write's
 * time) is written once for the lot, never once per report, and every caller still returns only after a write
 * holding its report has stood. "Last received wins" is kept by mergeEntry, whatever order they are merged in.
 */
interface CellBatch {
  reports: ReportFields[];
  settle: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}
const cellBatches = new Map<string, { running: boolean; waiting: CellBatch | null }>();

function coalesced(key: string, r: ReportFields, write: (reports: ReportFields[]) => Promise<void>): Promise<void> {
  let slot = cellBatches.get(key);
  if (!slot) cellBatches.set(key, (slot = { running: false, waiting: null }));
  const batch = (slot.waiting ??= { reports: [], settle: [] });
  const done = new Promise<void>((resolve, reject) => batch.settle.push({ resolve, reject }));
  batch.reports.push(r);
  if (!slot.running) void drain(key, slot, write);
  return done;
}

async function drain(key: string, slot: { running: boolean; waiting: CellBatch | null }, write: (reports: ReportFields[]) => Promise<void>): Promise<void> {
  slot.running = true;
  while (slot.waiting) {
    const batch = slot.waiting;
    slot.waiting = null;
    try {
      await write(batch.reports);
      for (const s of batch.settle) s.resolve();
    } catch (err) {
      for (const s of batch.settle) s.reject(err);
    }
  }
  slot.running = false;
  cellBatches.delete(key);
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
 * Records a report in the cache. Across processes:
 * - on a shared database (`external`: MongoDB, or `db serve` behind several instances) the cell is written before
 *   this returns, as a compare-and-set on its revision, so instances never lose each other's entries; writes of
 *   one cell in this process never run side by side (reports arriving meanwhile go into the next write);
 * - on the embedded database the owner of DATA_DIR is the only process that records reports (CLI commands beside
 *   it send chat through it). There FerretDB 1.x updates a document only after scanning its whole collection (a
 *   county's thousands of cells: over 20 ms per report, and the database writes one thing at a time), while an
 *   insert costs well under a millisecond. So the report goes into `progress_pending` (a small insert, before the
 *   report is acknowledged), its cell changes in this process's memory at once, and the cells written since the
 *   last second are stored together (see Deferred): a busy cell once for all its reports. A crash loses nothing:
 *   the pending reports are merged into their cells by the next process that opens the database.
 */
export async function recordProgress(store: Store, r: ReportFields & { _id?: string }): Promise<void> {
  const _id = progressId(r.taskId, r.department);
  try {
    if (store.kind === 'embedded') return await deferCell(store, _id, r);
    return await coalesced(`${store.conn.name}:${_id}`, r, (reports) => writeCell(store, _id, reports, true));
  } finally {
    bumpGeneration(store);
  }
}

// ---- the embedded database: cells written a second later, all together ----------------------------------------

/** How long a cell's reports wait to be written together. Readers of whole plans never wait for it (flushProgress). */
export const FLUSH_AFTER_MS = 1000;

interface PendingCell {
  reports: ReportFields[];
  pendingIds: string[];
}

interface Deferred {
  /** Recorded, not yet being written: by cell. */
  waiting: Map<string, PendingCell>;
  /** Being written now: still shown by progressOf until the write has stood. */
  writing: Map<string, PendingCell>;
  flushing: Promise<void> | null;
  timer: NodeJS.Timeout | null;
  /** Pending reports a crash left in the database, merged into their cells once per process (see replayPending). */
  replayed: Promise<void> | null;
}

const deferredByStore = new WeakMap<Store, Deferred>();

function deferredOf(store: Store): Deferred {
  let d = deferredByStore.get(store);
  if (!d) {
    deferredByStore.set(store, (d = { waiting: new Map(), writing: new Map(), flushing: null, timer: null, replayed: null }));
    store.beforeClose.push(() => flushProgress(store));
  }
  return d;
}

async function deferCell(store: Store, _id: string, r: ReportFields & { _id?: string }): Promise<void> {
  const d = deferredOf(store);
  await replayPending(store);
  const pendingId = r._id ?? `local:${randomUUID()}`;
  // Durable before the report is acknowledged: 'duplicate' is an earlier delivery of the same report, also pending
  // or already merged (merging again changes nothing).
  await insertGrouped(store.models.ProgressPending.collection, {
    _id: pendingId, cell: _id, planId: r.planId, taskId: r.taskId, department: r.department, entry: JSON.stringify(toEntry(r)),
  });
  const cell = d.waiting.get(_id) ?? { reports: [], pendingIds: [] };
  cell.reports.push(r);
  cell.pendingIds.push(pendingId);
  d.waiting.set(_id, cell);
  if (!d.timer) {
    d.timer = setTimeout(() => {
      d.timer = null;
      // A failed write keeps its reports waiting (and pending in the database); the next report or reader retries.
      flushProgress(store).catch(() => undefined);
    }, FLUSH_AFTER_MS);
    d.timer.unref();
  }
}

/** The reports of a cell this process recorded but has not stored in the cell yet (embedded database only). */
function unstoredReports(store: Store, _id: string): ReportFields[] {
  const d = deferredByStore.get(store);
  if (!d) return [];
  return [...(d.writing.get(_id)?.reports ?? []), ...(d.waiting.get(_id)?.reports ?? [])];
}

/**
 * Writes every cell with reports waiting, now, and deletes their pending records. Whole-plan readers call it first,
 * so what they read from the database holds every report this process has acknowledged.
 */
export async function flushProgress(store: Store): Promise<void> {
  const d = deferredByStore.get(store);
  if (!d) return;
  await replayPending(store);
  while (d.flushing) await d.flushing.catch(() => undefined);
  if (d.waiting.size === 0) return;
  if (d.timer) {
    clearTimeout(d.timer);
    d.timer = null;
  }
  const batch = d.waiting;
  d.waiting = new Map();
  d.writing = batch;
  d.flushing = (async () => {
    try {
      // One write per cell, all at once: the grouped update sends them as a few bulk writes.
      await Promise.all([...batch].map(([id, cell]) => writeCell(store, id, cell.reports, false)));
      const ids = [...batch.values()].flatMap((c) => c.pendingIds);
      for (let i = 0; i < ids.length; i += 500) await store.models.ProgressPending.deleteMany({ _id: { $in: ids.slice(i, i + 500) } });
    } catch (err) {
      // Back to waiting, before anything that came meanwhile (merging is order-free, so only tidiness is at stake).
      for (const [id, cell] of batch) {
        const later = d.waiting.get(id);
        d.waiting.set(id, later ? { reports: [...cell.reports, ...later.reports], pendingIds: [...cell.pendingIds, ...later.pendingIds] } : cell);
      }
      throw err;
    } finally {
      d.writing = new Map();
      d.flushing = null;
    }
  })();
  await d.flushing;
}

/**
 * Merges the pending reports a crash left (or a restore brought) into their cells, once per process, before this
 * process reads or records any cell. Only the embedded database's owner does it: a bot's pending reports are its
 * own business while it runs.
 */
function replayPending(store: Store): Promise<void> {
  if (store.kind !== 'embedded') return Promise.resolve();
  const d = deferredOf(store);
  d.replayed ??= (async () => {
    const { ProgressPending } = store.models;
    const docs = await ProgressPending.find({}).lean<ProgressPendingDoc[]>();
    if (docs.length === 0) return;
    const byCell = new Map<string, ReportFields[]>();
    for (const p of docs) {
      const e = JSON.parse(p.entry) as ProgressEntry & { at: string };
      const r: ReportFields = { planId: p.planId, taskId: p.taskId, department: p.department, period: e.period, at: new Date(e.at), status: e.status, percent: e.percent, note: e.note, userid: e.userid, seq: e.seq ?? null };
      byCell.set(p.cell, [...(byCell.get(p.cell) ?? []), r]);
    }
    await Promise.all([...byCell].map(([id, reports]) => writeCell(store, id, reports, false)));
    for (let i = 0; i < docs.length; i += 500) await ProgressPending.deleteMany({ _id: { $in: docs.slice(i, i + 500).map((p) => p._id) } });
    bumpGeneration(store);
  })().catch((err) => {
    d.replayed = null; // tried again by the next caller
    throw err;
  });
  return d.replayed;
}

async function readCell(store: Store, _id: string): Promise<Cell | null> {
  const doc = await store.models.Progress.findOne({ _id }).lean<ProgressDoc>();
  return doc ? { entries: decodeEntries(doc.entries), truncated: doc.truncated ?? false, rev: doc.rev ?? 0 } : null;
}

/** The cell's entries with every one of `reports` merged in, and whether older weeks were dropped. */
function mergeAll(entries: ProgressEntry[], reports: ReportFields[]): { entries: ProgressEntry[]; dropped: boolean } {
  let dropped = false;
  for (const r of reports) {
    const merged = mergeEntry(entries, toEntry(r));
    entries = merged.entries;
    dropped ||= merged.dropped;
  }
  return { entries, dropped };
}

async function writeCell(store: Store, _id: string, reports: ReportFields[], cas: boolean): Promise<void> {
  const r = reports[0]!;
  const { Progress } = store.models;
  const known = knownOf(store);
  let cell: Cell | null | undefined = known.get(_id);
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    if (cell === undefined) cell = await readCell(store, _id);
    if (cell === null) {
      const first = mergeAll([], reports);
      const created = { entries: first.entries, truncated: first.dropped, rev: 1 };
      try {
        await Progress.collection.insertOne({ _id, planId: r.planId, taskId: r.taskId, department: r.department, entries: encodeEntries(created.entries), truncated: created.truncated, rev: 1 } as never);
        known.set(_id, created);
        return;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        cell = undefined; // created meanwhile: merge into it
        continue;
      }
    }
    const { entries, dropped } = mergeAll(cell.entries, reports);
    if (entries === cell.entries && (!dropped || cell.truncated)) {
      if (known.get(_id) === cell) return; // what we know is what we wrote or read: nothing to change
      known.set(_id, cell);
      return;
    }
    const next = { entries, truncated: cell.truncated || dropped, rev: cell.rev + 1 };
    // The driver's update: every field is a plain value, and mongoose's casting costs a burst dearly.
    const set = { entries: encodeEntries(next.entries), truncated: next.truncated, rev: next.rev };
    // On a shared database a compare-and-set, alone; on the embedded one by _id, grouped with other cells' writes.
    const matched = cas
      ? (await Progress.collection.updateOne({ _id, rev: cell.rev } as never, { $set: set })).matchedCount === 1
      : await updateByIdGrouped(Progress.collection as never, _id, set);
    if (matched) {
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
  await flushProgress(store); // no write of this process's lands on a cell after it was rebuilt
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
  await flushProgress(store);
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
  await flushProgress(store);
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

/**
 * The cached entries (newest first) of given (task, department) cells, by _id lookups: FerretDB's fast path. On the
 * embedded database this process is the only one recording reports (see recordProgress), so a cell it wrote or read
 * is answered from what it knows, without a round trip: the report path reads its own cell on every report.
 */
export async function progressOf(store: Store, cells: Array<{ taskId: Types.ObjectId; department: string }>): Promise<Map<string, ProgressEntry[]>> {
  const known = store.kind === 'embedded' ? knownOf(store) : null;
  if (known) await replayPending(store);
  const found = await Promise.all(cells.map(async (c) => {
    const _id = progressId(c.taskId, c.department);
    let stored = known?.get(_id)?.entries;
    if (!stored && known) {
      // Remembered from now on (unless a write got there first): the next report of this cell reads nothing.
      const cell = await readCell(store, _id);
      if (cell && !known.has(_id)) known.set(_id, cell);
      stored = cell?.entries ?? [];
    }
    stored ??= decodeEntries((await store.models.Progress.findOne({ _id }, { entries: 1 }).lean<ProgressDoc>())?.entries);
    // Reports recorded here but not yet written to the cell (embedded database): merged in as the write will.
    const unstored = known ? unstoredReports(store, _id) : [];
    return unstored.length ? mergeAll(stored, unstored).entries : stored;
  }));
  const out = new Map<string, ProgressEntry[]>();
  found.forEach((entries, i) => {
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
