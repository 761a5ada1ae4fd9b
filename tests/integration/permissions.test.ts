// Who may do what: every restricted command, generated from the declarations in handlers/index.ts,
// is refused for the wrong role with a reply that says so, and a refusal writes nothing at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/dispatch.ts';
import type { Access, CommandSpec } from '../../src/bot/command-spec.ts';
import type { JobRunner, Notifier } from '../../src/bot/types.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import type { AnyModel } from '../../src/store/models.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { startHarness, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
let h: Harness;

/** Every user below; the role each has and who counts as "wrong" for each access level. */
const PEOPLE = [
  { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
  { userid: 'tjz', name: '统计站联络员', departments: ['统计站'], roles: ['member'] },
  { userid: 'boss', name: '镇长', departments: [], roles: ['leader'] },
  { userid: 'admin', name: '党政办', departments: ['党政办'], roles: ['member', 'admin'] },
  { userid: 'nodept', name: '未分部门', departments: [], roles: ['member'] },
  { userid: 'gone', name: '已离职', departments: ['经贸办'], roles: ['member', 'admin'], active: false },
];

/** For each access level, users who must be refused, and what the refusal must say. */
const WRONG: Record<Exclude<Access, 'anyone'>, Array<{ userid: string; says: RegExp }>> = {
  member: [
    { userid: 'stranger', says: /还没有绑定部门[\s\S]*绑定 stranger/ }, // no member record at all
    { userid: 'nodept', says: /还没有绑定部门[\s\S]*绑定 nodept/ }, // a record, but no department
    { userid: 'gone', says: /还没有绑定部门[\s\S]*绑定 gone/ }, // deactivated: its departments and roles no longer count
  ],
  leader: [
    { userid: 'jmb', says: /只有领导和管理员可以使用，未做任何修改/ },
    { userid: 'stranger', says: /还没有绑定部门/ },
  ],
  admin: [
    { userid: 'jmb', says: /只有管理员可以使用，未做任何修改/ },
    { userid: 'boss', says: /只有管理员可以使用，未做任何修改/ }, // a leader is not an admin
    { userid: 'gone', says: /还没有绑定部门/ }, // a deactivated admin is no admin
    { userid: 'stranger', says: /还没有绑定部门/ },
  ],
};

/** Who may use each access level: the positive control, so a refusal above is about the role. */
const RIGHT: Record<Exclude<Access, 'anyone'>, string> = { member: 'jmb', leader: 'boss', admin: 'admin' };

const RESTRICTED = COMMANDS.filter((c): c is CommandSpec & { access: Exclude<Access, 'anyone'> } => c.access !== 'anyone');

const CASES = RESTRICTED.flatMap((spec) => WRONG[spec.access].map((who) => ({ spec, ...who })));

/** Everything a command could write, in full: any change to any document shows. */
async function snapshotOfWrites(s: Store) {
  const m = s.models;
  const all = async (model: AnyModel) => JSON.stringify(await model.find({}).sort({ _id: 1 }).lean());
  return {
    reports: await all(m.Report),
    audit: await all(m.Audit),
    tasks: await all(m.Task),
    members: await all(m.Member),
    departments: await all(m.Department),
    plans: await all(m.Plan),
    outbox: await all(m.Outbox),
    jobruns: await all(m.JobRun),
    extensionRequests: await all(m.ExtensionRequest),
    extensionDecisions: await all(m.ExtensionDecision),
  };
}

beforeAll(async () => {
  store = await openTestStore('permissions');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create(PEOPLE);
  // A generous passive budget: every answer comes back in the callback itself, never later.
  h = await startHarness(store, { passiveBudgetMs: 20_000 });
});
afterAll(async () => {
  await h?.close();
  await store?.close();
});

describe('the declarations', () => {
  it('include restricted commands of every access level, each with an example', () => {
    const levels = new Set(RESTRICTED.map((c) => c.access));
    expect([...levels].sort()).toEqual(['admin', 'leader', 'member']);
    for (const c of RESTRICTED) expect(c.example.startsWith(c.name), c.name).toBe(true);
    expect(CASES.length).toBeGreaterThanOrEqual(RESTRICTED.length * 2);
  });
});

describe('the wrong role is refused, told so, and nothing is written', () => {
  it.each(CASES.map((c) => [c.spec.name, c.spec.access, c.userid, c.spec.example, c] as const))(
    '%s (%s) from %s: "%s"',
    async (_name, _access, userid, example, c) => {
      const before = await snapshotOfWrites(store);
      const notified = h.notified.length;
      const reply = await h.say(userid, example);
      expect(reply).toMatch(c.says);
      expect(reply).not.toMatch(/已记录|已调整|已绑定|已解绑|已把|已撤销|已发送/);
      expect(await snapshotOfWrites(store)).toEqual(before);
      expect(h.notified.length).toBe(notified);
    },
  );

  it.each(RESTRICTED.filter((c) => c.access !== 'member').map((c) => [c.name] as const))(
    '%s typed without its arguments by a liaison is refused, not explained',
    async (name) => {
      const reply = await h.say('jmb', name);
      expect(reply).toMatch(/只有(管理员|领导和管理员)可以使用/);
      expect(reply).not.toContain('用法');
    },
  );

  it('a command that never reaches its handler never reaches the job runner either', async () => {
    const runs: string[] = [];
    const jobs: JobRunner = { async run(job) { runs.push(job); return `ran ${job}`; } };
    const told: string[] = [];
    const notifier: Notifier = { async notifyUsers(key) { told.push(key); } };
    const bot = createBot({ store, clock: h.clock, logger: createLogger('silent'), notifier, jobs }, COMMANDS);
    const before = await snapshotOfWrites(store);
    for (const c of CASES) {
      const reply = await bot.handle({ channel: 'test', userid: c.userid, text: c.spec.example, msgId: null, at: h.clock.now() });
      expect(reply.messages.join('\n'), `${c.spec.name} from ${c.userid}`).toMatch(c.says);
    }
    expect(runs).toEqual([]);
    expect(told).toEqual([]);
    expect(await snapshotOfWrites(store)).toEqual(before);
  });
});

describe('the right role gets past the check (so the refusals above are about the role)', () => {
  it.each(RESTRICTED.map((c) => [c.name, c.access, RIGHT[c.access], c.example] as const))(
    '%s (%s) from %s: "%s" is not refused',
    async (_name, _access, userid, example) => {
      const reply = await h.bot.handle({ channel: 'test', userid, text: example, msgId: null, at: h.clock.now() });
      const text = reply.messages.join('\n');
      expect(text).not.toMatch(/只有(管理员|领导和管理员)可以使用/);
      expect(text).not.toContain('还没有绑定部门');
      expect(text).not.toContain('处理时出错');
    },
  );
});

describe('members act only for their own departments', () => {
  it('a liaison reporting on another department’s task is refused and nothing is written', async () => {
    const before = await snapshotOfWrites(store);
    const reply = await h.say('jmb', '汇报 7.21 60% 已完成'); // 7.21 is 水利站's
    expect(reply).toContain('不含你的部门');
    expect(reply).toContain('未记录');
    expect(await snapshotOfWrites(store)).toEqual(before);
    const done = await h.say('jmb', '完成 7.21');
    expect(done).toContain('不含你的部门');
    expect(await snapshotOfWrites(store)).toEqual(before);
  });

  it('a liaison naming a department they do not belong to is refused, even on a task their own department shares', async () => {
    const before = await snapshotOfWrites(store);
    // 1.2 belongs to 经贸办 and 统计站; jmb is only in 经贸办.
    const reply = await h.say('jmb', '汇报 1.2 统计站 50% 数据已整理');
    expect(reply).toContain('你不属于统计站');
    expect(reply).toContain('未记录');
    expect(await snapshotOfWrites(store)).toEqual(before);
    // A collective task binds every department, but still only for one's own.
    const collective = await h.say('jmb', '汇报 8 统计站 50%');
    expect(collective).toContain('你不属于统计站');
    const complete = await h.say('jmb', '完成 1.2 统计站');
    expect(complete).toContain('你不属于统计站');
    expect(await snapshotOfWrites(store)).toEqual(before);
  });

  it('naming a department that is not responsible for the task is refused', async () => {
    const before = await snapshotOfWrites(store);
    const reply = await h.say('jmb', '汇报 7.21 经贸办 60%');
    expect(reply).toContain('经贸办不负责任务 7.21');
    expect(await snapshotOfWrites(store)).toEqual(before);
  });

  it('a leader without a department has nothing to report for', async () => {
    const before = await snapshotOfWrites(store);
    const reply = await h.say('boss', '汇报 7.5 60%');
    expect(reply).toContain('未记录');
    expect(await snapshotOfWrites(store)).toEqual(before);
  });
});

describe('an admin can do what members can', () => {
  it('lists, reads, searches and reports for the admin’s own department', async () => {
    expect(await h.say('admin', '我的任务')).toContain('党政办的任务');
    expect(await h.say('admin', '任务 19')).toContain('任务 19');
    expect(await h.say('admin', '搜索 电商')).toContain('7.5');
    expect(await h.say('admin', '待汇报')).toContain('党政办本周');
    expect(await h.say('admin', '部门')).toContain('经贸办');
    const reply = await h.say('admin', '汇报 19 50% 培训方案已拟定');
    expect(reply).toContain('已记录：19');
    const stored = await store.models.Report.findOne({ taskCode: '19' }).lean();
    expect(stored).toMatchObject({ department: '党政办', userid: 'admin', percent: 50, note: '培训方案已拟定' });
  });

  it('may report for a department it names, even one it does not belong to', async () => {
    const reply = await h.say('admin', '汇报 7.21 水利站 30% 代为录入');
    expect(reply).toContain('水利站：推进中 30%');
    expect(await store.models.Report.findOne({ taskCode: '7.21' }).lean()).toMatchObject({ department: '水利站', userid: 'admin' });
  });

  it('can also use the leader’s 总览', async () => {
    const reply = await h.say('admin', '总览');
    expect(reply).toContain('全镇进展');
  });
});
