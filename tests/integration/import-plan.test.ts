import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { parsePlan } from '../../src/domain/plan/parse-plan.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { hashSource, importPlan, ImportRefusedError, previewImport } from '../../src/store/import-plan.ts';
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

  it('never leaves a task with no department: a unit dropped from the document keeps the current ones', async () => {
    const text = readFileSync(BUNDLED_PLAN, 'utf8').replace(/(6、聚力突破招商引资。[^\n]*?)（责任部门：经贸办）/, '$1');
    const parsed = parsePlan(text);
    expect(parsed.tasks.find((t) => t.code === '7.6')?.departments).toEqual([]);
    const preview = await previewImport(store, parsed);
    expect(preview.warnings.some((w) => w.includes('7.6') && w.includes('保留'))).toBe(true);
    await importPlan(store, parsed, { sourceHash: hashSource(text), clock });
    expect((await store.models.Task.findOne({ code: '7.6' }).lean())?.departments.length).toBeGreaterThan(0);
  });

  it('keeps a task reassigned to a collective unit binding every department after a re-import', async () => {
    const t75 = (await store.models.Task.findOne({ code: '7.5' }).lean())!;
    await setTaskDepartments(store, clock, 'admin', t75, ['镇直各部门'], 'task.departments.transfer');
    await importPlanFile(store, BUNDLED_PLAN, clock);
    const after = (await store.models.Task.findOne({ code: '7.5' }).lean())!;
    expect(after.departments.length).toBeGreaterThan(0);
    // Either the collective unit stands (and binds everyone) or it was expanded to named departments.
    expect(after.collective || after.departments.every((d) => d !== '镇直各部门')).toBe(true);
  });

  it('previews without writing anything', async () => {
    const text = readFileSync(BUNDLED_PLAN, 'utf8').replace('（责任部门：经贸办、统计站）', '（责任部门：统计站）');
    const before = await store.models.Task.find({}).lean();
    const audits = await store.models.Audit.countDocuments({});
    const preview = await previewImport(store, parsePlan(text));
    expect(preview.refusal).toBeNull();
    expect(preview.updated.length).toBeGreaterThan(0);
    expect(preview.responsibility.some((r) => r.after.join() === '统计站')).toBe(true);
    expect(await store.models.Task.find({}).lean()).toEqual(before);
    expect(await store.models.Audit.countDocuments({})).toBe(audits);
  });

  it('refuses a document with tasks but no unit at all, and one with no tasks, changing nothing', async () => {
    const noUnits = parsePlan(readFileSync(BUNDLED_PLAN, 'utf8').replace(/（责任部门：[^）]*）/g, ''));
    expect(noUnits.tasks.length).toBeGreaterThan(0);
    await expect(importPlan(store, noUnits, { sourceHash: 'x', clock })).rejects.toBeInstanceOf(ImportRefusedError);
    const empty = parsePlan('关于召开会议的通知\n请准时参加。');
    await expect(importPlan(store, empty, { sourceHash: 'y', clock })).rejects.toThrow(/没有识别出任务/);
    expect(await store.models.Plan.countDocuments({})).toBe(1);
  });
});
