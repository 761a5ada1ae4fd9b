// What each chat command does on the bundled 2021 plan, through the real encrypted callback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseCommand, userOf } from '../../src/access.ts';
import type { CommandSpec } from '../../src/bot/command-spec.ts';
/** WeCom's own limit for a text message (doc 90236), written here rather than imported from the code under test. */
const MAX_TEXT_BYTES = 2048;
import { ManualClock } from '../../src/clock.ts';
import { byteLength } from '../../src/domain/text.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import type { MemberDoc } from '../../src/store/models.ts';
import type { Role } from '../../src/domain/vocabulary.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { startHarness, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
let h: Harness;

beforeAll(async () => {
  store = await openTestStore('commands');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create([
    { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
    { userid: 'tjz', name: '统计站联络员', departments: ['统计站'], roles: ['member'] },
    { userid: 'two', name: '身兼两职', departments: ['经贸办', '统计站'], roles: ['member'] },
    { userid: 'cjb', name: '村建办联络员', departments: ['村建办'], roles: ['member'] },
    { userid: 'slz', name: '水利站联络员', departments: ['水利站'], roles: ['member'] },
    { userid: 'boss', name: '镇长', departments: [], roles: ['leader'] },
    { userid: 'admin', name: '党政办', departments: ['党政办'], roles: ['member', 'admin'] },
    { userid: 'admin2', name: '党政办二', departments: ['党政办'], roles: ['member', 'admin'] },
  ]);
  h = await startHarness(store, { passiveBudgetMs: 20_000 });
});
afterAll(async () => {
  await h?.close();
  await store?.close();
});

/** The reply as one text; fails if the bot said nothing. */
async function say(userid: string, text: string): Promise<string> {
  const reply = await h.say(userid, text);
  if (reply === null) throw new Error(`no reply to "${text}" from ${userid}`);
  return reply;
}

async function counts() {
  const m = store.models;
  return {
    reports: await m.Report.countDocuments({}),
    audit: await m.Audit.countDocuments({}),
    members: JSON.stringify(await m.Member.find({}).sort({ userid: 1 }).lean()),
    tasks: JSON.stringify(await m.Task.find({}, { code: 1, departments: 1, cadence: 1 }).sort({ code: 1 }).lean()),
    outbox: await m.Outbox.countDocuments({}),
  };
}

async function latestReport(code: string) {
  return store.models.Report.findOne({ taskCode: code }).sort({ at: -1, _id: -1 }).lean();
}

/** A code as a whole word in a listing: " 7.1 " must not match " 7.10 ". */
function listsCode(text: string, code: string): boolean {
  return new RegExp(`(^|[\\s：、])${code.replace('.', '\\.')}([\\s、（]|$)`, 'm').test(text);
}

const usable = (roles: Role[], bound: boolean) => {
  const user = userOf('someone', bound ? ({ userid: 'someone', name: '', roles, departments: roles.includes('member') ? ['经贸办'] : [], active: true } as unknown as MemberDoc) : null);
  return COMMANDS.filter((c) => canUseCommand(user, c.access));
};

/** Help as a map: usage line → the example lines under it. */
function helpEntries(text: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('· ')) {
      current = [];
      entries.set(line.slice(2).split(' — ')[0]!, current);
    } else if (/^\s+例：/.test(line) && current) {
      current.push(line.replace(/^\s+例：/, ''));
    }
  }
  return entries;
}

function expectHelpFor(reply: string, commands: readonly CommandSpec[], examples = true) {
  const entries = helpEntries(reply);
  expect([...entries.keys()].map((u) => u.split(' ')[0]).sort()).toEqual(commands.map((c) => c.name).sort());
  if (!examples) return;
  for (const c of commands) {
    const [usage] = [...entries.entries()].find(([u]) => u.split(' ')[0] === c.name)!;
    expect(entries.get(usage), c.name).toEqual([c.example]);
  }
}

describe('帮助', () => {
  it('shows a liaison only the commands a liaison may use, one example each', async () => {
    const reply = await say('jmb', '帮助');
    expectHelpFor(reply, usable(['member'], true));
    expect(reply).not.toContain('转办');
    expect(reply).not.toContain('总览');
    expect(reply).not.toContain('管理员命令');
    expect(reply).toContain('经贸办');
  });

  it('shows an admin every command, the admin ones apart, in one message within WeCom’s text limit', async () => {
    const reply = await say('admin', 'help');
    expectHelpFor(reply, COMMANDS, false);
    expect(reply).not.toMatch(/（1\/\d+）/);
    expect(Buffer.byteLength(reply)).toBeLessThanOrEqual(2048);
    // The everyday commands keep their examples; the admin ones are listed by usage.
    expect(helpEntries(reply).get('汇报 <编号> [部门] <进度> [说明]')).toEqual(['汇报 7.5 60% 已完成电商培训两期']);
    expect(reply).toContain('管理员命令');
    const names = (part: string) => [...helpEntries(part).keys()].map((u) => u.split(' ')[0]).sort();
    const split = reply.indexOf('管理员命令');
    expect(names(reply.slice(split))).toEqual(COMMANDS.filter((x) => x.access === 'admin').map((c) => c.name).sort());
    expect(names(reply.slice(0, split))).toEqual(COMMANDS.filter((x) => x.access !== 'admin').map((c) => c.name).sort());
  });

  it('shows a leader without a department 总览 and 催办, but no admin command and nothing that needs a department', async () => {
    const reply = await say('boss', '帮助');
    expectHelpFor(reply, usable(['leader'], true).filter((c) => !c.forUnits));
    expect(reply).toContain('· 总览');
    expect(reply).toContain('· 催办');
    expect(reply).not.toContain('转办');
    for (const word of ['· 汇报', '· 完成', '· 我的任务', '· 待汇报', '· 佐证']) expect(reply).not.toContain(word);
  });

  it('shows a stranger only what anyone may use, and how to get bound', async () => {
    const reply = await say('stranger', '帮助');
    expectHelpFor(reply, usable([], false));
    expect(reply).toContain('绑定 stranger');
    expect(reply).not.toContain('汇报 7.5');
  });

  it('answers an empty message with help', async () => {
    const reply = await say('jmb', '　');
    expect(reply).toContain('可用命令');
  });
});

describe('我的任务', () => {
  it('lists the department’s own tasks, then the collective ones apart', async () => {
    const reply = await say('jmb', '我的任务');
    const tasks = await store.models.Task.find({ retired: false }).lean();
    const own = tasks.filter((t) => !t.collective && t.departments.includes('经贸办')).map((t) => t.code);
    const collective = tasks.filter((t) => t.collective).map((t) => t.code);
    const others = tasks.filter((t) => !t.collective && !t.departments.includes('经贸办')).map((t) => t.code);
    expect(own.length).toBeGreaterThan(5);
    expect(collective.length).toBeGreaterThan(3);

    expect(reply).toContain(`经贸办的任务（共 ${own.length} 项）`);
    const split = reply.indexOf('全镇各部门共同任务');
    expect(split).toBeGreaterThan(0);
    expect(reply).toContain(`全镇各部门共同任务（${collective.length} 项）`);
    const ownPart = reply.slice(0, split);
    const collectivePart = reply.slice(split);
    for (const code of own) expect(listsCode(ownPart, code), `own ${code}`).toBe(true);
    for (const code of collective) {
      expect(listsCode(collectivePart, code), `collective ${code}`).toBe(true);
      expect(listsCode(ownPart, code), `collective ${code} listed with the own tasks`).toBe(false);
    }
    for (const code of others) expect(listsCode(reply, code), `other ${code}`).toBe(false);
    expect(reply).toContain('尚未汇报');
  });

  it('shows which department each row is for when a member has two', async () => {
    const reply = await say('two', '我的任务');
    expect(reply).toContain('经贸办、统计站的任务');
    expect(reply).toMatch(/ 1\.2 .*［经贸办］/);
    expect(reply).toMatch(/ 1\.2 .*［统计站］/);
  });

  it('tells a leader without a department where to look instead', async () => {
    const reply = await say('boss', '我的任务');
    expect(reply).toContain('没有绑定部门');
    expect(reply).toContain('总览');
  });
});

describe('汇报', () => {
  it.each([
    ['汇报 7.1 推进中 正在对接设备商', { status: 'in_progress', percent: null, note: '正在对接设备商' }, '经贸办：推进中（正在对接设备商）'],
    ['汇报 7.1 进行中', { status: 'in_progress', percent: null, note: '' }, '经贸办：推进中'],
    ['汇报 7.1 45%', { status: 'in_progress', percent: 45, note: '' }, '经贸办：推进中 45%'],
    ['汇报 7.1 ６０％，已对接三家', { status: 'in_progress', percent: 60, note: '已对接三家' }, '经贸办：推进中 60%（已对接三家）'],
    ['汇报 7.1 受阻 资金未到位', { status: 'blocked', percent: null, note: '资金未到位' }, '经贸办：受阻（资金未到位）'],
    ['汇报 7.1 困难 场地未落实', { status: 'blocked', percent: null, note: '场地未落实' }, '经贸办：受阻（场地未落实）'],
    ['汇报 7.1 未启动', { status: 'not_started', percent: 0, note: '' }, '经贸办：未启动'],
    ['汇报 7.1 0', { status: 'not_started', percent: 0, note: '' }, '经贸办：未启动'],
    ['汇报 7.1 已完成 全部验收', { status: 'done', percent: 100, note: '全部验收' }, '经贸办：已完成（全部验收）'],
    ['汇报 7.1 完成', { status: 'done', percent: 100, note: '' }, '经贸办：已完成'],
    ['汇报 7.1 100', { status: 'done', percent: 100, note: '' }, '经贸办：已完成'],
  ])('%s', async (text, stored, shown) => {
    const before = await store.models.Report.countDocuments({});
    h.clock.advance(60_000);
    const reply = await say('jmb', text);
    expect(reply).toContain('已记录：7.1');
    expect(reply).toContain(shown);
    if (stored.status === 'done') expect(reply).toContain('辛苦了');
    else expect(reply).toContain('查看详情：任务 7.1');
    expect(await store.models.Report.countDocuments({})).toBe(before + 1);
    expect(await latestReport('7.1')).toMatchObject({ ...stored, department: '经贸办', userid: 'jmb', at: h.clock.now() });
  });

  it('受阻 without a reason asks for one and writes nothing', async () => {
    const before = await counts();
    for (const text of ['汇报 7.1 受阻', '汇报 7.1 困难', '汇报7.1受阻']) {
      const reply = await say('jmb', text);
      expect(reply).toContain('请写明受阻原因');
      expect(reply).toContain('汇报 7.1 受阻');
    }
    expect(await counts()).toEqual(before);
  });

  it('takes the department named before the progress', async () => {
    const reply = await say('two', '汇报 1.2 统计 40% 已汇总');
    expect(reply).toContain('统计站：推进中 40%（已汇总）');
    expect(await latestReport('1.2')).toMatchObject({ department: '统计站', percent: 40, note: '已汇总' });
  });

  it('records a redelivered message once', async () => {
    const before = await store.models.Report.countDocuments({});
    const first = await h.say('jmb', '汇报 7.6 20% 已走访', { msgId: 'dup-7.6' });
    expect(first).toContain('已记录：7.6');
    await h.say('jmb', '汇报 7.6 20% 已走访', { msgId: 'dup-7.6' });
    expect(await store.models.Report.countDocuments({})).toBe(before + 1);
  });

  it('refuses a progress above 100% with the usage, and writes nothing', async () => {
    const before = await counts();
    const reply = await say('jmb', '汇报 7.1 120%');
    expect(reply).toContain('不是进度');
    expect(reply).toContain('例如：汇报 7.5 60%');
    expect(await counts()).toEqual(before);
  });

  it('refuses a note over 500 characters, and writes nothing', async () => {
    const before = await counts();
    const reply = await say('jmb', `汇报 7.1 50% ${'很'.repeat(501)}`);
    expect(reply).toContain('说明太长');
    expect(await counts()).toEqual(before);
  });
});

describe('完成', () => {
  it('marks a task done with the rest as the note', async () => {
    h.clock.advance(60_000);
    const reply = await say('jmb', '完成 7.6 已全部落实');
    expect(reply).toContain('已记录：7.6');
    expect(reply).toContain('经贸办：已完成（已全部落实）');
    expect(await latestReport('7.6')).toMatchObject({ status: 'done', percent: 100, note: '已全部落实', department: '经贸办' });
  });

  it('marks a task done without a note', async () => {
    h.clock.advance(60_000);
    const reply = await say('cjb', '完成 7.7');
    expect(reply).toContain('村建办：已完成');
    expect(await latestReport('7.7')).toMatchObject({ status: 'done', percent: 100, note: '', department: '村建办' });
  });
});

describe('任务', () => {
  it('shows the task, its departments and the latest state', async () => {
    const reply = await say('jmb', '任务 七.6');
    expect(reply).toContain('任务 7.6｜');
    expect(reply).toContain('聚力突破招商引资');
    expect(reply).toMatch(/经贸办(?:（牵头）)?：已完成/);
    expect(reply).toContain('最近汇报');
    expect(reply).toContain('已全部落实');
  });

  it('suggests close tasks for a wrong code, and writes nothing', async () => {
    const before = await counts();
    const reply = await say('jmb', '任务 7.99');
    expect(reply).toContain('没有编号为 7.99 的任务');
    expect(reply).toContain('相近的任务');
    const suggested = reply.split('\n').filter((l) => /^7\.\d+ /.test(l));
    expect(suggested.length).toBeGreaterThan(0);
    expect(reply).toMatch(/查看：任务 7\.\d+/);
    const swapped = await say('jmb', '任务 3.7'); // 7.3 typed backwards: section 3 first
    expect(swapped).toContain('没有编号为 3.7 的任务');
    expect(swapped).toMatch(/^3\.\d+ /m);
    expect(await counts()).toEqual(before);
  });

  it('answers a bare code with how to view or report it', async () => {
    const reply = await say('jmb', '７．５');
    expect(reply).toContain('任务 7.5');
    expect(reply).toContain('汇报 7.5');
  });

  it('guesses the command from a misspelling', async () => {
    const reply = await say('jmb', '汇抱 7.5 60%');
    // Issue 18: the whole command as it was meant, suggested and not run.
    expect(reply).toContain('你是不是要发：汇报 7.5 60%？');
  });
});

describe('待汇报', () => {
  it('lists what the department owes this week and leaves out what it reported', async () => {
    const owed = await say('slz', '待汇报');
    expect(owed).toContain('水利站本周（2021-W30）待汇报');
    expect(listsCode(owed, '7.21')).toBe(true);
    expect(listsCode(owed, '7.11')).toBe(true);
    expect(owed).toContain('共同任务：');

    await say('slz', '汇报 7.21 70% 排涝泵站已建成');
    const after = await say('slz', '待汇报');
    expect(listsCode(after, '7.21')).toBe(false);
    expect(listsCode(after, '7.11')).toBe(true);
  });

  it('owes a task again the next week, unless it was done', async () => {
    await say('slz', '完成 7.20 已验收');
    const sameWeek = await say('slz', '待汇报');
    expect(listsCode(sameWeek, '7.20')).toBe(false);
    h.clock.advance(7 * 24 * 3600_000);
    const nextWeek = await say('slz', '待汇报');
    expect(nextWeek).toContain('2021-W31');
    expect(listsCode(nextWeek, '7.21')).toBe(true); // reported last week: owed again
    expect(listsCode(nextWeek, '7.20')).toBe(false); // done: nothing more is owed
  });
});

describe('搜索', () => {
  it('finds 7.5 by 电商', async () => {
    const reply = await say('jmb', '搜索 电商');
    expect(reply).toMatch(/^7\.5 实施“电商换市”战略（.*经贸办.*）$/m);
    expect(reply).toContain('详情：任务 7.5');
  });

  it('requires every word, and says when nothing matches', async () => {
    expect(await say('jmb', '搜索 电商 水利')).toContain('没有找到包含“电商 水利”的任务');
    expect(await say('jmb', '搜索')).toContain('请写关键词');
  });

  it('finds tasks by a responsible department and caps the list', async () => {
    const reply = await say('jmb', '搜索 经贸办');
    expect(reply).toMatch(/包含“经贸办”的任务 \d+ 项（列出前 10 项）/);
  });
});

describe('总览', () => {
  it('shows a leader every department and section with its reporting rate', async () => {
    // 信访办 has one task of its own (7.28) and every collective task: one report in ten is 10%.
    const collective = await store.models.Task.countDocuments({ collective: true, retired: false });
    await say('admin', '汇报 7.28 信访办 50% 代录');
    const reply = await say('boss', '总览');
    // One phone screen: the rate, the slowest departments, those at 0 % on one line; every department is on the web.
    expect(reply).toMatch(/^全镇进展｜本周（.*）\n本周汇报率 \d+%（\d+\/\d+）/);
    expect(reply.split('\n').length).toBeLessThanOrEqual(15);
    expect(reply).toMatch(new RegExp(`^汇报最慢：[^\\n]*信访办 ${Math.round(100 / (1 + collective))}%`, 'm'));
    expect(reply).toMatch(/^未汇报（0%）\d+ 个：/m);
    expect(reply.match(/^未汇报（0%）/gm)).toHaveLength(1);
    expect(reply).not.toContain('项·部门');
  });
});

describe('增派 and 撤派', () => {
  it('增派 adds a department, records it, and tells the liaisons', async () => {
    const notified = h.notified.length;
    const reply = await say('admin', '增派 7.5 统计站');
    expect(reply).toContain('已调整任务 7.5');
    expect(reply).toContain('村建办、经贸办 → 村建办、经贸办、统计站');
    expect((await store.models.Task.findOne({ code: '7.5' }).lean())?.departments).toEqual(['村建办', '经贸办', '统计站']);
    const audit = await store.models.Audit.find({ target: 'task:7.5' }).sort({ at: -1, _id: -1 }).lean();
    expect(audit[0]).toMatchObject({ actor: 'admin', action: 'task.departments.add', before: ['村建办', '经贸办'], after: ['村建办', '经贸办', '统计站'] });
    const told = h.notified.slice(notified);
    expect(told).toHaveLength(1);
    expect(told[0]!.userids.sort()).toEqual(['tjz', 'two']);
    expect(told[0]!.text).toContain('新增：统计站');
    // The new department can now report on it.
    expect(await say('tjz', '汇报 7.5 10%')).toContain('统计站：推进中 10%');
  });

  it('增派 of a department already responsible changes nothing', async () => {
    const before = await counts();
    expect(await say('admin', '增派 7.5 经贸办')).toContain('已经是任务 7.5 的责任部门，未做修改');
    expect(await counts()).toEqual(before);
  });

  it('撤派 removes a department and records it', async () => {
    const reply = await say('admin', '撤派 7.5 统计站');
    expect(reply).toContain('村建办、经贸办、统计站 → 村建办、经贸办');
    expect((await store.models.Task.findOne({ code: '7.5' }).lean())?.departments).toEqual(['村建办', '经贸办']);
    const audit = await store.models.Audit.find({ target: 'task:7.5' }).sort({ at: -1, _id: -1 }).lean();
    expect(audit[0]).toMatchObject({ action: 'task.departments.remove', after: ['村建办', '经贸办'] });
    expect(await say('tjz', '汇报 7.5 20%')).toContain('不含你的部门');
  });

  it('撤派 cannot remove the last department, and writes nothing', async () => {
    const before = await counts();
    const notified = h.notified.length;
    const reply = await say('admin', '撤派 7.1 经贸办');
    expect(reply).toContain('唯一的责任部门，不能撤掉');
    expect(reply).toContain('转办 7.1');
    expect(await counts()).toEqual(before);
    expect(h.notified.length).toBe(notified);
  });

  it('撤派 of a department that is not responsible, or unknown, changes nothing', async () => {
    const before = await counts();
    expect(await say('admin', '撤派 7.5 水利站')).toContain('不是任务 7.5 的责任部门');
    expect(await say('admin', '撤派 7.5 火星办')).toContain('没有找到部门“火星办”');
    expect(await say('admin', '增派 7.99 统计站')).toContain('没有编号为 7.99 的任务');
    expect(await counts()).toEqual(before);
  });
});

describe('转办', () => {
  it('replaces the departments, records it, and tells the departments added and removed', async () => {
    h.clock.advance(1000);
    const notified = h.notified.length;
    const reply = await say('admin', '转办 7.3 统计站 村建办');
    expect(reply).toContain('经贸办、统计站 → 统计站、村建办');
    expect((await store.models.Task.findOne({ code: '7.3' }).lean())?.departments).toEqual(['统计站', '村建办']);
    expect(await store.models.Audit.findOne({ target: 'task:7.3' }).lean()).toMatchObject({
      actor: 'admin', action: 'task.departments.transfer', before: ['经贸办', '统计站'], after: ['统计站', '村建办'],
    });
    const told = h.notified.slice(notified);
    expect(told).toHaveLength(1);
    // 村建办 was added and 经贸办 removed; 统计站 (tjz) kept the task and hears nothing.
    expect(told[0]!.userids.sort()).toEqual(['cjb', 'jmb', 'two']);
    expect(told[0]!.text).toContain('不再负责：经贸办');
  });
});

describe('edge cases that were bugs', () => {
  // Naming the same departments in another order is no change: no audit entry, no "已调整", no notifications.
  it('转办 to the same departments in another order changes nothing', async () => {
    const before = await counts();
    const reply = await say('admin', '转办 7.2 科技办 经贸办'); // 7.2 is 经贸办、科技办
    expect(reply).toContain('没有变化');
    expect(await counts()).toEqual(before);
  });

  // A word where 汇报's department goes that is no department is a typo to report, not the start of a note
  // (that fallback is for "完成 7.5 已全部落实", which has no progress after it).
  it('汇报 naming an unknown department before the progress is refused', async () => {
    const before = await counts();
    const reply = await say('jmb', '汇报 7.1 火星办 60%');
    expect(reply).toContain('没有找到部门“火星办”');
    expect(await counts()).toEqual(before);
  });
});

describe('绑定 and 解绑', () => {
  it('绑定 a new userid creates the member with an audit entry and tells them', async () => {
    const notified = h.notified.length;
    const reply = await say('admin', '绑定 zhangsan 经贸');
    expect(reply).toContain('已绑定 zhangsan：（无） → 经贸办');
    const member = await store.models.Member.findOne({ userid: 'zhangsan' }).lean();
    expect(member).toMatchObject({ departments: ['经贸办'], roles: ['member'], active: true });
    const audit = await store.models.Audit.find({ target: 'member:zhangsan' }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'admin', action: 'member.create', after: { departments: ['经贸办'], roles: ['member'], active: true } });
    expect(h.notified.slice(notified)).toEqual([expect.objectContaining({ userids: ['zhangsan'] })]);
    expect(await say('zhangsan', '我的任务')).toContain('经贸办的任务');
  });

  it('绑定 adds departments to an existing member', async () => {
    const reply = await say('admin', '绑定 zhangsan 统计站、村建办');
    expect(reply).toContain('经贸办 → 经贸办、统计站、村建办');
    expect((await store.models.Member.findOne({ userid: 'zhangsan' }).lean())?.departments).toEqual(['经贸办', '统计站', '村建办']);
    const audit = await store.models.Audit.find({ target: 'member:zhangsan' }).sort({ at: -1, _id: -1 }).lean();
    expect(audit[0]).toMatchObject({ action: 'member.departments.bind', before: ['经贸办'], after: ['经贸办', '统计站', '村建办'] });
  });

  it('绑定 that changes nothing, or names a bad department or userid, writes nothing', async () => {
    const before = await counts();
    expect(await say('admin', '绑定 zhangsan 经贸办')).toContain('未做修改');
    expect(await say('admin', '绑定 zhangsan 火星办')).toContain('没有找到部门“火星办”');
    expect(await say('admin', '绑定 lisi 镇直各部门')).toContain('未做修改'); // a collective name is nobody's department
    expect(await say('admin', '绑定 张三 经贸办')).toContain('不是有效的企业微信账号');
    expect(await say('admin', '绑定 lisi')).toContain('缺少部门');
    expect(await counts()).toEqual(before);
    expect(await store.models.Member.findOne({ userid: 'lisi' }).lean()).toBeNull();
  });

  it('解绑 removes one department, or all of them', async () => {
    const one = await say('admin', '解绑 zhangsan 村建办');
    expect(one).toContain('经贸办、统计站、村建办 → 经贸办、统计站');
    const audit = await store.models.Audit.find({ target: 'member:zhangsan' }).sort({ at: -1, _id: -1 }).lean();
    expect(audit[0]).toMatchObject({ action: 'member.departments.unbind', after: ['经贸办', '统计站'] });
    const all = await say('admin', '解绑 zhangsan');
    expect(all).toContain('经贸办、统计站 → （无）');
    expect((await store.models.Member.findOne({ userid: 'zhangsan' }).lean())?.departments).toEqual([]);
    // Without a department zhangsan is unbound again.
    expect(await say('zhangsan', '我的任务')).toContain('还没有绑定部门');
  });

  it('解绑 that changes nothing writes nothing', async () => {
    const before = await counts();
    expect(await say('admin', '解绑 zhangsan')).toContain('没有绑定任何部门，未做修改');
    expect(await say('admin', '解绑 nobody')).toContain('没有成员“nobody”');
    expect(await counts()).toEqual(before);
  });
});

describe('设为管理员, 设为领导, 撤销角色', () => {
  it('设为管理员 gives a liaison the admin commands, and 撤销角色 takes them away', async () => {
    expect(await say('jmb', '转办 7.1 经贸办 科技办')).toContain('只有管理员');
    const made = await say('admin', '设为管理员 jmb');
    expect(made).toContain('已把 jmb 设为管理员：联络员 → 联络员、管理员');
    expect((await store.models.Member.findOne({ userid: 'jmb' }).lean())?.roles).toEqual(['member', 'admin']);
    expect(await store.models.Audit.findOne({ target: 'member:jmb', action: 'member.roles.add' }).lean()).toMatchObject({ actor: 'admin', after: ['member', 'admin'] });
    expect(h.notified.at(-1)).toMatchObject({ userids: ['jmb'] });
    expect(await say('jmb', '帮助')).toContain('管理员命令');

    const revoked = await say('admin', '撤销角色 jmb 管理员');
    expect(revoked).toContain('已撤销 jmb 的管理员角色');
    expect((await store.models.Member.findOne({ userid: 'jmb' }).lean())?.roles).toEqual(['member']);
    expect(await store.models.Audit.findOne({ target: 'member:jmb', action: 'member.roles.remove' }).lean()).toMatchObject({ after: ['member'] });
    expect(await say('jmb', '帮助')).not.toContain('管理员命令');
  });

  it('设为领导 lets a liaison see 总览', async () => {
    expect(await say('cjb', '总览')).toContain('只有领导和管理员');
    expect(await say('admin', '设为领导 cjb')).toContain('联络员 → 联络员、领导');
    expect(await say('cjb', '总览')).toContain('全镇进展');
    expect(await say('admin', '撤销角色 cjb 领导')).toContain('已撤销 cjb 的领导角色');
    expect(await say('cjb', '总览')).toContain('只有领导和管理员');
  });

  it('an admin cannot revoke their own admin role; nothing is written', async () => {
    const before = await counts();
    const reply = await say('admin', '撤销角色 admin 管理员');
    expect(reply).toContain('不能撤销自己的管理员角色');
    expect(await counts()).toEqual(before);
    expect((await store.models.Member.findOne({ userid: 'admin' }).lean())?.roles).toContain('admin');
  });

  it('another admin can', async () => {
    expect(await say('admin2', '撤销角色 admin 管理员')).toContain('已撤销 admin 的管理员角色');
    expect(await say('admin', '绑定 lisi 经贸办')).toContain('只有管理员');
    expect(await say('admin2', '设为管理员 admin')).toContain('已把 admin 设为管理员');
  });

  it('a role change that changes nothing, or names nobody, writes nothing', async () => {
    const before = await counts();
    expect(await say('admin', '设为管理员 admin2')).toContain('已经是管理员，未做修改');
    expect(await say('admin', '撤销角色 tjz 领导')).toContain('不是领导，未做修改');
    expect(await say('admin', '设为领导 ghost')).toContain('没有成员“ghost”');
    expect(await say('admin', '撤销角色 tjz 老板')).toContain('不是角色');
    expect(await counts()).toEqual(before);
  });
});

describe('every reply fits WeCom’s 2048-byte limit', () => {
  const SCRIPT: Array<[string, string]> = [
    ['admin', '帮助'], ['stranger', '帮助'], ['jmb', '帮助'], ['boss', '帮助'],
    ['two', '我的任务'], ['jmb', '我的任务'], ['admin', '我的任务'], ['boss', '我的任务'],
    ['two', '待汇报'], ['jmb', '待汇报'],
    ['boss', '总览'], ['admin', '总览'],
    ['jmb', '任务 7.5'], ['jmb', '任务 7.20'], ['jmb', '任务 8'], ['jmb', '任务 10.1'], ['jmb', '任务 7.99'],
    ['jmb', '搜索 公开'], ['jmb', '搜索 经贸办'], ['jmb', '部门'],
    ['jmb', `汇报 7.1 50% ${'很长的说明'.repeat(100)}`],
    ['jmb', `汇报 7.1 50% ${'说明'.repeat(240)}`],
    ['jmb', `${'看不懂的话'.repeat(200)}`],
    ['stranger', '我的任务'],
  ];

  it.each(SCRIPT)('%s: %s', async (userid, text) => {
    const reply = await h.bot.handle({ channel: 'test', userid, text, msgId: null, at: h.clock.now() });
    expect(reply.messages.length).toBeGreaterThan(0);
    for (const m of reply.messages) {
      expect(m.trim()).not.toBe('');
      expect(byteLength(m)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    }
    if (reply.messages.length > 1) {
      reply.messages.forEach((m, i) => expect(m.startsWith(`（${i + 1}/${reply.messages.length}）\n`)).toBe(true));
    }
  });

  it('a long reply (a member of many departments) is split, numbered, and loses no line', async () => {
    await store.models.Member.create({ userid: 'many', departments: ['经贸办', '统计站', '村建办', '农办', '财政所', '自然资源南旺事务中心'], roles: ['member'] });
    const reply = await h.bot.handle({ channel: 'test', userid: 'many', text: '我的任务', msgId: null, at: h.clock.now() });
    expect(reply.messages.length).toBeGreaterThan(1);
    for (const m of reply.messages) expect(byteLength(m)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    const joined = reply.messages.map((m) => m.replace(/^（\d+\/\d+）\n/, '')).join('\n');
    for (const code of ['1.1', '7.10', '7.13', '7.9', '2.4']) expect(listsCode(joined, code), code).toBe(true);
    expect(joined).toContain('全镇各部门共同任务');
  });
});
