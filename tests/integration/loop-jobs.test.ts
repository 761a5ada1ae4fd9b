// The 督办 loop's scheduled jobs over several weeks with an injected clock, the real outbox and the WeCom
// stand-in: the automatic 催办 and the leader's weekly list go out once each; the 到期提醒 three working days
// before and on the day, once, never to units already done; the 待审核 notice once a day with only new items —
// and nobody ever gets two messages of one kind on one day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot, type Bot } from '../../src/bot/dispatch.ts';
import type { Notifier } from '../../src/bot/types.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { runDueLoopJobs } from '../../src/jobs/loop-run.ts';
import { runLoopCommand } from '../../src/cli/loop.ts';
import type { CliContext } from '../../src/cli/runtime.ts';
import { loadConfig } from '../../src/config.ts';
import type { JobDeps } from '../../src/jobs/run-job.ts';
import type { ScheduleSettings } from '../../src/jobs/scheduler.ts';
import { createWecomSender, enqueue, OutboxWorker } from '../../src/outbox/outbox.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { appendReport } from '../../src/store/reports.ts';
import { createWecomClient } from '../../src/wecom/api-client.ts';
import { startLocalWecom, type LocalWecom } from '../../src/wecom/local-wecom.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { openSecondConnection, openTestStore } from '../helpers/store.ts';

const logger = createLogger('silent');
const SETTINGS: ScheduleSettings = { reminderCron: '0 10 * * 5', digestCron: '0 9 * * 1', workdayAdjust: true };
const clock = new ManualClock('2021-07-01T00:00:00Z');
const shanghai = (s: string) => new Date(`${s}+08:00`);

let store: Store;
let second: Store;
let wecom: LocalWecom;
let worker: OutboxWorker;
let bot: Bot;
/** Every app message delivered, with the Shanghai day it went out. */
const log: Array<{ day: string; touser: string; content: string }> = [];

function jobDeps(s: Store, workerId: string): JobDeps {
  return {
    store: s, clock, logger, workerId, digestMentions: false, hasGroupRobot: false,
    deliver: async (key, msg, opts) => void (await enqueue(s, clock, key, msg, opts)),
  };
}

/** Runs what is due at WHEN (Shanghai) and delivers it; returns the app messages it produced. */
async function tick(when: string, s: Store = store, workerId = 'a') {
  clock.set(shanghai(when));
  const outcomes = await runDueLoopJobs(jobDeps(s, workerId), SETTINGS);
  const from = wecom.sent().length;
  await worker.drain(10_000);
  const sent = wecom.sent().slice(from).map((m) => ({ day: when.slice(0, 10), touser: String(m.touser), content: (m.text as { content: string }).content }));
  log.push(...sent);
  return { outcomes, sent, to: (u: string) => sent.filter((m) => m.touser.split('|').includes(u)).map((m) => m.content).join('\n') };
}

async function report(userid: string, department: string, code: string, when: string, status: 'in_progress' | 'done' | 'blocked', note = '') {
  const task = (await store.models.Task.findOne({ code }).lean())!;
  clock.set(shanghai(when));
  await appendReport(store, { task, department, userid, at: clock.now(), status, percent: status === 'done' ? 100 : null, note, sourceMsgId: null });
}

async function say(userid: string, text: string, when: string): Promise<string> {
  clock.set(shanghai(when));
  return (await bot.handle({ channel: 'test', userid, text, msgId: `m-${when}-${userid}`, at: clock.now() })).messages.join('\n');
}

beforeAll(async () => {
  store = await openTestStore('loopjobs');
  second = await openSecondConnection(store);
  await importPlanFile(store, BUNDLED_PLAN, clock);
  await store.models.Member.create([
    { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
    { userid: 'cjb', name: '村建办联络员', departments: ['村建办'], roles: ['member'] },
    { userid: 'tjz', name: '统计站联络员', departments: ['统计站'], roles: ['member'] },
    { userid: 'deputy', name: '分管副镇长', departments: [], roles: ['leader'] },
    { userid: 'admin', name: '党政办', departments: ['党政办'], roles: ['member', 'admin'] },
  ]);
  wecom = await startLocalWecom({ clock });
  const client = createWecomClient({ apiBase: wecom.url, corpId: wecom.corpId, secret: wecom.secret, agentId: '1', store, clock, logger, sleep: async () => undefined });
  worker = new OutboxWorker({ store, clock, logger, sender: createWecomSender(client, undefined), workerId: 'w1', sleep: async () => undefined });
  // As the service wires it: notices go into the outbox, a held one with its time.
  const notifier: Notifier = {
    async notifyUsers(key, userids, text, opts) {
      await enqueue(store, clock, key, { channel: 'app', body: { touser: userids.join('|'), msgtype: 'text', text: { content: text } } }, opts);
    },
  };
  bot = createBot({ store, clock, logger, notifier }, COMMANDS);
  expect(await say('admin', '分管 deputy 经贸办', '2021-07-26T08:00:00')).toContain('已记录留痕');
});
afterAll(async () => {
  await wecom.close();
  await second.close();
  await store.close();
});

describe('automatic 催办 and the leader’s weekly list', () => {
  it('lists a unit red one week for its leader, but does not chase it yet', async () => {
    await report('jmb', '经贸办', '7.6', '2021-07-27T10:00:00', 'blocked', '客商考察推迟');
    await report('tjz', '统计站', '2.1', '2021-07-28T10:00:00', 'blocked', '数据平台未上线');
    const { outcomes, to } = await tick('2021-08-02T09:00:00');
    expect(outcomes.map((o) => `${o.runKey} ${o.status}`)).toContain('escalation:2021-W30 done');
    expect(to('deputy')).toContain('【分管部门红灯任务】2021-W30');
    expect(to('deputy')).toContain('7.6');
    expect(to('deputy')).not.toContain('2.1 '); // 统计站 is not in the deputy's charge
    expect(to('deputy')).not.toContain('已自动催办');
    expect(to('jmb')).toBe('');
    const { Chase } = store.models;
    expect(await Chase.countDocuments({ kind: 'auto' })).toBe(0);
  });

  it('chases a unit red two weeks running, once: the liaison’s message, the record, the leader’s list', async () => {
    const { sent, to } = await tick('2021-08-09T09:00:00');
    expect(to('jmb')).toContain('【催办】以下任务已连续两周红灯（2021-W31）');
    expect(to('jmb')).toContain('7.6');
    expect(to('jmb')).toContain('客商考察推迟');
    expect(to('tjz')).toContain('2.1');
    expect(to('deputy')).toMatch(/7\.6[^\n]*［已催办］/);
    expect(sent.filter((m) => m.touser === 'jmb')).toHaveLength(1);
    expect(sent.filter((m) => m.touser === 'deputy')).toHaveLength(1);
    const { Chase } = store.models;
    expect(await Chase.countDocuments({ kind: 'auto', taskCode: '7.6', department: '经贸办' })).toBe(1);
    expect(await say('jmb', '任务 7.6', '2021-08-09T09:01:00')).toContain('系统（连续两周红灯）');
  });

  it('sends nothing again on a later tick, from a second instance at once, or after a restart', async () => {
    const later = await tick('2021-08-09T09:05:00');
    expect(later.sent).toEqual([]);
    clock.set(shanghai('2021-08-09T09:06:00'));
    await Promise.all([runDueLoopJobs(jobDeps(store, 'a'), SETTINGS), runDueLoopJobs(jobDeps(second, 'b'), SETTINGS)]);
    expect((await tick('2021-08-09T11:00:00', second, 'b')).sent).toEqual([]);
    const { Chase } = store.models;
    expect(await Chase.countDocuments({ kind: 'auto', taskCode: '7.6' })).toBe(1);
  });
});

describe('到期提醒', () => {
  beforeAll(async () => {
    await store.models.Task.updateMany({ code: { $in: ['7.1', '7.5'] } }, { $set: { deadline: '2021-08-20', deadlineText: '2021年8月20日前' } });
    await say('jmb', '完成 7.5 经贸办 电商培训全部完成', '2021-08-13T10:00:00');
  });

  it('says nothing before the third working day before the deadline', async () => {
    const { to } = await tick('2021-08-16T09:30:00');
    expect(to('jmb')).not.toContain('到期提醒');
    expect(to('cjb')).not.toContain('到期提醒');
  });

  it('warns three working days before, once per member, not for the unit already done', async () => {
    expect((await tick('2021-08-17T09:09:00')).to('jmb')).not.toContain('到期提醒');
    const { to, sent } = await tick('2021-08-17T09:10:00');
    expect(to('jmb')).toContain('【到期提醒】');
    expect(to('jmb')).toContain('3 个工作日后到期');
    expect(to('jmb')).toMatch(/ 7\.1 /);
    expect(to('jmb')).not.toMatch(/ 7\.5 /); // 经贸办 reported 完成 (待审核)
    expect(to('cjb')).toMatch(/ 7\.5 /); // 村建办 has not
    expect(sent.filter((m) => m.touser === 'jmb' && m.content.includes('到期提醒'))).toHaveLength(1);
    expect((await tick('2021-08-17T15:00:00')).sent.filter((m) => m.content.includes('到期提醒'))).toEqual([]);
  });

  it('is quiet in between, and warns on the day, again not the unit finished meanwhile', async () => {
    expect((await tick('2021-08-18T10:00:00')).sent.filter((m) => m.content.includes('到期提醒'))).toEqual([]);
    await report('cjb', '村建办', '7.5', '2021-08-19T10:00:00', 'done', '已完成');
    expect((await tick('2021-08-19T10:00:00')).sent.filter((m) => m.content.includes('到期提醒'))).toEqual([]);
    const { to } = await tick('2021-08-20T09:30:00');
    expect(to('jmb')).toContain('今天到期');
    expect(to('jmb')).toMatch(/ 7\.1 /);
    expect(to('cjb')).not.toContain('到期提醒');
  });

  it('shows 超期 past the deadline in 任务', async () => {
    expect(await say('jmb', '任务 7.1', '2021-08-23T10:00:00')).toContain('已超期 3 天');
  });
});

describe('the 待审核 notice', () => {
  it('tells the admins once a day, only about new items, with their 佐证 counts', async () => {
    // 7.5 (经贸办 on 8-13, 村建办 on 8-19) has waited since before the first notice.
    const first = await tick('2021-08-23T16:40:00');
    expect(first.to('admin')).toContain('【待审核】新报完成 2 项');
    expect(first.to('admin')).toContain('佐证 0 份');
    expect(first.sent.filter((m) => m.touser === 'admin')).toHaveLength(1);
    expect((await tick('2021-08-23T17:00:00')).sent).toEqual([]);

    await say('jmb', '完成 7.2 数字经济项目已落地', '2021-08-24T11:00:00');
    const second = await tick('2021-08-24T16:40:00');
    expect(second.to('admin')).toContain('新报完成 1 项');
    expect(second.to('admin')).toMatch(/ 7\.2 /);
    expect(second.to('admin')).toContain('另有 2 项此前报完成');
    expect(await say('admin', '审核通过 7.2 经贸办', '2021-08-25T09:00:00')).toContain('已销号');
    expect((await tick('2021-08-25T16:40:00')).to('admin')).toBe('');
  });
});

describe('a second 催办 on the same day', () => {
  it('reaches the liaison through the outbox at once, and a second one the next working day at 09:15', async () => {
    expect(await say('admin', '催办 7.1 经贸办 请补报技改进展', '2021-08-26T10:00:00')).toContain('已通知：经贸办联络员。');
    expect((await tick('2021-08-26T10:00:00')).to('jmb')).toContain('请补报技改进展');
    const reply = await say('admin', '催办 7.3 经贸办 请报送双20培育进展', '2021-08-26T11:00:00');
    expect(reply).toContain('经贸办联络员今天已收到过一条催办通知（每人每天最多一条），这条将于8月27日 09:15送达。');
    expect((await tick('2021-08-26T11:00:00')).to('jmb')).toBe('');
    // The held message does not hold up other messages to the same person meanwhile.
    expect(await say('admin', '退回 7.5 经贸办 请补充培训照片', '2021-08-26T11:30:00')).toContain('已通知：经贸办联络员。');
    expect((await tick('2021-08-26T11:30:00')).to('jmb')).toContain('请补充培训照片');
    expect((await tick('2021-08-27T09:14:00')).to('jmb')).toBe('');
    expect((await tick('2021-08-27T09:15:00')).to('jmb')).toContain('请报送双20培育进展');
  });

  it('holds the automatic 催办 too when a person chased the liaison earlier that day', async () => {
    expect(await say('admin', '催办 7.1 经贸办 周一请先报技改', '2021-08-30T08:30:00')).toContain('已通知：经贸办联络员。');
    const monday = await tick('2021-08-30T09:00:00');
    expect(monday.outcomes.map((o) => `${o.runKey} ${o.status}`)).toContain('escalation:2021-W34 done');
    expect(monday.to('jmb')).toContain('周一请先报技改');
    expect(monday.to('jmb')).not.toContain('连续两周红灯');
    expect((await tick('2021-08-31T09:15:00')).to('jmb')).toContain('连续两周红灯');
  });
});

describe('loop --preview', () => {
  it('shows who would get what, and writes nothing', async () => {
    const { Chase, NoticeClaim } = store.models;
    const before = { chases: await Chase.countDocuments({}), claims: await NoticeClaim.countDocuments({}), outbox: await store.models.Outbox.countDocuments({}) };
    clock.set(shanghai('2021-09-06T08:00:00'));
    const lines: string[] = [];
    const ctx: CliContext = {
      config: loadConfig({}, { dotenvPath: null }), logger, clock, out: (l) => lines.push(l), store: async () => store, close: async () => undefined,
    };
    expect(await runLoopCommand(['--preview', '--json'], ctx)).toBe(0);
    const json = JSON.parse(lines[0]!) as Record<string, string[]>;
    expect(json.escalation).toEqual(expect.arrayContaining(['jmb', 'deputy']));
    expect(json.reviewNotice).toEqual(['admin']);
    expect({ chases: await Chase.countDocuments({}), claims: await NoticeClaim.countDocuments({}), outbox: await store.models.Outbox.countDocuments({}) }).toEqual(before);
  });
});

describe('within WeCom’s limits', () => {
  it('never sent anyone two messages of one kind on one day', () => {
    const kinds = new Map<string, number>();
    for (const m of log) {
      const kind = /^(?:（\d+\/\d+）\s*)?【([^】]+)】/.exec(m.content)?.[1] ?? 'other';
      if (Number(/^（(\d+)\//.exec(m.content)?.[1] ?? 1) > 1) continue; // a continuation part of one long message
      for (const u of m.touser.split('|')) {
        const k = `${m.day}|${u}|${kind}`;
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
      }
    }
    expect(log.length).toBeGreaterThan(5);
    expect([...kinds].filter(([, n]) => n > 1)).toEqual([]);
  });
});
