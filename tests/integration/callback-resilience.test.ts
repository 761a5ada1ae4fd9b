// Deliveries that go wrong half-way: a crash mid-command, a body streamed past the limit, a slow command.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../src/bot/command-spec.ts';
import { ManualClock } from '../../src/clock.ts';
import { enqueue } from '../../src/outbox/outbox.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import type { Store } from '../../src/store/database.ts';
import { buildTextCallback, openPassiveReply } from '../../src/wecom/simulator.ts';
import { COMMANDS } from '../../handlers/index.ts';
import { startHarness, TEST_SETTINGS } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

let store: Store;
beforeAll(async () => {
  store = await openTestStore('resilience');
  await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
  await store.models.Member.create({ userid: 'jmb', name: '经贸办联络员', departments: ['经贸办'], roles: ['member'] });
});
afterAll(async () => store.close());

describe('callback resilience', () => {
  it('lets WeCom’s retry take over a delivery that died mid-command, and reports once', async () => {
    const h = await startHarness(store);
    try {
      const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '汇报 7.3 20% 已建培育库', createTime: Math.floor(h.clock.now().getTime() / 1000), msgId: '9100000000000000001' });
      // The first delivery claimed the message and wrote the report, then the process died before answering.
      await store.models.Inbound.create({ _id: `app:${cb.msgId}`, key: `app:${cb.msgId}`, at: h.clock.now(), channel: 'app' });
      const task = (await store.models.Task.findOne({ code: '7.3' }).lean())!;
      const { appendReport } = await import('../../src/store/reports.ts');
      await appendReport(store, { task, department: '经贸办', userid: 'jmb', at: h.clock.now(), status: 'in_progress', percent: 20, note: '已建培育库', sourceMsgId: cb.msgId });

      // A retry within the reply budget is still the first delivery's: answered empty.
      h.clock.advance(1000);
      const early = await h.post(cb.path, cb.body);
      expect(await early.text()).toBe('');

      // WeCom's next retry, seconds later: the claim is orphaned, the retry runs the command and answers.
      h.clock.advance(5000);
      const late = await h.post(cb.path, cb.body);
      const reply = openPassiveReply(TEST_SETTINGS, await late.text());
      expect(reply?.content).toContain('已记录过'); // the report key saw the first delivery's write
      expect(await store.models.Report.countDocuments({ taskCode: '7.3' })).toBe(1);
      expect(await store.models.InboundDone.findOne({ _id: `app:${cb.msgId}` }).lean()).toMatchObject({ reply: reply?.content });
    } finally {
      await h.close();
    }
  });

  it('answers a body streamed past the limit with 413, not a reset connection, and records nothing', async () => {
    const h = await startHarness(store);
    try {
      const before = await store.models.Inbound.countDocuments({});
      const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '帮助', createTime: Math.floor(h.clock.now().getTime() / 1000) });
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${h.server.url}${cb.path}`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        for (let i = 0; i < 20; i++) req.write('x'.repeat(8 * 1024));
        req.end();
      });
      expect(status).toBe(413);
      expect(await store.models.Inbound.countDocuments({})).toBe(before);
    } finally {
      await h.close();
    }
  });

  it('puts a slow command’s reply into the outbox, keyed by the message, once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: CommandSpec = {
      name: '慢', aliases: [], summary: 'slow', args: [], example: '慢', access: 'anyone',
      async run() {
        await gate;
        return '慢慢来的回复';
      },
    };
    const clock = new ManualClock('2021-07-26T02:00:00Z');
    const h = await startHarness(store, {
      commands: [...COMMANDS, slow], passiveBudgetMs: 50,
      replies: {
        async deliverLater(key, userid, messages) {
          for (const [i, content] of messages.entries()) {
            await enqueue(store, clock, `${key}:${i}`, { channel: 'app', body: { touser: userid, msgtype: 'text', text: { content } } });
          }
        },
      },
    });
    try {
      const cb = buildTextCallback(TEST_SETTINGS, { userid: 'jmb', text: '慢', createTime: Math.floor(h.clock.now().getTime() / 1000) });
      const res = await h.post(cb.path, cb.body);
      expect(await res.text()).toBe('');
      release();
      await expect.poll(() => store.models.Outbox.countDocuments({ key: `reply:app:${cb.msgId}:0` })).toBe(1);
      const queued = await store.models.Outbox.findOne({ key: `reply:app:${cb.msgId}:0` }).lean();
      expect(queued?.payload).toMatchObject({ touser: 'jmb', text: { content: '慢慢来的回复' } });
      await expect.poll(async () => !!(await store.models.InboundDone.exists({ _id: `app:${cb.msgId}` }))).toBe(true);
    } finally {
      await h.close();
    }
  });
});
