import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { parsePlan } from '../../src/domain/plan/parse-plan.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { hashSource, importPlan } from '../../src/store/import-plan.ts';
import { appendReport } from '../../src/store/reports.ts';
import { setTaskDepartments } from '../../src/store/task-assignments.ts';
import { openTestStore } from '../helpers/store.ts';

const clock = new ManualClock('2021-07-01T00:00:00Z');
let store: Store;
beforeAll(async () => {
  store = await openTestStore('import');
});
afterAll(async () => store.close());

describe('plan import', () => {
  it('imports the 2021 plan: 65 tasks, departments and collective units', async () => {
    const r = await importPlanFile(store, BUNDLED_PLAN, clock);
    expect(r.created).toHaveLength(65);
    expect(await store.models.Task.countDocuments({})).toBe(65);
    expect(await store.models.Plan.countDocuments({})).toBe(1);
    const t5 = await store.models.Task.findOne({ code: '5' }).lean();
    expect(t5?.departments).toEqual(['镇疫情防控指挥部', '南旺医院', '派出所', '市场监管所']);
    expect(await store.models.Department.findOne({ name: '镇直各部门' }).lean()).toMatchObject({ collective: true });
    expect(await store.models.Department.findOne({ name: '经贸办' }).lean()).toMatchObject({ collective: false });
  });

  it('imports the same plan again without duplicating anything', async () => {
    const r = await importPlanFile(store, BUNDLED_PLAN, clock);
    expect(r.created).toEqual([]);
    expect(r.updated).toEqual([]);
    expect(r.unchanged).toHaveLength(65);
    expect(await store.models.Task.countDocuments({})).toBe(65);
  });

  it('applies an amended plan by code, keeps progress history, and keeps an admin’s reassignment', async () => {
    const task = (await store.models.Task.findOne({ code: '7.5' }).lean())!;
    await appendReport(store, { task, department: '经贸办', userid: 'u1', at: clock.now(), status: 'in_progress', percent: 40, note: 'x', sourceMsgId: 'm1' });
    const t76 = (await store.models.Task.findOne({ code: '7.6' }).lean())!;
    await setTaskDepartments(store, clock, 'admin', t76, ['经贸办', '统计站'], 'task.departments.transfer');

    const text = readFileSync(BUNDLED_PLAN, 'utf8')
      .replace('（责任部门：村建办、经贸办）', '（责任部门：村建办、经贸办、科技办）') // 7.5 gets a new unit
      .replace(/28、拓展“和为贵”[^\n]*\n/, ''); // 7.28 dropped
    const r = await importPlan(store, parsePlan(text), { sourceHash: hashSource(text), clock });
    expect(r.updated).toContain('7.5');
    expect(r.retired).toEqual(['7.28']);
    expect(await store.models.Task.countDocuments({})).toBe(65);
    expect((await store.models.Task.findOne({ code: '7.5' }).lean())?.departments).toEqual(['村建办', '经贸办', '科技办']);
    expect((await store.models.Task.findOne({ code: '7.6' }).lean())?.departments).toEqual(['经贸办', '统计站']);
    expect(await store.models.Report.countDocuments({ taskCode: '7.5' })).toBe(1);
    expect(await store.models.Audit.countDocuments({ action: 'task.departments.plan-changed', target: 'task:7.5' })).toBe(1);

    // The original document again: 7.28 comes back, not as a second task.
    const again = await importPlanFile(store, BUNDLED_PLAN, clock);
    expect(again.created).toEqual([]);
    expect(await store.models.Task.countDocuments({ retired: false })).toBe(65);
  });
});
