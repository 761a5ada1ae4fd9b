// Tasks of 镇直各部门 bind every department: reports are filed under each reporter's own department.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { weekBounds } from '../../src/domain/period.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { loadSnapshot } from '../../src/store/snapshot-queries.ts';
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
    expect(await store.models.Task.findOne({ code: '9' }).lean()).toMatchObject({ collective: true });
    const owing = await owingDepartments('9');
    expect(owing.length).toBeGreaterThan(20);
    expect(owing).not.toContain('镇直各部门'); // a unit no one can report for never owes
  });
});
