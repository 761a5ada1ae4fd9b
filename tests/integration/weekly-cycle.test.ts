// Several simulated weeks with an injected clock: the right people reminded, digest figures that match the
// reports written, and every message delivered once — across a second instance, a crash and a manual run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/dispatch.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createJobRunner } from '../../src/jobs/job-runner.ts';
import type { JobDeps } from '../../src/jobs/run-job.ts';
import { runDueJobs, type ScheduleSettings } from '../../src/jobs/scheduler.ts';
import { createWecomSender, enqueue, OutboxWorker } from '../../src/outbox/outbox.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { latestDigestOfWeek } from '../../src/store/digest-archive.ts';
import { appendReport } from '../../src/store/reports.ts';
import { createWecomClient } from '../../src/wecom/api-client.ts';
import { startLocalWecom, type LocalWecom } from '../../src/wecom/local-wecom.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { openSecondConnection, openTestStore } from '../helpers/store.ts';

const logger = createLogger('silent');
const SETTINGS: ScheduleSettings = { reminderCron: '0 10 * * 5', digestCron: '0 9 * * 1', workdayAdjust: true };
const clock = new ManualClock('2021-07-01T00:00:00Z');

let store: Store;
let second: Store;
let wecom: LocalWecom;
let worker: OutboxWorker;

function jobDeps(s: Store, workerId: string): JobDeps {
  return {
    store: s, clock, logger, workerId, digestMentions: true, hasGroupRobot: true,
    deliver: async (key, msg) => void (await enqueue(s, clock, key, msg)),
  };
}

/** Delivers everything queued, then returns what the WeCom stand-in has received since `from`. */
async function delivered(from = 0) {
  await worker.drain(10_000);
  return { app: wecom.sent().slice(from), group: wecom.webhookPosts() };
}

const shanghai = (s: string) => new Date(`${s}+08:00`);
async function report(userid: string, department: string, code: string, when: string, status: 'in_progress' | 'done' | 'blocked', percent: number | null, note = '') {
  const task = (await store.models.Task.findOne({ code }).lean())!;
  clock.set(shanghai(when));
  await appendReport(store, { task, department, userid, at: clock.now(), status, percent, note, sourceMsgId: null });
}

beforeAll(async () => {
  store = await openTestStore('weekly');
  second = await openSecondConnection(store);
  await importPlanFile(store, BUNDLED_PLAN, clock);
  await store.models.Member.create([
    { userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] },
    { userid: 'tjz', name: '统计站联络员', departments: ['统计站'], roles: ['member'] },
    { userid: 'boss', name: '镇长', departments: [], roles: ['leader'] },
    { userid: 'deputy', name: '分管领导', departments: ['财政所'], roles: ['member', 'leader'] },
    { userid: 'admin', name: '党政办', departments: ['党政办'], roles: ['member', 'admin'] },
  ]);
  wecom = await startLocalWecom({ clock });
  const client = createWecomClient({ apiBase: wecom.url, corpId: wecom.corpId, secret: wecom.secret, agentId: '1', store, clock, logger, sleep: async () => undefined });
  worker = new OutboxWorker({ store, clock, logger, sender: createWecomSender(client, 'group-key'), workerId: 'w1', sleep: async () => undefined });
});
afterAll(async () => {
  await wecom.close();
  await second.close();
  await store.close();
});

describe('week 2021-W30', () => {
  it('reminds on Friday 10:00 only those who owe, with the right tasks, and never a leader', async () => {
    await report('jmb', '经贸办', '7.5', '2021-07-27T15:00:00', 'in_progress', 60, '已完成电商培训两期');
    await report('tjz', '统计站', '1.1', '2021-07-28T11:00:00', 'done', 100, '规划已公开');
    await report('tjz', '统计站', '2.1', '2021-07-28T11:05:00', 'blocked', null, '数据平台未上线');

    clock.set(shanghai('2021-07-30T09:59:00'));
    // Only W29's digest (due since Monday) is caught up; the reminder is not due yet.
    expect((await runDueJobs(jobDeps(store, 'a'), SETTINGS)).map((o) => o.runKey)).toEqual(['digest:2021-W29']);
    const from = (await delivered()).app.length;
    clock.set(shanghai('2021-07-30T10:00:00'));
    const outcomes = await runDueJobs(jobDeps(store, 'a'), SETTINGS);
    expect(outcomes.map((o) => `${o.runKey} ${o.status}`)).toEqual(['reminder:2021-W30 done']);

    const { app } = await delivered(from);
    const to = (u: string) => app.filter((m) => m.touser === u).map((m) => (m.text as { content: string }).content).join('\n');
    expect(new Set(app.map((m) => m.touser))).toEqual(new Set(['jmb', 'tjz', 'admin']));
    expect(to('jmb')).toContain('1.1');
    expect(to('jmb')).not.toMatch(/ 7\.5 /); // reported this week
    expect(to('jmb')).toContain('汇报 1.1 60%');
    expect(to('tjz')).not.toMatch(/ 1\.1 /); // done
    expect(to('tjz')).not.toMatch(/ 2\.1 /); // reported (blocked) this week
    expect(to('tjz')).toMatch(/ 1\.2 /);
  });

  it('sends nothing again on the next tick, from a second instance, or when an admin asks again', async () => {
    const before = wecom.sent().length;
    clock.set(shanghai('2021-07-30T10:01:00'));
    await Promise.all([runDueJobs(jobDeps(store, 'a'), SETTINGS), runDueJobs(jobDeps(second, 'b'), SETTINGS)]);
    const bot = createBot({ store, clock, logger, notifier: { notifyUsers: async () => undefined }, jobs: createJobRunner(jobDeps(store, 'a')) }, COMMANDS);
    const reply = await bot.handle({ channel: 'test', userid: 'admin', text: '发送提醒', msgId: 'm-remind-1', at: clock.now() });
    expect(reply.messages[0]).toContain('发送过');
    expect((await delivered(before)).app).toEqual([]);
  });

  it('posts a digest on Monday 09:00 whose figures match the reports written', async () => {
    clock.set(shanghai('2021-08-02T09:00:00'));
    const [outcome] = await runDueJobs(jobDeps(store, 'a'), SETTINGS);
    expect(outcome).toMatchObject({ status: 'done', runKey: 'digest:2021-W30' });
    const { app, group } = await delivered(wecom.sent().length);
    const texts = group.filter((g) => g.msgtype === 'markdown');
    const markdown = texts.map((g) => (g.markdown as { content: string }).content).join('\n');
    // W29's digest, caught up on Friday, had no reports: a short notice and no chart. This one is its text, then
    // one chart (tested in digest-chart.test.ts); no web link without WEB_BASE_URL.
    expect(group.map((g) => g.msgtype).join(' ')).toBe('markdown markdown image');
    expect((texts[0]!.markdown as { content: string }).content).toContain('本周没有收到汇报');
    expect(markdown).not.toContain('/web/');

    // Expected pairs: every task × its departments, collective tasks × every concrete department.
    const tasks = await store.models.Task.find({ retired: false }).lean();
    const concrete = (await store.models.Department.find({ collective: false }).lean()).length;
    const pairs = tasks.reduce((n, t) => n + (t.collective ? concrete : t.departments.length), 0);
    expect(markdown).toContain(`汇报率 **${Math.round((3 / pairs) * 100)}%**（3/${pairs}）`);
    // The group's message is the short form; the rest is on the 周报 page it links to (the archived full text).
    expect(markdown).toMatch(/🔴红灯任务 \d+ 项/);
    expect(markdown).toMatch(/汇报最慢：[^\n]*统计站 \d+%/);
    expect(markdown).toContain('<@deputy>'); // DIGEST_MENTIONS on: the 财政所 liaison is named
    const detail = (await latestDigestOfWeek(store, '2021-W30'))!.detailParts!.join('\n');
    expect(detail).toContain('✅累计完成 1（本周新增 1）');
    expect(detail).toContain('🔴受阻 1');
    expect(detail).toMatch(/统计站 \d+%（2\/\d+）/);
    expect(detail).toMatch(/经贸办 \d+%（1\/\d+）/);
    expect(detail).toContain('✅ 1.1');
    expect(detail).toContain('数据平台未上线');
    expect(detail).toMatch(/本周未汇报的部门\n[^\n]*财政所/);
    for (const g of texts) expect(Buffer.byteLength((g.markdown as { content: string }).content)).toBeLessThanOrEqual(4096);

    const leaderMessages = app.filter((m) => String(m.touser).split('|').includes('boss'));
    expect(leaderMessages.length).toBeGreaterThan(0);
    expect(String(leaderMessages[0]!.touser).split('|').sort()).toEqual(['boss', 'deputy']);
  });

  it('answers a manual 发送周报 in the same week without sending twice', async () => {
    const before = { app: wecom.sent().length, group: wecom.webhookPosts().length };
    clock.set(shanghai('2021-08-02T15:00:00'));
    const bot = createBot({ store, clock, logger, notifier: { notifyUsers: async () => undefined }, jobs: createJobRunner(jobDeps(store, 'a')) }, COMMANDS);
    const reply = await bot.handle({ channel: 'test', userid: 'admin', text: '发送周报', msgId: 'm-digest-1', at: clock.now() });
    expect(reply.messages[0]).toContain('已于');
    expect(reply.messages[0]).toContain('发送周报 重发');
    const now = await delivered(before.app);
    expect(now.app).toEqual([]);
    expect(now.group).toHaveLength(before.group);
  });
});

describe('weeks 2021-W31 and after', () => {
  it('resumes a digest run that crashed between claim and enqueue, sending each message once', async () => {
    // W31: the service crashes on Monday 2021-08-09 right after claiming, having queued one message.
    clock.set(shanghai('2021-08-09T09:00:00'));
    await store.models.JobRun.create({ key: 'digest:2021-W31', job: 'digest', period: '2021-W31', claimedAt: clock.now(), claimedBy: 'crashed' });
    await enqueue(store, clock, 'digest:2021-W31:group:0', { channel: 'webhook', body: { msgtype: 'markdown', markdown: { content: '（1/2）partial' } } });
    const groupBefore = wecom.webhookPosts().length;

    clock.set(shanghai('2021-08-09T09:02:00'));
    expect(await runDueJobs(jobDeps(store, 'a'), SETTINGS)).toEqual([{ status: 'busy', runKey: 'digest:2021-W31', claimedAt: expect.any(Date) }]);
    clock.set(shanghai('2021-08-09T09:06:00'));
    const [outcome] = await runDueJobs(jobDeps(second, 'b'), SETTINGS);
    expect(outcome).toMatchObject({ status: 'done', resumed: true });
    expect(await runDueJobs(jobDeps(store, 'a'), SETTINGS)).toEqual([]);
    const posts = (await delivered()).group.slice(groupBefore);
    const keys = await store.models.Outbox.find({ key: /^digest:2021-W31:group:/ }).lean();
    expect(posts).toHaveLength(keys.length); // one post per queued part, none twice
    expect(posts[0]!.markdown).toEqual({ content: '（1/2）partial' });
  });

  it('catches up a digest missed while the service was down, while its period is current', async () => {
    // Down all Monday 2021-08-16; back on Tuesday.
    clock.set(shanghai('2021-08-17T11:00:00'));
    const [outcome] = await runDueJobs(jobDeps(store, 'a'), SETTINGS);
    expect(outcome).toMatchObject({ status: 'done', runKey: 'digest:2021-W32' });
    // W32's reminder (Friday 2021-08-13) was missed too, but W32 is over: it is not sent late.
    expect(await store.models.JobRun.countDocuments({ key: 'reminder:2021-W32' })).toBe(0);
  });

  it('moves the 国庆 reminder to Thursday 2021-09-30 and does not send it again on the holiday', async () => {
    clock.set(shanghai('2021-09-30T09:59:00'));
    expect((await runDueJobs(jobDeps(store, 'a'), SETTINGS)).filter((o) => o.runKey.startsWith('reminder'))).toEqual([]);
    clock.set(shanghai('2021-09-30T10:00:00'));
    const runs = await runDueJobs(jobDeps(store, 'a'), SETTINGS);
    expect(runs.find((o) => o.runKey === 'reminder:2021-W39')).toMatchObject({ status: 'done' });
    clock.set(shanghai('2021-10-01T10:00:00'));
    expect((await runDueJobs(jobDeps(store, 'a'), SETTINGS)).filter((o) => o.runKey.startsWith('reminder'))).toEqual([]);
  });
});
