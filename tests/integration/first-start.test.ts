// A fresh install on a Wednesday: the plan is imported at first start, and the scheduler must not open with last
// week's digest (all 0 %, for a week before the plan existed), its 催办 or the morning's 到期提醒. The admin's first
// `发送周报` then sends, rather than answering 已发送过. A digest missed later, while the bot was down, goes out
// once, as a 补发.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot, type Bot } from '../../src/bot/dispatch.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createJobRunner } from '../../src/jobs/job-runner.ts';
import { runDueLoopJobs } from '../../src/jobs/loop-run.ts';
import type { JobDeps } from '../../src/jobs/run-job.ts';
import { runDueJobs, type ScheduleSettings } from '../../src/jobs/scheduler.ts';
import type { OutboxMessage } from '../../src/outbox/outbox.ts';
import { DEMO_ADMIN, DEMO_LEADER } from '../../src/members/members.ts';
import { prepareDatabase } from '../../src/service.ts';
import { BUNDLED_PLAN, ensurePlanImported, importPlanFile } from '../../src/plan-source.ts';
import { plansSince } from '../../src/jobs/catch-up.ts';
import type { Store } from '../../src/store/database.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { openTestStore } from '../helpers/store.ts';

const logger = createLogger('silent');
const SETTINGS: ScheduleSettings = { reminderCron: '0 10 * * 5', digestCron: '0 9 * * 1', workdayAdjust: true };
const shanghai = (s: string) => new Date(`${s}+08:00`);
const clock = new ManualClock(shanghai('2021-07-28T11:00:00')); // Wednesday of 2021-W30

let store: Store;
let bot: Bot;
const sent: Array<{ key: string; to: string; content: string }> = [];

const deps = (): JobDeps => ({
  store, clock, logger, workerId: 'first', digestMentions: false, hasGroupRobot: false,
  async deliver(key: string, msg: OutboxMessage) {
    const body = msg.body as { touser?: string; text?: { content: string } };
    sent.push({ key, to: body.touser ?? msg.channel, content: body.text?.content ?? '' });
  },
});

/** One scheduler tick at WHEN: the weekly jobs, then the 督办 loop; returns what it sent. */
async function tick(when: string) {
  clock.set(shanghai(when));
  const from = sent.length;
  const weekly = await runDueJobs(deps(), SETTINGS);
  const loop = await runDueLoopJobs(deps(), SETTINGS);
  return { runs: [...weekly, ...loop].map((o) => o.runKey), sent: sent.slice(from) };
}

beforeAll(async () => {
  store = await openTestStore('firststart');
  // The first start itself: the bundled plan is imported now, and local mode seeds the demo roster.
  await prepareDatabase(loadConfig({}, { dotenvPath: null }), logger, clock, store);
  bot = createBot({ store, clock, logger, notifier: { async notifyUsers() {} }, jobs: createJobRunner(deps()) }, COMMANDS);
});
afterAll(async () => {
  await store.close();
});

describe('the first start', () => {
  it('sends no digest, 催办 or warning about the time before the plan was imported', async () => {
    const first = await tick('2021-07-28T11:00:30');
    expect(first.runs).toEqual([]);
    expect(first.sent).toEqual([]);
    // Nothing was claimed either: the next ticks still find nothing to do.
    expect((await tick('2021-07-28T11:05:00')).sent).toEqual([]);
  });

  it("lets the admin's first 发送周报 send last week's digest", async () => {
    clock.set(shanghai('2021-07-28T11:10:00'));
    const reply = (await bot.handle({ channel: 'test', userid: DEMO_ADMIN, text: '发送周报', msgId: 'm-1', at: clock.now() })).messages.join('\n');
    expect(reply).toContain('2021-W29 的周报已排队发送');
    expect(reply).not.toContain('发送过');
    expect(sent.at(-1)!.to).toBe(DEMO_LEADER);
    expect(sent.at(-1)!.content).not.toContain('补发');
  });

  it('runs the week the plan exists in as scheduled, not marked as a catch-up', async () => {
    const friday = await tick('2021-07-30T10:00:00');
    expect(friday.runs).toContain('reminder:2021-W30');
    const reminders = friday.sent.filter((m) => m.key.startsWith('reminder:'));
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.some((m) => m.content.includes('补发'))).toBe(false);
  });
});

describe('a digest missed while the bot was down', () => {
  it('goes out once, for the latest period, and says it is a 补发', async () => {
    const late = await tick('2021-08-03T15:00:00'); // Tuesday: Monday 09:00 was missed
    expect(late.runs).toContain('digest:2021-W30');
    const digest = late.sent.filter((m) => m.key.startsWith('digest:'));
    expect(new Set(digest.map((m) => m.to))).toEqual(new Set([DEMO_LEADER]));
    // The first line of the text, after the part number of a digest split into several messages.
    expect(digest[0]!.content.replace(/^（\d+\/\d+）\n/, '').split('\n')[0]).toBe('（补发）');
    expect(digest[0]!.content).toContain('督办周报｜7月26日—8月1日');
    expect((await tick('2021-08-03T15:01:00')).runs).toEqual([]);
  });
});

describe('an amended plan imported again', () => {
  it('keeps the time of its first import, also for a plan stored before that was kept', async () => {
    const first = shanghai('2021-07-28T11:00:00');
    await store.models.Plan.updateMany({}, { $unset: { firstImportedAt: 1 } });
    await ensurePlanImported(store, undefined, clock, logger); // what every start does
    expect(await plansSince(store)).toEqual(first);
    clock.set(shanghai('2021-08-04T10:00:00'));
    await importPlanFile(store, BUNDLED_PLAN, clock);
    expect((await store.models.Plan.findOne({}).lean())!.importedAt).toEqual(clock.now());
    expect(await plansSince(store)).toEqual(first);
  });
});
