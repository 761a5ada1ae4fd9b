// Journal before acknowledging: a message answered 200 is never forgotten, whatever happens after the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../src/bot/command-spec.ts';
import { createBot } from '../../src/bot/dispatch.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { createInboundLedger } from '../../src/store/inbound-ledger.ts';
import type { ReplySink } from '../../src/wecom/callback-routes.ts';
import { finishJournalled } from '../../src/wecom/inbound-recovery.ts';
import { buildTextCallback } from '../../src/wecom/simulator.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { startHarness, TEST_SETTINGS } from '../helpers/bot-harness.ts';
import { openSecondConnection, openTestStore } from '../helpers/store.ts';

let store: Store;
beforeAll(async () => {
  store = await openTestStore('journal');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create({ userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] });
});
afterAll(async () => store.close());

/** 汇报 as a process that dies mid-command would run it: it never returns. */
const dyingReport: CommandSpec = { ...COMMANDS.find((c) => c.name === '汇报')!, run: () => new Promise<never>(() => undefined) };

function recordingSink() {
  const sent: Array<{ key: string; userid: string; messages: string[] }> = [];
  const sink: ReplySink = { async deliverLater(key, userid, messages) { sent.push({ key, userid, messages }); } };
  return { sent, sink };
}

describe('inbound journal', () => {
  it('finishes, exactly once and through the outbox, a message acknowledged 200 whose process then died', async () => {
    const first = await startHarness(store, { commands: [dyingReport, ...COMMANDS.filter((c) => c.name !== '汇报')], passiveBudgetMs: 50 });
    const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '汇报 7.4 35% 已走访企业', createTime: Math.floor(first.clock.now().getTime() / 1000), msgId: '9200000000000000001' });
    try {
      const res = await first.post(cb.path, cb.body);
      expect(res.status).toBe(200); // WeCom will not send this one again
      expect(await res.text()).toBe('');
    } finally {
      await first.close();
    }
    expect(await store.models.Report.countDocuments({ sourceMsgId: cb.msgId })).toBe(0);

    // The restarted process: the same database, the real commands.
    const clock = new ManualClock('2021-07-26T02:01:00Z');
    const logger = createLogger('silent');
    const { sent, sink } = recordingSink();
    const bot = createBot({ store, clock, logger, notifier: { async notifyUsers() {} } }, COMMANDS);
    const deps = { ledger: createInboundLedger(store, clock), bot, replies: sink, clock, logger };
    expect(await finishJournalled(deps, 0)).toBe(1);
    expect(await finishJournalled(deps, 0)).toBe(0);

    const reports = await store.models.Report.find({ sourceMsgId: cb.msgId }).lean();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ taskCode: '7.4', department: '经贸办', percent: 35, note: '已走访企业' });
    expect(sent).toEqual([{ key: `reply:app:${cb.msgId}`, userid: 'jmb', messages: [expect.stringContaining('已记录：7.4')] }]);
    expect(await store.models.InboundDone.exists({ _id: `app:${cb.msgId}` })).toBeTruthy();
  });

  it('leaves a message that is still inside its quiet period to the delivery that owns it', async () => {
    const clock = new ManualClock('2021-07-26T02:00:00Z');
    const ledger = createInboundLedger(store, clock);
    await ledger.journal('app:9200000000000000002', 'app', { channel: 'app', userid: 'jmb', text: '汇报 7.4 40%', msgId: '9200000000000000002', at: clock.now(), seq: 1 });
    const { sent, sink } = recordingSink();
    const bot = createBot({ store, clock, logger: createLogger('silent'), notifier: { async notifyUsers() {} } }, COMMANDS);
    expect(await finishJournalled({ ledger, bot, replies: sink, clock, logger: createLogger('silent') }, 10_000)).toBe(0);
    clock.advance(11_000);
    expect(await finishJournalled({ ledger, bot, replies: sink, clock, logger: createLogger('silent') }, 10_000)).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('answers 503 and keeps the message when the database goes away mid-command, then finishes it once it is back', async () => {
    let down = true;
    const flaky: CommandSpec = {
      ...COMMANDS.find((c) => c.name === '汇报')!,
      async run(ctx, args) {
        if (down) throw Object.assign(new Error('connection 3 to 127.0.0.1:27017 closed'), { name: 'MongoNetworkError' });
        return COMMANDS.find((c) => c.name === '汇报')!.run(ctx, args);
      },
    };
    const commands = [flaky, ...COMMANDS.filter((c) => c.name !== '汇报')];
    const h = await startHarness(store, { commands });
    const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '汇报 7.4 55% 断线', createTime: Math.floor(h.clock.now().getTime() / 1000), msgId: '9200000000000000004' });
    try {
      const res = await h.post(cb.path, cb.body);
      expect(res.status).toBe(503); // WeCom will retry; the journal keeps it meanwhile
    } finally {
      await h.close();
    }
    expect(await store.models.InboundDone.exists({ _id: `app:${cb.msgId}` })).toBeNull();
    down = false;
    const clock = new ManualClock('2021-07-26T02:02:00Z');
    const logger = createLogger('silent');
    const { sent, sink } = recordingSink();
    const bot = createBot({ store, clock, logger, notifier: { async notifyUsers() {} } }, commands);
    expect(await finishJournalled({ ledger: createInboundLedger(store, clock), bot, replies: sink, clock, logger }, 0)).toBeGreaterThanOrEqual(1);
    expect(await store.models.Report.countDocuments({ sourceMsgId: cb.msgId })).toBe(1);
    expect(sent.find((s) => s.key === `reply:app:${cb.msgId}`)?.messages[0]).toContain('已记录：7.4');
  });

  it('answers non-200 when the message cannot be journalled, so WeCom retries it', async () => {
    const gone = await openSecondConnection(store);
    await gone.close();
    const h = await startHarness(gone);
    try {
      const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '汇报 7.4 50%', createTime: Math.floor(h.clock.now().getTime() / 1000), msgId: '9200000000000000003' });
      const res = await h.post(cb.path, cb.body);
      expect(res.status).toBe(503);
    } finally {
      await h.close();
    }
    expect(await store.models.Inbound.exists({ _id: 'app:9200000000000000003' })).toBeNull();
  });
});
