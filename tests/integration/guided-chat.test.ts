// Issue 18, items 2 and 3: the guided 汇报, typo suggestions, Chinese amounts and free text confirmed by “是” —
// all through the real encrypted callback on the real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { startHarness, type Harness } from '../helpers/bot-harness.ts';
import { openSecondConnection, openTestStore } from '../helpers/store.ts';

let store: Store;
let h: Harness;

beforeAll(async () => {
  store = await openTestStore('guided');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create([
    { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
    { userid: 'cjb', name: '村建办联络员', departments: ['村建办'], roles: ['member'] },
    { userid: 'tjz', name: '统计站联络员', departments: ['统计站'], roles: ['member'] },
  ]);
  h = await startHarness(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

const reports = () => store.models.Report.countDocuments({});
const conversations = () => store.conn.collection('conversations').countDocuments({});

/** The numbered lines of the guided list: "2. 1.2 抓好区域…［经贸办］" → { n: 2, code: '1.2' }. */
function listed(reply: string): Array<{ n: number; code: string }> {
  return [...reply.matchAll(/^(\d+)\. (\S+) /gm)].map((m) => ({ n: Number(m[1]), code: m[2]! }));
}

describe('guided 汇报', () => {
  it('汇报 alone lists the owed items, numbered; 2 asks for the progress; 80% 说明 records 80% on the second item', async () => {
    const list = await h.say('jmb', '汇报');
    expect(list).toContain('回复序号');
    expect(list).not.toContain('（1/'); // one message on a phone
    const items = listed(list!);
    expect(items.length).toBeGreaterThan(2);
    expect(items[0]!.n).toBe(1);
    const second = items[1]!.code;

    const ask = await h.say('jmb', '2');
    expect(ask).toContain(second);
    expect(ask).toContain('80% 已完成招商对接');
    expect(await reports()).toBe(0);

    const done = await h.say('jmb', '80% 已完成招商对接');
    expect(done).toContain(`已记录：${second}`);
    expect(done).toContain('推进中 80%');
    const stored = await store.models.Report.find({}).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ taskCode: second, department: '经贸办', userid: 'jmb', percent: 80, note: '已完成招商对接' });
    expect(await conversations()).toBe(0);
  });

  it('survives a restart: a new instance on the same database takes the next message', async () => {
    h.clock.advance(60_000);
    const list = await h.say('cjb', '汇报');
    const first = listed(list!)[0]!.code;
    await h.close();
    // The "restarted" service: a new connection, a new bot, a new HTTP server; only the database is the same.
    const again = await openSecondConnection(store);
    const h2 = await startHarness(again, { start: h.clock.now().toISOString() });
    try {
      expect(await h2.say('cjb', '1')).toContain(first);
      const before = await reports();
      expect(await h2.say('cjb', '八成 电商培训已报名')).toContain('推进中 80%');
      expect(await reports()).toBe(before + 1);
      const latest = await store.models.Report.findOne({ userid: 'cjb' }).lean();
      expect(latest).toMatchObject({ taskCode: first, percent: 80, note: '电商培训已报名' });
    } finally {
      await h2.close();
      await again.close();
    }
    h = await startHarness(store, { start: h.clock.now().toISOString() });
  });

  it('expires after 10 minutes by the clock: a number then is no answer to anything', async () => {
    await h.say('tjz', '汇报');
    h.clock.advance(10 * 60_000 + 1000);
    const before = await reports();
    const reply = await h.say('tjz', '1');
    expect(reply).not.toContain('请回复进度');
    expect(await reports()).toBe(before);
  });

  it('still answers within 10 minutes', async () => {
    await h.say('tjz', '汇报');
    h.clock.advance(9 * 60_000);
    expect(await h.say('tjz', '1')).toContain('请回复进度');
    await h.say('tjz', '取消');
  });

  it('取消 ends it and writes nothing', async () => {
    await h.say('tjz', '汇报');
    await h.say('tjz', '1');
    const before = await reports();
    expect(await h.say('tjz', '取消')).toContain('已取消');
    expect(await h.say('tjz', '60% 说明')).not.toContain('已记录');
    expect(await reports()).toBe(before);
  });

  it('a vague amount is asked about, not guessed; the conversation waits', async () => {
    await h.say('tjz', '汇报');
    await h.say('tjz', '1');
    const before = await reports();
    expect(await h.say('tjz', '过半 还在推进')).toContain('“过半”说不准是多少');
    expect(await reports()).toBe(before);
    expect(await h.say('tjz', '一半 还在推进')).toContain('推进中 50%');
    expect(await reports()).toBe(before + 1);
  });
});

describe('typos and pinyin', () => {
  it.each([['我的任物', '我的任务'], ['wdrw', '我的任务'], ['汇抱 7.5 60%', '汇报 7.5 60%']])('%s is suggested as %s and not run', async (typed, meant) => {
    const before = await reports();
    const reply = await h.say('jmb', typed);
    expect(reply).toContain(`你是不是要发：${meant}？`);
    expect(reply).not.toContain('经贸办的任务');
    expect(await reports()).toBe(before);
    expect(await conversations()).toBe(0);
  });
});

describe('Chinese amounts', () => {
  it('汇报7.6 八成 招商推进 records 80%', async () => {
    h.clock.advance(3600_000);
    const reply = await h.say('jmb', '汇报7.6 八成 招商推进');
    expect(reply).toContain('推进中 80%');
    const latest = await store.models.Report.findOne({ taskCode: '7.6' }).sort({ at: -1 }).lean();
    expect(latest).toMatchObject({ percent: 80, note: '招商推进' });
  });

  it('百分之八十 records 80%; 过半 is asked about and writes nothing', async () => {
    h.clock.advance(3600_000);
    expect(await h.say('jmb', '汇报 7.6 百分之八十')).toContain('推进中 80%');
    const before = await reports();
    expect(await h.say('jmb', '汇报 7.6 过半')).toContain('“过半”说不准是多少');
    expect(await reports()).toBe(before);
  });
});

describe('free text, understood and confirmed', () => {
  it('7.5那个公示已经做完了 → 完成 7.5 公示已经做完了, written only by 是, once', async () => {
    const before = await reports();
    const reply = await h.say('jmb', '7.5那个公示已经做完了');
    expect(reply).toContain('完成 7.5 公示已经做完了');
    expect(reply).toContain('回复“是”确认');
    expect(await reports()).toBe(before);
    const yes = await h.say('jmb', '是');
    expect(yes).toContain('已记录：7.5');
    expect(await reports()).toBe(before + 1);
    const latest = await store.models.Report.findOne({ taskCode: '7.5', department: '经贸办' }).sort({ at: -1 }).lean();
    expect(latest).toMatchObject({ status: 'done', note: '公示已经做完了' });
    // A second 是: nothing is waiting, nothing more is written.
    expect(await h.say('jmb', '是')).not.toContain('已记录');
    expect(await reports()).toBe(before + 1);
  });

  it('the same 是 delivered again (WeCom retries) writes once', async () => {
    const before = await reports();
    expect(await h.say('cjb', '电商那个做完了')).toContain('完成 7.5 电商那个做完了');
    await h.say('cjb', '是', { msgId: 'yes-twice' });
    await h.say('cjb', '是', { msgId: 'yes-twice' });
    expect(await reports()).toBe(before + 1);
  });

  it('two different 是 messages at once (two instances, two taps) still write once: the write is keyed by the conversation', async () => {
    h.clock.advance(3600_000);
    const before = await reports();
    expect(await h.say('cjb', '7.5那个又补充了直播数据，做完了')).toContain('回复“是”确认');
    const yes = (msgId: string) => h.bot.handle({ channel: 'test', userid: 'cjb', text: '是', msgId, at: h.clock.now() });
    await Promise.all([yes('yes-a'), yes('yes-b')]);
    expect(await reports()).toBe(before + 1);
  });

  it('anything other than 是 writes nothing', async () => {
    const before = await reports();
    expect(await h.say('tjz', '规划那个做完了')).toContain('回复“是”确认');
    expect(await h.say('tjz', '不是')).toContain('未做任何记录');
    expect(await h.say('tjz', '是')).not.toContain('已记录');
    expect(await h.say('tjz', '规划那个做完了')).toContain('回复“是”确认');
    await h.say('tjz', '我的任务');
    expect(await h.say('tjz', '是')).not.toContain('已记录');
    expect(await reports()).toBe(before);
  });

  it('several fitting items are listed with their commands, and nothing waits for 是', async () => {
    const before = await reports();
    const reply = await h.say('tjz', '公开那个做完了');
    expect(reply).toContain('没有记录');
    expect((reply!.match(/^完成 \S+ 公开那个做完了$/gm) ?? []).length).toBeGreaterThan(1);
    expect(await h.say('tjz', '是')).not.toContain('已记录');
    expect(await reports()).toBe(before);
  });

  it('a vague amount in free text is asked about', async () => {
    const before = await reports();
    expect(await h.say('jmb', '招商那个过半了')).toContain('“过半”说不准是多少');
    expect(await reports()).toBe(before);
  });
});
