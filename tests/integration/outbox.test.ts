// The outbox on the real database, delivering over real HTTP to the local WeCom stand-in.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/database.ts';
import { createWecomClient, type WecomClientOptions } from '../../src/wecom/api-client.ts';
import { startLocalWecom, type LocalWecom } from '../../src/wecom/local-wecom.ts';
import {
  OutboxWorker,
  createWecomSender,
  enqueue,
  type OutboxMessage,
  type OutboxWorkerOptions,
} from '../../src/outbox/outbox.ts';
import { openSecondConnection, openTestStore } from '../helpers/store.ts';

const CORP = 'wwoutbox';
const SECRET = 'outbox-secret';
const HOOK = 'group-robot-key';

describe('outbox', () => {
  const clock = new ManualClock('2021-07-30T02:00:00Z');
  const silent = createLogger('silent');
  const advance = async (ms: number) => clock.advance(ms);
  let store: Store;
  let wecom: LocalWecom;

  beforeAll(async () => {
    store = await openTestStore('outbox');
    wecom = await startLocalWecom({ clock, corpId: CORP, secret: SECRET });
  });
  afterAll(async () => {
    await wecom.close();
    await store.close();
  });
  beforeEach(async () => {
    wecom.reset();
    const { Outbox, OutboxClaim, Token } = store.models;
    await Promise.all([Outbox.deleteMany({}), OutboxClaim.deleteMany({}), Token.deleteMany({})]);
  });

  function client(over: Partial<WecomClientOptions> = {}) {
    return createWecomClient({
      apiBase: wecom.url,
      corpId: CORP,
      secret: SECRET,
      agentId: '1000002',
      store,
      clock,
      logger: silent,
      sleep: advance,
      retryBaseMs: 1,
      maxRetries: 1, // most retrying is left to the outbox, which is what these tests are about
      random: () => 0.5,
      ...over,
    });
  }
  function worker(over: Partial<OutboxWorkerOptions> = {}) {
    const s = over.store ?? store;
    return new OutboxWorker({
      store: s,
      clock,
      sender: createWecomSender(client({ store: s }), HOOK),
      logger: silent,
      workerId: 'w1',
      backoff: () => 10,
      sleep: advance,
      ...over,
    });
  }
  const app = (touser: string, content = `提醒 ${touser}`): OutboxMessage => ({
    channel: 'app',
    body: { touser, msgtype: 'text', text: { content } },
  });
  const recipients = () => wecom.sent().map((m) => m.touser as string);
  const sendCalls = () => wecom.requests.filter((r) => r.path === '/cgi-bin/message/send');

  it('stores one message per idempotency key', async () => {
    expect(await enqueue(store, clock, 'remind:2021-W30:zhangsan', app('zhangsan', 'first'))).toBe('queued');
    expect(await enqueue(store, clock, 'remind:2021-W30:zhangsan', app('zhangsan', 'second'))).toBe('exists');
    const docs = await store.models.Outbox.find({}).lean();
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ state: 'pending', attempts: 0, channel: 'app', payload: { text: { content: 'first' } } });
  });

  it('delivers app and webhook messages once and marks them sent', async () => {
    for (const u of ['a', 'b', 'c']) await enqueue(store, clock, `k:${u}`, app(u));
    await enqueue(store, clock, 'digest:2021-W30', { channel: 'webhook', body: { msgtype: 'markdown', markdown: { content: '**周报**' } } });
    const w = worker();
    expect(await w.runOnce()).toEqual({ sent: 4, retried: 0, dead: 0, skipped: 0 });
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, dead: 0, skipped: 0 });
    expect(recipients()).toEqual(['a', 'b', 'c']);
    expect(wecom.webhookPosts()).toHaveLength(1);
    expect(wecom.requests.find((r) => r.path === '/cgi-bin/webhook/send')?.query.key).toBe(HOOK);
    const docs = await store.models.Outbox.find({}).lean();
    expect(docs.every((d) => d.state === 'sent' && d.sentAt instanceof Date && d.attempts === 1)).toBe(true);
  });

  it('rides out 45009 throttling: nothing lost, nothing sent twice', async () => {
    const users = Array.from({ length: 10 }, (_, i) => `u${i}`);
    for (const u of users) await enqueue(store, clock, `k:${u}`, app(u));
    wecom.failNext('/cgi-bin/message/send', { errcode: 45009, times: 15 });
    const result = await worker().drain(600_000);
    expect(result).toMatchObject({ sent: 10, dead: 0, pending: 0 });
    expect(result.retried).toBeGreaterThan(0);
    expect(recipients().sort()).toEqual([...users].sort());
    expect(await store.models.Outbox.countDocuments({ state: 'sent' })).toBe(10);
  });

  it('rides out an outage (HTTP 5xx, then -1, then a timeout) and recovers without duplicates', async () => {
    const users = Array.from({ length: 12 }, (_, i) => `v${i}`);
    for (const u of users) await enqueue(store, clock, `k:${u}`, app(u));
    wecom.failNext('/cgi-bin/message/send', { status: 503, times: 8 });
    wecom.failNext('/cgi-bin/message/send', { errcode: -1, times: 6 });
    wecom.failNext('/cgi-bin/message/send', { status: 502, delayMs: 600, times: 1 });
    const w = worker({ sender: createWecomSender(client({ timeoutMs: 200 }), HOOK) });
    const result = await w.drain(600_000);
    expect(result).toMatchObject({ sent: 12, dead: 0, pending: 0 });
    expect(recipients().sort()).toEqual([...users].sort());
    expect(sendCalls().length).toBe(12 + 8 + 6 + 1);
  });

  it('dead-letters a permanent error at once, with the errcode and its meaning', async () => {
    await enqueue(store, clock, 'k:ip', app('zhangsan'));
    await enqueue(store, clock, 'k:hook', { channel: 'webhook', body: { msgtype: 'text', text: { content: 'x' } } });
    wecom.failNext('/cgi-bin/message/send', { errcode: 60020 });
    const w = worker({ sender: createWecomSender(client(), undefined) });
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, dead: 2, skipped: 0 });
    expect(await w.drain(60_000)).toMatchObject({ sent: 0, dead: 0, pending: 0 });
    const ip = await store.models.Outbox.findOne({ key: 'k:ip' }).lean();
    expect(ip).toMatchObject({ state: 'dead', attempts: 1 });
    expect(ip!.lastError).toMatch(/^permanent error: errcode 60020 .*企业可信IP.*devtool\/query\?e=60020/);
    const hook = await store.models.Outbox.findOne({ key: 'k:hook' }).lean();
    expect(hook).toMatchObject({ state: 'dead', attempts: 1 });
    expect(hook!.lastError).toMatch(/errcode -1005/);
    expect(sendCalls()).toHaveLength(1);
    expect(wecom.sent()).toHaveLength(0);
  });

  it('dead-letters after maxAttempts of retryable failures', async () => {
    await enqueue(store, clock, 'k:busy', app('zhangsan'));
    wecom.failNext('/cgi-bin/message/send', { errcode: -1, times: 100 });
    const w = worker({ maxAttempts: 3, sender: createWecomSender(client({ maxRetries: 0 }), HOOK) });
    const result = await w.drain(600_000);
    expect(result).toMatchObject({ sent: 0, retried: 2, dead: 1, pending: 0 });
    const doc = await store.models.Outbox.findOne({ key: 'k:busy' }).lean();
    expect(doc).toMatchObject({ state: 'dead', attempts: 3 });
    expect(doc!.lastError).toMatch(/^gave up after 3 attempts: errcode -1 /);
    expect(sendCalls()).toHaveLength(3);
    expect(await store.models.OutboxClaim.countDocuments({ outboxId: doc!._id })).toBe(3);
  });

  it('lets two workers on two connections deliver 50 messages, each exactly once', async () => {
    const users = Array.from({ length: 50 }, (_, i) => `p${i}`);
    for (const u of users) await enqueue(store, clock, `k:${u}`, app(u));
    const other = await openSecondConnection(store);
    try {
      const w1 = worker({ workerId: 'w1', batchSize: 50 });
      const w2 = worker({ workerId: 'w2', batchSize: 50, store: other });
      const [r1, r2] = await Promise.all([w1.drain(60_000), w2.drain(60_000)]);
      expect(r1.sent + r2.sent).toBe(50);
      expect(r1.dead + r2.dead + r1.retried + r2.retried).toBe(0);
    } finally {
      await other.close();
    }
    expect(recipients()).toHaveLength(50);
    expect(new Set(recipients()).size).toBe(50);
    expect(await store.models.Outbox.countDocuments({ state: 'sent', attempts: 1 })).toBe(50);
    expect(await store.models.OutboxClaim.countDocuments({})).toBe(50);
  });

  it('retries once the lease runs out when a worker crashed after claiming and recording its attempt', async () => {
    await enqueue(store, clock, 'k:crash', app('zhangsan'));
    const { Outbox, OutboxClaim } = store.models;
    const doc = (await Outbox.findOne({ key: 'k:crash' }).lean())!;
    const leaseMs = 120_000;
    // What a worker leaves behind when it dies between the claim and the send.
    await OutboxClaim.create({ key: `${doc._id}:1`, outboxId: doc._id, attempt: 1, worker: 'crashed', at: clock.now() });
    await Outbox.updateOne({ _id: doc._id }, { $set: { attempts: 1, nextAttemptAt: new Date(clock.now().getTime() + leaseMs) } });

    const w = worker({ leaseMs });
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, dead: 0, skipped: 0 }); // leased: not due yet
    clock.advance(leaseMs + 1);
    expect(await w.runOnce()).toMatchObject({ sent: 1 });
    expect(await w.runOnce()).toMatchObject({ sent: 0 });
    expect(recipients()).toEqual(['zhangsan']);
    expect(await Outbox.findOne({ _id: doc._id }).lean()).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('takes the next attempt when a worker crashed between inserting its claim and updating the message', async () => {
    await enqueue(store, clock, 'k:crash2', app('lisi'));
    const { Outbox, OutboxClaim } = store.models;
    const doc = (await Outbox.findOne({ key: 'k:crash2' }).lean())!;
    await OutboxClaim.create({ key: `${doc._id}:1`, outboxId: doc._id, attempt: 1, worker: 'crashed', at: clock.now() });

    const w = worker({ leaseMs: 120_000 });
    clock.advance(1_000);
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, dead: 0, skipped: 1 }); // held, as far as we know
    clock.advance(120_000);
    expect(await w.runOnce()).toMatchObject({ sent: 1, skipped: 0 });
    expect(recipients()).toEqual(['lisi']);
    expect(await Outbox.findOne({ _id: doc._id }).lean()).toMatchObject({ state: 'sent', attempts: 2 });
    expect((await OutboxClaim.find({ outboxId: doc._id }).lean()).map((c) => c.worker).sort()).toEqual(['crashed', 'w1']);
  });

  it('keeps the enqueue order per recipient across a retry, without holding up other recipients', async () => {
    for (const n of [1, 2, 3]) await enqueue(store, clock, `k:z${n}`, app('zhangsan', `part ${n}`));
    await enqueue(store, clock, 'k:l1', app('lisi', 'other'));
    wecom.failNext('/cgi-bin/message/send', { errcode: -1 });
    const w = worker({ sender: createWecomSender(client({ maxRetries: 0 }), HOOK) });
    expect(await w.runOnce()).toEqual({ sent: 1, retried: 1, dead: 0, skipped: 2 });
    expect(recipients()).toEqual(['lisi']);
    await w.drain(60_000);
    const parts = wecom.sent().filter((m) => m.touser === 'zhangsan').map((m) => (m.text as { content: string }).content);
    expect(parts).toEqual(['part 1', 'part 2', 'part 3']);
  });

  it('runs in the background, wakes up on kick(), and stops cleanly', async () => {
    const w = worker();
    w.start(3_600_000);
    await enqueue(store, clock, 'k:bg1', app('zhangsan'));
    w.kick();
    await vi.waitFor(() => expect(recipients()).toEqual(['zhangsan']), { timeout: 10_000, interval: 20 });
    await enqueue(store, clock, 'k:bg2', app('lisi'));
    w.kick();
    w.kick(); // coalesced
    await vi.waitFor(() => expect(recipients()).toEqual(['zhangsan', 'lisi']), { timeout: 10_000, interval: 20 });
    await w.stop();
    await enqueue(store, clock, 'k:bg3', app('wangwu'));
    w.kick(); // ignored once stopped
    expect(await store.models.Outbox.countDocuments({ state: 'pending' })).toBe(1);
  });
});
