// With WEB_BASE_URL set, 任务 replies and reminders link to the pages; without it they do not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/dispatch.ts';
import { ManualClock } from '../../src/clock.ts';
import { buildReminders } from '../../src/jobs/reminder.ts';
import { createLogger } from '../../src/logger.ts';
import { ensureDemoRoster } from '../../src/members/members.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { activePlans } from '../../src/store/plans.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { openTestStore } from '../helpers/store.ts';

const clock = new ManualClock('2021-07-28T02:00:00Z');
const BASE = 'https://duban.example.gov.cn';
let store: Store;

beforeAll(async () => {
  store = await openTestStore('chatlinks');
  await importPlanFile(store, BUNDLED_PLAN, clock);
  await ensureDemoRoster(store, clock);
});
afterAll(async () => {
  await store.close();
});

const ask = async (webBaseUrl: string | undefined, text: string) => {
  const bot = createBot({ store, clock, logger: createLogger('silent'), notifier: { notifyUsers: async () => undefined }, webBaseUrl }, COMMANDS);
  return (await bot.handle({ channel: 'test', userid: 'demo-liaison-01', text, msgId: null, at: clock.now() })).messages.join('\n');
};

describe('links from chat to the pages', () => {
  it('任务 adds the task page when WEB_BASE_URL is set', async () => {
    const plan = (await activePlans(store))[0]!;
    expect(await ask(BASE, '任务 7.5')).toContain(`网页查看：${BASE}/web/tasks/${String(plan._id)}/7.5`);
    expect(await ask(undefined, '任务 7.5')).not.toContain('网页查看');
  });

  it('a reminder links to the department’s task list', async () => {
    const plans = await activePlans(store);
    const withLink = await buildReminders(store, plans, clock.now(), { webBaseUrl: BASE });
    const jmb = withLink.find((r) => r.userid === 'demo-liaison-01')!;
    expect(jmb.messages.join('\n')).toContain(`网页查看：${BASE}/web/tasks?dept=${encodeURIComponent('经贸办')}`);
    const without = await buildReminders(store, plans, clock.now());
    expect(without.find((r) => r.userid === 'demo-liaison-01')!.messages.join('\n')).not.toContain('网页查看');
  });
});
