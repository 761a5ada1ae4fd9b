// The progress cache must say what the reports say: the digest and lists read it instead of every report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { buildStandings as buildSnapshot } from '../../src/domain/standing.ts';
import { weekBounds } from '../../src/domain/period.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import type { PlanDoc, TaskDoc } from '../../src/store/models.ts';
import type { ReportStatus } from '../../src/domain/vocabulary.ts';
import { cachedReports, decodeEntries, ENTRIES_KEPT, flushProgress, mergeEntry, rebuildProgress } from '../../src/store/progress-cache.ts';
import { appendReport } from '../../src/store/reports.ts';
import { concreteDepartments, toSnapshotTask } from '../../src/store/snapshot-queries.ts';
import { loadStandings as loadSnapshot } from '../../src/standing/index.ts';
import { openTestStore } from '../helpers/store.ts';

const clock = new ManualClock('2021-07-01T00:00:00Z');
let store: Store;
let plan: PlanDoc;
let tasks: TaskDoc[];

function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

beforeAll(async () => {
  store = await openTestStore('progress');
  await importPlanFile(store, BUNDLED_PLAN, clock);
  plan = (await store.models.Plan.findOne({}).lean())!;
  tasks = (await store.models.Task.find({}).lean()) as TaskDoc[];
  // 400 reports over 12 weeks, some cells reporting many times a week, written concurrently in bursts.
  const random = rng(7);
  const statuses: ReportStatus[] = ['in_progress', 'in_progress', 'blocked', 'done', 'not_started'];
  const jobs = Array.from({ length: 400 }, (_, i) => {
    const task = tasks[Math.floor(random() * 12)]!; // few tasks: many reports per cell, so weeks get dropped
    const department = task.departments[Math.floor(random() * task.departments.length)] ?? '经贸办';
    const at = new Date(Date.parse('2021-07-05T00:00:00Z') + Math.floor(random() * 84 * 24) * 3600_000);
    return { task, department, at, status: statuses[Math.floor(random() * statuses.length)]!, i };
  });
  for (let i = 0; i < jobs.length; i += 20) {
    await Promise.all(jobs.slice(i, i + 20).map((j) => appendReport(store, {
      task: j.task, department: j.department, userid: 'u', at: j.at, status: j.status, percent: null, note: `n${j.i}`, sourceMsgId: `m${j.i}`,
    })));
  }
});
afterAll(async () => store.close());

describe('progress cache', () => {
  it('keeps the later report of a week, whatever the order they arrive in, and at most the newest weeks', () => {
    const e = (period: string, at: string) => ({ period, at: new Date(at), status: 'in_progress' as const, percent: 1, note: '', userid: 'u' });
    let entries = mergeEntry([], e('2021-W30', '2021-07-28T00:00:00Z')).entries;
    entries = mergeEntry(entries, e('2021-W30', '2021-07-27T00:00:00Z')).entries; // older: ignored
    expect(entries).toHaveLength(1);
    expect(entries[0]!.at.toISOString()).toBe('2021-07-28T00:00:00.000Z');
    let dropped = false;
    for (let w = 31; w < 31 + ENTRIES_KEPT; w++) {
      const r = mergeEntry(entries, e(`2021-W${w}`, `2021-08-${String(w - 30).padStart(2, '0')}T00:00:00Z`));
      entries = r.entries;
      dropped ||= r.dropped;
    }
    expect(entries).toHaveLength(ENTRIES_KEPT);
    expect(dropped).toBe(true);
    expect(entries.map((x) => x.period)).not.toContain('2021-W30');
  });

  it('matches a rebuild from the reports after concurrent writes', async () => {
    await flushProgress(store); // the embedded database's owner writes its cells a moment later
    const live = await store.models.Progress.find({}).sort({ _id: 1 }).lean();
    await rebuildProgress(store, plan._id);
    const rebuilt = await store.models.Progress.find({}).sort({ _id: 1 }).lean();
    const shape = (docs: typeof live) => docs.map((d) => ({ id: d._id, truncated: d.truncated, entries: decodeEntries(d.entries).map((x) => `${x.period} ${x.at.toISOString()} ${x.note}`) }));
    expect(shape(live)).toEqual(shape(rebuilt));
  });

  it('gives the same snapshot as the reports themselves, for every week it can answer, and declines older ones', async () => {
    const departments = await concreteDepartments(store);
    const all = (await store.models.Report.find({}).lean()).map((r) => ({
      taskId: String(r.taskId), department: r.department, userid: r.userid, at: r.at, status: r.status, percent: r.percent, note: r.note,
    }));
    const snapshotTasks = tasks.map((t) => toSnapshotTask(t, clock.now()));
    let answered = 0;
    let declined = 0;
    for (let week = 0; week < 13; week++) {
      const asOf = new Date(Date.parse('2021-07-11T15:59:59Z') + week * 7 * 24 * 3600_000); // each Sunday night
      const period = weekBounds(new Date(asOf.getTime() - 3600_000));
      const cached = await cachedReports(store, plan._id, period.start);
      if (!cached) {
        declined++;
        continue;
      }
      answered++;
      const fromCache = await loadSnapshot(store, plan, period, asOf);
      const truth = buildSnapshot({ tasks: snapshotTasks, departments, reports: all, period, asOf, planStart: plan.date });
      const view = (cells: typeof truth) => cells.map((c) => `${c.task.code}|${c.department}|${c.latest?.note ?? '-'}|${c.latestBefore?.note ?? '-'}|${c.reportedInPeriod}|${c.owes}|${c.light}`).sort();
      expect(view(fromCache)).toEqual(view(truth));
    }
    expect(answered).toBeGreaterThan(3);
    expect(declined).toBeGreaterThan(0); // early weeks were dropped from busy cells: the slow path answers those
  });
});

describe('progress cache shared by two instances', () => {
  it('loses neither instance’s entries on a shared database: each write is a compare-and-set', async () => {
    // Two instances as they share a MongoDB (or `db serve`): both connections "external", on the run's server.
    const { connectStore } = await import('../../src/store/database.ts');
    const { inject } = await import('vitest');
    const one = await connectStore(inject('mongoUri'), store.conn.name, 'external');
    const other = await connectStore(inject('mongoUri'), store.conn.name, 'external');
    try {
      const task = tasks.find((t) => t.code === '7.2')!;
      const report = (week: number, note: string, msg: string) => ({
        task, department: '统计站', userid: 'u', at: new Date(Date.parse('2021-09-06T02:00:00Z') + week * 7 * 24 * 3600_000),
        status: 'in_progress' as const, percent: 10 + week, note, sourceMsgId: msg,
      });
      await appendReport(one, report(0, 'a0', 'cas-0')); // this instance now knows the cell
      await appendReport(other, report(1, 'b1', 'cas-1')); // the other writes behind its back
      await appendReport(one, report(2, 'a2', 'cas-2')); // a stale guess: must re-read, not overwrite
      await Promise.all([appendReport(one, report(3, 'a3', 'cas-3')), appendReport(other, report(4, 'b4', 'cas-4'))]);
      const { progressId } = await import('../../src/store/progress-cache.ts');
      const cell = await store.models.Progress.findOne({ _id: progressId(task._id, '统计站') }).lean();
      expect(decodeEntries(cell?.entries).map((e) => e.note)).toEqual(['b4', 'a3', 'a2', 'b1', 'a0']);
    } finally {
      await one.close();
      await other.close();
    }
  });
});
