// The per-message reads (plan, tasks, the sender) are cached briefly; this process's own writes clear the cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { bindDepartments } from '../../src/members/members.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { ReadCache } from '../../src/store/read-cache.ts';
import { setTaskDepartments } from '../../src/store/task-assignments.ts';
import { findTask } from '../../src/store/task-queries.ts';
import { startHarness, type Harness } from '../helpers/bot-harness.ts';
import { openSecondConnection, openTestStore } from '../helpers/store.ts';

const clock = new ManualClock('2021-07-01T00:00:00Z');
let store: Store;
let h: Harness;
beforeAll(async () => {
  store = await openTestStore('readcache');
  await importPlanFile(store, BUNDLED_PLAN, clock);
  await store.models.Member.create({ userid: 'u1', name: 'x', departments: ['统计站'], roles: ['member'] });
  h = await startHarness(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

describe('read cache', () => {
  it('runs a query once per TTL and never remembers a failure', async () => {
    const cache = new ReadCache(60_000);
    let calls = 0;
    const load = async () => ++calls;
    expect(await cache.get('k', load)).toBe(1);
    expect(await cache.get('k', load)).toBe(1);
    await expect(cache.get('bad', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('bad', load)).toBe(2);
    cache.clear();
    expect(await cache.get('k', load)).toBe(3);
  });

  it('shows this process’s writes at once: a binding, then a reassignment', async () => {
    expect(await h.say('u1', '汇报 7.5 10%')).toContain('不含你的部门'); // 统计站 has no part in 7.5 yet (cached now)
    await bindDepartments(store, clock, 'admin', 'u1', ['经贸办'], 'add');
    expect(await h.say('u1', '汇报 7.5 经贸办 10%')).toContain('已记录');
    const plan = (await store.models.Plan.findOne({}).lean())!;
    await setTaskDepartments(store, clock, 'admin', (await findTask(store, plan._id, '7.5'))!, ['统计站'], 'task.departments.transfer');
    expect((await findTask(store, plan._id, '7.5'))?.departments).toEqual(['统计站']);
  });

  it('shows another instance’s writes once the TTL has passed', async () => {
    const plan = (await store.models.Plan.findOne({}).lean())!;
    expect((await findTask(store, plan._id, '7.6'))?.departments).toEqual(['经贸办']);
    const other = await openSecondConnection(store);
    try {
      await other.models.Task.updateOne({ planId: plan._id, code: '7.6' }, { $set: { departments: ['村建办'] } });
      await expect.poll(async () => (await findTask(store, plan._id, '7.6'))?.departments, { timeout: 5000, interval: 200 }).toEqual(['村建办']);
    } finally {
      await other.close();
    }
  });
});
