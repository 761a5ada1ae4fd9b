// Refuse, never guess: a malformed progress writes nothing; of reports received in one second the last one wins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { decodeEntries, flushProgress, progressId } from '../../src/store/progress-cache.ts';
import { startHarness, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
let h: Harness;
beforeAll(async () => {
  store = await openTestStore('strict');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create({ userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] });
  h = await startHarness(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

describe('strict progress values', () => {
  it.each(['1e9%', '0x10%', '6O%', '1/2', '-5%', '100.5%', '６Ｏ％'])('refuses 汇报 7.5 %s with the usual answer and writes nothing', async (value) => {
    const count = async () => ({
      reports: await store.models.Report.countDocuments({}),
      progress: await store.models.Progress.countDocuments({}),
      pending: await store.models.ProgressPending.countDocuments({}),
    });
    const before = await count();
    const reply = await h.say('jmb', `汇报 7.5 ${value} 说明`);
    expect(reply).toContain(`“${value}”不是进度`);
    expect(reply).toContain('汇报 7.5 60%');
    expect(await count()).toEqual(before);
  });

  it('accepts the plain forms: 60%, ６０％, 60, a status word', async () => {
    for (const [value, shown] of [['60%', '推进中 60%'], ['６５％', '推进中 65%'], ['70', '推进中 70%'], ['受阻', '受阻']] as const) {
      expect(await h.say('jmb', `汇报 7.5 ${value} 资金未到位`)).toContain(`经贸办：${shown}`);
    }
  });

  it('keeps in progress the last report received, when several arrive within the same second', async () => {
    // The clock stands still: every report carries the same CreateTime second.
    for (const p of [10, 30, 20, 40, 25]) await h.say('jmb', `汇报 7.3 ${p}% 第${p}`);
    const task = (await store.models.Task.findOne({ code: '7.3' }).lean())!;
    await flushProgress(store); // the embedded database's owner writes its cells a moment later
    const cell = await store.models.Progress.findOne({ _id: progressId(task._id, '经贸办') }).lean();
    expect(decodeEntries(cell?.entries)[0]).toMatchObject({ percent: 25, note: '第25' });
    expect(await h.say('jmb', '任务 7.3')).toContain('推进中 25%');
  });
});
