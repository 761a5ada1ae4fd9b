// Reports are appended, never rewritten; the current state is the latest report per (task, department).
import { Types } from 'mongoose';
import { weekKey } from '../domain/period.ts';
import type { Store } from './database.ts';
import { type ReportDoc, type TaskDoc } from './models.ts';
import { insertGrouped } from './grouped-writes.ts';
import { type ReportStatus } from '../domain/vocabulary.ts';
import { recordProgress } from './progress-cache.ts';
import { noteReport } from './report-log.ts';

export interface NewReport {
  task: Pick<TaskDoc, '_id' | 'code' | 'planId'>;
  department: string;
  userid: string;
  at: Date;
  status: ReportStatus;
  percent: number | null;
  note: string;
  sourceMsgId: string | null;
  /** Order of receipt; without one (CLI, old callers) the report is ordered by `at`. */
  seq?: number | null;
}

/**
 * Appends a report. Keyed by the source message, so WeCom's retries and replays write it once;
 * returns the stored report and whether this call wrote it.
 */
export async function appendReport(store: Store, r: NewReport): Promise<{ report: ReportDoc; created: boolean }> {
  const key = r.sourceMsgId ? `msg:${r.sourceMsgId}|${r.task.code}|${r.department}` : `local:${new Types.ObjectId().toHexString()}`;
  const report: ReportDoc = {
    _id: key,
    key,
    planId: r.task.planId,
    taskId: r.task._id,
    taskCode: r.task.code,
    department: r.department,
    userid: r.userid,
    at: r.at,
    period: weekKey(r.at),
    status: r.status,
    percent: r.percent,
    note: r.note,
    sourceMsgId: r.sourceMsgId,
    seq: r.seq ?? null,
  };
  // Every field is set here, so the driver's insert does (a mongoose document costs a burst dearly), grouped
  // with the other reports of the moment (grouped-writes.ts). The cache is written at the same time, not after:
  // the message is journalled, so if the insert fails the message runs again (WeCom's retry or the recovery
  // sweep) until the report stands, and an entry for it in the cache is never one for a report that is lost.
  const inserted = insertGrouped(store.models.Report.collection, report as never).then((outcome) => {
    // At once, not after the cache's write: a first read of the report log that ends in between must find it noted.
    if (outcome === 'inserted') noteReport(store, report);
    return outcome;
  });
  const [outcome] = await Promise.all([inserted, recordProgress(store, report)]);
  if (outcome === 'inserted') return { report, created: true };
  const existing = (await store.models.Report.findOne({ _id: key }).lean()) as ReportDoc | null;
  if (!existing) throw new Error(`report ${key}: refused as a duplicate, then not found`);
  // Harmless when the first delivery got this far; heals the cache when it crashed right after the insert.
  await recordProgress(store, existing);
  return { report: existing, created: false };
}
