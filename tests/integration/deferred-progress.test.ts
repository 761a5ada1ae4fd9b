// On the embedded database the progress cells are written a moment after their reports, all together
// (src/store/progress-cache.ts): FerretDB 1.x scans a collection for every update. What must hold: every view of
// this process sees a report the moment it is acknowledged, a busy cell is written once for many reports, and a
// crash before the write loses nothing — the next process merges the pending reports into their cells.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import { connectStore, type Store } from '../../src/store/database.ts';
import type { PlanDoc, TaskDoc } from '../../src/store/models.ts';
import { cachedReports, decodeEntries, flushProgress, progressId, rebuildProgress, reportsOfCells } from '../../src/store/progress-cache.ts';
import { appendReport } from '../../src/store/reports.ts';
import { testDbName } from '../helpers/store.ts';

const dbName = testDbName('deferred');
let store: Store;
let plan: PlanDoc;
let task: TaskDoc;

/** The owner of an embedded database, whatever server this test run uses. */
function openOwner(): Promise<Store> {
  return connectStore(inject('mongoUri'), dbName, 'embedded');
}

const report = (i: number, note = `第${i}次`) => ({
  task, department: '经贸办', userid: 'jmb', at: new Date(Date.parse('2021-07-05T02:00:00Z') + i * 60_000),
  status: 'in_progress' as const, percent: i, note, sourceMsgId: `deferred-${note}`, seq: 1_000_000 + i,
});

async function storedCell(s: Store) {
  const doc = await s.models.Progress.findOne({ _id: progressId(task._id, '经贸办') }).lean();
  return doc ? { rev: doc.rev, notes: decodeEntries(doc.entries).map((e) => e.note) } : null;
}

beforeAll(async () => {
  store = await openOwner();
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  plan = (await store.models.Plan.findOne({}).lean())!;
  task = (await store.models.Task.findOne({ code: '7.3' }).lean())! as TaskDoc;
});
afterAll(async () => {
  await store.conn.dropDatabase().catch(() => undefined);
  await store.close();
});

describe('progress cells on the embedded database', () => {
  it('shows an acknowledged report at once, and writes a busy cell once for all its reports', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => appendReport(store, report(i + 1))));
    // Not in the cell yet, but pending in the database and seen by this process's reads.
    expect(await storedCell(store)).toBeNull();
    expect(await store.models.ProgressPending.countDocuments({})).toBe(30);
    const seen = await reportsOfCells(store, [{ taskId: task._id, department: '经贸办' }]);
    expect(seen[0]).toMatchObject({ note: '第30次', percent: 30 }); // the last received of its week
    // A whole-plan reader writes what is waiting first, so the database itself holds it.
    const plain = await cachedReports(store, plan._id, new Date('2021-07-05T00:00:00Z'));
    expect(plain?.find((r) => r.department === '经贸办' && r.taskId === String(task._id))?.note).toBe('第30次');
    const cell = await storedCell(store);
    expect(cell).toEqual({ rev: 1, notes: ['第30次'] }); // one write for thirty reports
    expect(await store.models.ProgressPending.countDocuments({})).toBe(0);
  });

  it('loses nothing when the process dies before writing the cell: the next owner merges the pending reports', async () => {
    await appendReport(store, report(40, '崩溃前'));
    expect(await store.models.ProgressPending.countDocuments({})).toBe(1);
    // The process dies: its connection ends without the write it was holding back.
    await store.conn.close();

    store = await openOwner();
    const seen = await reportsOfCells(store, [{ taskId: task._id, department: '经贸办' }]);
    expect(seen[0]).toMatchObject({ note: '崩溃前', percent: 40 });
    expect(await store.models.ProgressPending.countDocuments({})).toBe(0);
    expect((await storedCell(store))?.notes[0]).toBe('崩溃前');
    // And the cell is what a rebuild from the reports gives.
    const before = await storedCell(store);
    await rebuildProgress(store, plan._id);
    expect((await storedCell(store))?.notes).toEqual(before?.notes);
  });

  it('writes what it holds back when the store closes', async () => {
    await appendReport(store, report(50, '关闭前'));
    await store.close();
    store = await openOwner();
    expect(await store.models.ProgressPending.countDocuments({})).toBe(0);
    expect((await storedCell(store))?.notes[0]).toBe('关闭前');
  });
});
