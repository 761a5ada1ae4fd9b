// Tasks of 镇直各部门 bind every department: reports are filed under each reporter's own department.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { weekBounds } from '../../src/domain/period.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { loadStandings as loadSnapshot } from '../../src/standing/index.ts';
import { startHarness, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
let h: Harness;
beforeAll(async () => {
  store = await openTestStore('collective');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create([
    { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
    { userid: 'admin', name: '党政办', departments: ['党政办'], roles: ['member', 'admin'] },
  ]);
  h = await startHarness(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

async function owingDepartments(code: string) {
  const plan = (await store.models.Plan.findOne({}).lean())!;
  const now = h.clock.now();
  return (await loadSnapshot(store, plan, weekBounds(now), now)).filter((c) => c.task.code === code && c.owes).map((c) => c.department);
}

describe('collective tasks', () => {
  it('show the departments that reported under 任务, and how many have not', async () => {
    expect(await h.say('jmb', '汇报 8 50% 已解读两份文件')).toContain('经贸办：推进中 50%');
    const detail = await h.say('jmb', '任务 8');
    expect(detail).toContain('全镇各部门共同负责');
    expect(detail).toMatch(/经贸办：推进中 50%/);
    expect(detail).toMatch(/其余 \d+ 个部门尚未汇报/);
    expect(detail).toContain('已解读两份文件');
    expect(detail).toContain('汇报：汇报 8 60% 说明');
  });

  it('stop binding every department once reassigned to named ones, and start again when given back', async () => {
    expect((await owingDepartments('9')).length).toBeGreaterThan(20);
    await h.say('admin', '转办 9 党政办 司法所');
    expect(await store.models.Task.findOne({ code: '9' }).lean()).toMatchObject({ departments: ['党政办', '司法所'], collective: false });
    expect((await owingDepartments('9')).sort()).toEqual(['党政办', '司法所'].sort());
    await h.say('admin', '增派 9 镇直各部门');
    // Spelled out as the departments it stands for: a task never depends on a unit name a re-import may drop.
    const given = (await store.models.Task.findOne({ code: '9' }).lean())!;
    expect(given.departments.length).toBeGreaterThan(20);
    expect(given.departments).not.toContain('镇直各部门');
    const owing = await owingDepartments('9');
    expect(owing.length).toBeGreaterThan(20);
    expect(owing).not.toContain('镇直各部门'); // a unit no one can report for never owes
  });
});

describe('reassigning to a collective unit', () => {
  it('转办 7.5 镇直各部门 spells out every department, so the task is never left with none', async () => {
    const reply = await h.say('admin', '转办 7.5 镇直各部门');
    const task = (await store.models.Task.findOne({ code: '7.5' }).lean())!;
    const all = (await store.models.Department.find({ collective: false }).lean()).map((d) => d.name);
    expect(task.departments.sort()).toEqual(all.sort());
    expect(task.departments).toContain('经贸办');
    expect(task.collective).toBe(false);
    expect(reply).toContain('经贸办');
    expect(await h.say('jmb', '汇报 7.5 40% 已对接')).toContain('经贸办：推进中 40%');
  });

  it.each([
    ['转办 7.6 镇直有关部门', '“镇直有关部门”没有确定的部门名单，未做修改'],
    ['增派 7.6 镇直有关部门', '“镇直有关部门”没有确定的部门名单，未做修改'],
    ['转办 7.6 县直各部门', '没有找到部门“县直各部门”'],
    ['转办 7.6 各村（社区）', '没有找到部门“各村(社区)”'],
  ])('refuses %s (no definite list of departments) and changes nothing', async (command, answer) => {
    const before = (await store.models.Task.findOne({ code: '7.6' }).lean())!;
    const audits = await store.models.Audit.countDocuments({});
    const reply = await h.say('admin', command);
    expect(reply).toContain(answer);
    expect((await store.models.Task.findOne({ code: '7.6' }).lean())!.departments).toEqual(before.departments);
    expect(await store.models.Audit.countDocuments({})).toBe(audits);
  });
});
