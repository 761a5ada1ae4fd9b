// Collective tasks (镇直各部门) bind the plan's own units: a unit another plan names once never joins them, the
// import preview says which plan a new unit joins, and a misspelled unit can be merged or removed by an admin.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { readPlanSource } from '../../src/plan-source.ts';
import { describePreview } from '../../src/plans/describe-preview.ts';
import type { Store } from '../../src/store/database.ts';
import { applyImport, previewImport } from '../../src/store/import-plan.ts';
import type { PlanDoc } from '../../src/store/models.ts';
import { planUnits, unitResolver } from '../../src/store/plan-units.ts';
import { startHarness, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/plans');
const SEED = join(FIXTURES, 'seed-nanwang-2021.txt');
const FIRE = join(FIXTURES, 'multi/xiaofang-2021.txt'); // names 消防中队 once, on a task of its own
const TYPO = join(FIXTURES, 'multi/jingmao-typo-2021.txt'); // writes 经贸办 as 经贸力, and a stray 档案室

let store: Store;
let h: Harness;
const clock = new ManualClock('2021-07-01T00:00:00Z');

/** Preview (as the CLI and the 方案 page print it), then import, as an admin would. */
async function importWithPreview(file: string, name: string): Promise<{ lines: string[]; plan: PlanDoc }> {
  const { parsed, sourceHash } = await readPlanSource(file);
  const preview = await previewImport(store, parsed, { name });
  expect(preview.refusal).toBeNull();
  await applyImport(store, parsed, preview, { sourceHash, clock, actor: 'admin' });
  return { lines: describePreview(preview), plan: (await store.models.Plan.findOne({ name }).lean<PlanDoc>())! };
}

let seed: PlanDoc;
let fire: PlanDoc;
let typo: PlanDoc;

beforeAll(async () => {
  store = await openTestStore('planunits');
  ({ plan: seed } = await importWithPreview(SEED, '政务公开'));
  await store.models.Member.create([
    { userid: 'admin', name: '党政办管理员', departments: ['党政办'], roles: ['member', 'admin'] },
    { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
  ]);
  h = await startHarness(store);
});
afterAll(async () => {
  await h?.close();
  await store?.close();
});

describe('a unit another plan names', () => {
  it('is announced in the preview with the plan it joins, and never joins the first plan', async () => {
    const before = await planUnits(store, seed._id);
    expect(before).toContain('经贸办');
    expect(before).not.toContain('消防中队');

    const { lines, plan } = await importWithPreview(FIRE, '消防');
    fire = plan;
    const text = lines.join('\n');
    expect(text).toContain('新单位“消防中队”将纳入本方案“消防”的“镇直各部门”任务（共 1 项），不纳入其他方案的“镇直各部门”任务');

    expect(await planUnits(store, seed._id)).toEqual(before);
    expect(await planUnits(store, fire._id)).toEqual(expect.arrayContaining(['消防中队', '村建办']));
    expect(await planUnits(store, fire._id)).not.toContain('经贸办');
  });
});

describe('a misspelled unit', () => {
  it('is flagged by the preview as one character away from a known unit', async () => {
    const { lines, plan } = await importWithPreview(TYPO, '营商');
    typo = plan;
    const text = lines.join('\n');
    expect(text).toContain('新单位“经贸力”将纳入本方案“营商”');
    expect(text).toContain('与已有的“经贸办”只差一字，如是写错，导入后可用：合并单位 经贸力 经贸办');
    expect(await planUnits(store, typo._id)).toEqual(expect.arrayContaining(['经贸力', '档案室', '统计站']));
    expect(await planUnits(store, seed._id)).not.toContain('经贸力');
  });

  it('can be merged by an admin only: assignments and members move, reports stay and count for the right unit', async () => {
    await store.models.Member.create({ userid: 'jml', name: '误绑联络员', departments: ['经贸力'], roles: ['member'] });
    expect(await h.say('jml', '汇报 营商1.1 50% 已走访三家企业')).toContain('已记录');

    expect(await h.say('jmb', '合并单位 经贸力 经贸办')).toContain('只有管理员可以使用');
    const reply = await h.say('admin', '合并单位 经贸力 经贸办 方案写错');
    expect(reply).toContain('已把“经贸力”合并到“经贸办”');
    expect(reply).toContain('营商 1.1');
    expect(reply).toContain('原有 1 条汇报保留，计入经贸办');

    for (const plan of [seed, fire, typo]) expect(await planUnits(store, plan._id)).not.toContain('经贸力');
    expect(await store.models.Task.countDocuments({ departments: '经贸力' })).toBe(0);
    expect((await store.models.Task.findOne({ planId: typo._id, code: '1.1' }).lean())!.departments).toEqual(['经贸办', '统计站']);
    expect(await store.models.Department.countDocuments({ name: '经贸力' })).toBe(0);
    expect((await store.models.Member.findOne({ userid: 'jml' }).lean())!.departments).toEqual(['经贸办']);

    // The report is history: written as it was, read as the unit it belongs to now.
    const report = (await store.models.Report.findOne({ userid: 'jml' }).lean())!;
    expect(report.department).toBe('经贸力');
    expect((await unitResolver(store))(report.department)).toBe('经贸办');

    const audit = await store.models.Audit.findOne({ action: 'unit.merge' }).lean();
    expect(audit).toMatchObject({ actor: 'admin', target: 'unit:经贸力', after: { unit: '经贸办' }, note: '方案写错' });
    expect((audit!.before as { tasks: string[] }).tasks).toEqual(['营商 1.1']);
  });

  it('does not come back when the same file is imported again', async () => {
    const { lines } = await importWithPreview(TYPO, '营商');
    expect(lines.join('\n')).toContain('“经贸力”已合并到“经贸办”');
    expect(await store.models.Department.countDocuments({ name: '经贸力' })).toBe(0);
    expect(await store.models.Task.countDocuments({ departments: '经贸力' })).toBe(0);
    expect(await planUnits(store, typo._id)).not.toContain('经贸力');
    // Typing the old name finds the right unit.
    expect(await h.say('jmb', '汇报 营商1.1 经贸力 60% 已办结两件')).toContain('已记录');
  });
});

describe('removing a unit', () => {
  it('is refused while a task would be left with nobody, and names the way out', async () => {
    const reply = await h.say('admin', '删除单位 消防中队 误加');
    expect(reply).toContain('唯一的责任单位');
    expect(reply).toContain('转办 消防1.1');
    expect(await planUnits(store, fire._id)).toContain('消防中队');
  });

  it('is refused while the unit has reports, pointing to 合并单位', async () => {
    await store.models.Member.create({ userid: 'xfz', name: '消防中队联络员', departments: ['消防中队'], roles: ['member'] });
    await h.say('xfz', '汇报 消防1.1 30% 已检查十家门店');
    await store.models.Member.deleteOne({ userid: 'xfz' });
    const reply = await h.say('admin', '删除单位 消防中队 误加');
    expect(reply).toContain('已有 1 条汇报，不能删除');
    expect(reply).toContain('合并单位 消防中队 正确名称');
  });

  it('takes a unit that never did anything out of every plan, with the reason audited', async () => {
    expect(await h.say('admin', '删除单位 档案室')).toContain('请写明删除原因');
    const reply = await h.say('admin', '删除单位 档案室 方案误列');
    expect(reply).toContain('已删除单位“档案室”');
    expect(await planUnits(store, typo._id)).not.toContain('档案室');
    expect((await store.models.Task.findOne({ planId: typo._id, code: '1.2' }).lean())!.departments).toEqual(['统计站']);
    expect(await store.models.Audit.findOne({ action: 'unit.remove' }).lean()).toMatchObject({ target: 'unit:档案室', note: '方案误列' });
  });
});

describe('adding a unit to a plan', () => {
  it('lets a town department the plan never names take part in its collective tasks', async () => {
    expect(await planUnits(store, fire._id)).not.toContain('统计站');
    expect(await h.say('admin', '纳入单位 统计站 消防')).toContain('已把统计站纳入方案“消防”');
    expect(await planUnits(store, fire._id)).toContain('统计站');
    expect(await h.say('admin', '纳入单位 统计站 消防')).toContain('已经是方案“消防”的单位');
    expect(await store.models.Audit.findOne({ action: 'unit.add' }).lean()).toMatchObject({ target: 'unit:统计站', planId: fire._id });
  });
});
