// The pages' list of every report: on the embedded database a copy read once and extended by this process's
// appends, so it must always equal what the reports collection holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { planReports } from '../../src/store/report-log.ts';
import { appendReport } from '../../src/store/reports.ts';
import { openTestStore } from '../helpers/store.ts';

const clock = new ManualClock('2021-07-20T02:00:00Z');
let store: Store;

beforeAll(async () => {
  store = await openTestStore('reportlog');
  await importPlanFile(store, BUNDLED_PLAN, clock);
});
afterAll(async () => {
  await store.close();
});

describe('planReports', () => {
  it('holds every stored report, oldest first, including those appended during and after the first read', async () => {
    const task = (await store.models.Task.findOne({ code: '7.5' }).lean())!;
    const add = (hour: number, note: string, msg: string) =>
      appendReport(store, { task, department: '经贸办', userid: 'u1', at: new Date(Date.UTC(2021, 6, 20, hour)), status: 'in_progress', percent: 10, note, sourceMsgId: msg });
    await add(3, 'a', 'm1');
    const first = planReports(store, task.planId); // the read is under way …
    await add(1, 'b-earlier', 'm2'); // … while another report arrives
    await first;
    await add(5, 'c', 'm3');
    await add(5, 'c', 'm3'); // a redelivery stores nothing twice
    const stored = await store.models.Report.find({ planId: task.planId }).lean();
    const copy = await planReports(store, task.planId);
    expect(copy.map((r) => r.note)).toEqual(['b-earlier', 'a', 'c']);
    expect(copy.map((r) => r._id).sort()).toEqual(stored.map((r) => r._id).sort());
  });
});
