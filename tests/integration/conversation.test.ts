// A scripted week through the real encrypted callback, on the real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { startHarness, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
let h: Harness;

beforeAll(async () => {
  store = await openTestStore('conversation');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create([
    { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
    { userid: 'tjz', name: '统计站联络员', departments: ['统计站'], roles: ['member'] },
    { userid: 'two', name: '身兼两职', departments: ['经贸办', '统计站'], roles: ['member'] },
    { userid: 'cjb', name: '村建办联络员', departments: ['村建办'], roles: ['member'] },
    { userid: 'boss', name: '镇长', departments: [], roles: ['leader'] },
    { userid: 'admin', name: '党政办', departments: ['党政办'], roles: ['member', 'admin'] },
  ]);
  h = await startHarness(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

async function snapshotOfWrites() {
  const tasks = await store.models.Task.find({}, { code: 1, departments: 1 }).sort({ code: 1 }).lean();
  const members = await store.models.Member.find({}, { userid: 1, departments: 1, roles: 1, active: 1 }).sort({ userid: 1 }).lean();
  return {
    reports: await store.models.Report.countDocuments({}),
    audit: await store.models.Audit.countDocuments({}),
    tasks: JSON.stringify(tasks),
    members: JSON.stringify(members),
  };
}

describe('a week with the bot', () => {
  it('lists a liaison’s tasks with codes, lights and the next command', async () => {
    const reply = await h.say('jmb', '我的任务');
    expect(reply).toContain('经贸办的任务');
    expect(reply).toContain('7.5');
    expect(reply).toMatch(/汇报 \S+ 60% 说明/);
    expect(reply).not.toContain('7.21'); // 水利站's task
  });

  it('records a report and shows it in the task', async () => {
    const reply = await h.say('jmb', '汇报 7.5 60% 已完成电商培训两期');
    expect(reply).toContain('已记录：7.5');
    expect(reply).toContain('推进中 60%');
    const detail = await h.say('jmb', '任务 7.5');
    expect(detail).toContain('电商换市');
    expect(detail).toMatch(/经贸办：推进中 60%/);
    expect(detail).toContain('已完成电商培训两期');
    const stored = await store.models.Report.find({ taskCode: '7.5' }).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ department: '经贸办', userid: 'jmb', percent: 60, status: 'in_progress', period: '2021-W30' });
  });

  it('understands a report typed in full-width characters', async () => {
    h.clock.advance(3600_000);
    const reply = await h.say('jmb', '汇报　７．５　８０％　第三期培训已报名');
    expect(reply).toContain('推进中 80%');
    const latest = await store.models.Report.findOne({ taskCode: '7.5' }).sort({ at: -1 }).lean();
    expect(latest).toMatchObject({ percent: 80, note: '第三期培训已报名' });
  });

  it('refuses 转办 from a liaison and changes nothing', async () => {
    const before = await snapshotOfWrites();
    const reply = await h.say('jmb', '转办 7.5 村建办');
    expect(reply).toContain('只有管理员');
    expect(await snapshotOfWrites()).toEqual(before);
  });

  it('lets an admin reassign, records it, tells the departments, and shows the history', async () => {
    const reply = await h.say('admin', '转办 7.5 村建办 统计站');
    expect(reply).toContain('村建办、经贸办 → 村建办、统计站');
    const task = await store.models.Task.findOne({ code: '7.5' }).lean();
    expect(task?.departments).toEqual(['村建办', '统计站']);
    const audit = await store.models.Audit.find({ target: 'task:7.5' }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'admin', before: ['村建办', '经贸办'], after: ['村建办', '统计站'] });
    const told = h.notified.find((n) => n.text.includes('7.5'));
    expect(told?.userids.sort()).toEqual(['jmb', 'tjz', 'two'].sort());
    const detail = await h.say('jmb', '任务 7.5');
    expect(detail).toContain('变更记录');
    expect(detail).toContain('把 7.5 转办给 村建办、统计站（原为 村建办、经贸办）');
    // 经贸办 is no longer responsible: its liaison's report is refused.
    const refused = await h.say('jmb', '汇报 7.5 90%');
    expect(refused).toContain('不含你的部门');
  });

  it('asks which department when a member of two reports on a task both own, and takes the one named', async () => {
    const ask = await h.say('two', '汇报 1.2 50%');
    expect(ask).toContain('请指明部门');
    expect(ask).toContain('经贸办、统计站');
    const ok = await h.say('two', '汇报 1.2 统计站 50% 已整理数据');
    expect(ok).toContain('统计站：推进中 50%');
    expect(await store.models.Report.findOne({ taskCode: '1.2' }).lean()).toMatchObject({ department: '统计站', note: '已整理数据' });
  });

  it('answers nonsense and wrong codes helpfully, and unbound users with how to get bound', async () => {
    expect(await h.say('jmb', '今天天气不错')).toMatch(/看不懂|发送“帮助”/);
    expect(await h.say('jmb', '汇报报')).toContain('用法：汇报 <编号> [部门] <进度> [说明]');
    const wrong = await h.say('jmb', '汇报 7.99 50%');
    expect(wrong).toContain('没有编号为 7.99 的任务');
    expect(wrong).toMatch(/7\.\d+ /);
    const stranger = await h.say('nobody', '我的任务');
    expect(stranger).toContain('绑定 nobody');
    const strangerHelp = await h.say('nobody', '帮助');
    expect(strangerHelp).toContain('帮助');
  });

  it('lists what is still owed this week and leaves out what was reported', async () => {
    const reply = await h.say('tjz', '待汇报');
    expect(reply).toContain('统计站本周（2021-W30）待汇报');
    expect(reply).toMatch(/ 7\.5 /); // now 统计站's, not reported yet
    expect(reply).not.toMatch(/ 1\.2 /); // reported for 统计站 above
    expect(reply).toMatch(/ 1\.1 /);
  });
});
