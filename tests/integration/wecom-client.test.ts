// The WeCom API client against the local stand-in over real HTTP, with its token cache in the real database.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import type { Store } from '../../src/store/database.ts';
import { createWecomClient, type WecomClientOptions } from '../../src/wecom/api-client.ts';
import { WecomApiError, describeErrcode } from '../../src/wecom/errors.ts';
import { startLocalWecom, type LocalWecom } from '../../src/wecom/local-wecom.ts';
import { openSecondConnection, openTestStore } from '../helpers/store.ts';

const CORP = 'wwtestcorp';
const SECRET = 'super-secret-value';

function captureLogger(): { logger: Logger; text: () => string; entries: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return {
    logger: createLogger('debug', sink),
    text: () => lines.join(''),
    entries: () => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('WeCom API client', () => {
  const clock = new ManualClock('2021-07-26T02:00:00Z');
  let store: Store;
  let wecom: LocalWecom;
  const silent = createLogger('silent');

  beforeAll(async () => {
    store = await openTestStore('wecomclient');
    wecom = await startLocalWecom({
      clock,
      corpId: CORP,
      secret: SECRET,
      departments: [
        { id: 1, name: '南旺镇人民政府', parentid: 0 },
        { id: 2, name: '经贸办', parentid: 1 },
      ],
      users: [
        { userid: 'zhangsan', name: '张三', department: [2] },
        { userid: 'lisi', name: '李四', department: [1, 2] },
        ...Array.from({ length: 20 }, (_, i) => ({ userid: `u${i}`, name: `用户${i}`, department: [1] })),
      ],
    });
  });
  afterAll(async () => {
    await wecom.close();
    await store.close();
  });
  beforeEach(async () => {
    wecom.reset();
    await store.models.Token.deleteMany({});
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
      sleep: async (ms) => clock.advance(ms), // backoffs pass on the shared clock, not in real time
      retryBaseMs: 1,
      random: () => 0.5,
      ...over,
    });
  }
  const calls = (path: string) => wecom.requests.filter((r) => r.path === path);
  const text = (touser: string, content = '请更新本周进度') => ({ touser, msgtype: 'text', text: { content } });

  it('fetches the token once for many sends, concurrent ones included, and shares it with another instance', async () => {
    const a = client();
    await Promise.all(Array.from({ length: 10 }, (_, i) => a.sendMessage(text(`u${i}`))));
    for (let i = 10; i < 15; i++) await a.sendMessage(text(`u${i}`));
    expect(calls('/cgi-bin/gettoken')).toHaveLength(1);

    const other = await openSecondConnection(store);
    try {
      const b = client({ store: other });
      await b.sendMessage(text('u15'));
      expect(await b.getAccessToken()).toBe(await a.getAccessToken());
    } finally {
      await other.close();
    }
    expect(calls('/cgi-bin/gettoken')).toHaveLength(1);
    expect(wecom.sent()).toHaveLength(16);
    expect(await store.models.Token.countDocuments({ key: `app:${CORP}:1000002` })).toBe(1);
  });

  it('renews the token a few minutes before it runs out', async () => {
    const a = client();
    await a.sendMessage(text('u1'));
    clock.advance(7200_000 - 10 * 60_000);
    await a.sendMessage(text('u2'));
    expect(calls('/cgi-bin/gettoken')).toHaveLength(1);
    clock.advance(6 * 60_000); // 4 minutes left
    await a.sendMessage(text('u3'));
    expect(calls('/cgi-bin/gettoken')).toHaveLength(2);
  });

  it('refetches a token WeCom expired early and sends the message once', async () => {
    const a = client();
    await a.sendMessage(text('u1'));
    wecom.expireAllTokens();
    await a.sendMessage(text('u2'));
    expect(calls('/cgi-bin/gettoken')).toHaveLength(2);
    expect(calls('/cgi-bin/message/send')).toHaveLength(3); // u1, u2 refused with 42001, u2 again
    expect(wecom.sent().map((m) => m.touser)).toEqual(['u1', 'u2']);

    // A token refused with 40014 while still cached by both instances: the DB row is dropped too.
    wecom.failNext('/cgi-bin/message/send', { errcode: 40014 });
    const b = client();
    await b.sendMessage(text('u3'));
    expect(wecom.sent().map((m) => m.touser)).toEqual(['u1', 'u2', 'u3']);
    expect(calls('/cgi-bin/gettoken')).toHaveLength(3);
  });

  it('retries -1, HTTP 5xx and timeouts with backoff, then delivers exactly once', async () => {
    const sleeps: number[] = [];
    const a = client({
      timeoutMs: 200,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await a.getAccessToken();
    wecom.failNext('/cgi-bin/message/send', { status: 502, times: 2 });
    wecom.failNext('/cgi-bin/message/send', { errcode: -1 });
    wecom.failNext('/cgi-bin/message/send', { delayMs: 1000, status: 503 }); // outlives the 200 ms timeout
    await a.sendMessage(text('zhangsan'));
    expect(calls('/cgi-bin/message/send')).toHaveLength(5);
    expect(wecom.sent()).toHaveLength(1);
    expect(sleeps).toHaveLength(4);
    expect(sleeps[3]!).toBeGreaterThan(sleeps[0]!); // exponential
  });

  it('gives up after maxRetries with a retryable error', async () => {
    const a = client({ maxRetries: 2 });
    await a.getAccessToken();
    wecom.failNext('/cgi-bin/message/send', { errcode: -1, times: 10 });
    const err = await a.sendMessage(text('zhangsan')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WecomApiError);
    expect(err).toMatchObject({ errcode: -1, retryable: true });
    expect(calls('/cgi-bin/message/send')).toHaveLength(3);
    expect(wecom.sent()).toHaveLength(0);
  });

  it('backs off longer on 45009 and gets through', async () => {
    const sleeps: number[] = [];
    const a = client({ sleep: async (ms) => void sleeps.push(ms), retryBaseMs: 100 });
    await a.getAccessToken();
    wecom.failNext('/cgi-bin/message/send', { errcode: 45009, times: 2 });
    await a.sendMessage(text('lisi'));
    expect(wecom.sent()).toHaveLength(1);
    expect(sleeps).toEqual([300, 600]); // 4 × base, doubled, with jitter at 0.5
  });

  it('does not retry a permanent error, and logs errcode, meaning and link without secrets or content', async () => {
    const logs = captureLogger();
    const a = client({ logger: logs.logger });
    const token = await a.getAccessToken();
    wecom.failNext('/cgi-bin/message/send', { errcode: 60020, errmsg: 'not allow to access from your ip' });
    const err = await a.sendMessage(text('zhangsan', '机密的进度内容')).catch((e: unknown) => e);
    expect(err).toMatchObject({
      errcode: 60020,
      retryable: false,
      lookupUrl: 'https://open.work.weixin.qq.com/devtool/query?e=60020',
    });
    expect((err as WecomApiError).meaning).toMatch(/企业可信IP/);
    expect(calls('/cgi-bin/message/send')).toHaveLength(1);
    const entry = logs.entries().find((e) => e.errcode === 60020);
    expect(entry).toMatchObject({ level: 50, meaning: describeErrcode(60020), lookupUrl: expect.stringContaining('e=60020') });
    expect(logs.text()).not.toContain(SECRET);
    expect(logs.text()).not.toContain(token);
    expect(logs.text()).not.toContain('机密的进度内容');
  });

  it('refuses a wrong secret without retrying', async () => {
    const a = client({ secret: 'wrong' });
    await expect(a.getAccessToken()).rejects.toMatchObject({ errcode: 40001, retryable: false });
    expect(calls('/cgi-bin/gettoken')).toHaveLength(1);
  });

  it('fills in agentid, reports partly invalid recipients, and treats all-invalid (81013) as permanent', async () => {
    const a = client();
    const result = await a.sendMessage(text('zhangsan|ghost'));
    expect(result.invaliduser).toBe('ghost');
    expect(wecom.sent()[0]).toMatchObject({ agentid: 1000002, touser: 'zhangsan|ghost' });
    await expect(a.sendMessage(text('ghost'))).rejects.toMatchObject({ errcode: 81013, retryable: false });
    expect(calls('/cgi-bin/message/send')).toHaveLength(2);
  });

  it('refuses over-long content before sending, so callers split it', async () => {
    const a = client();
    const long = '进'.repeat(700); // 2100 bytes
    await expect(a.sendMessage(text('zhangsan', long))).rejects.toMatchObject({ errcode: 45002, retryable: false });
    await expect(a.sendGroupWebhook('k', { msgtype: 'text', text: { content: long } })).rejects.toThrow(/2048-byte limit/);
    await expect(
      a.sendGroupWebhook('k', { msgtype: 'markdown', markdown: { content: 'x'.repeat(4097) } }),
    ).rejects.toThrow(/4096-byte limit/);
    await a.sendGroupWebhook('k', { msgtype: 'markdown', markdown: { content: long } }); // ≤ 4096 for markdown
    expect(calls('/cgi-bin/message/send')).toHaveLength(0);
    expect(calls('/cgi-bin/webhook/send')).toHaveLength(1);
  });

  it('sends a file to the group as the robot takes it: upload_media (6 bytes to 20 MB), then a file message with its media_id', async () => {
    const a = client();
    const bytes = Buffer.from('PK\u0003\u0004 a small docx stand-in');
    const mediaId = await a.uploadWebhookFile('k', '2026年11月督查通报.docx', bytes);
    expect(wecom.webhookMedia(mediaId)).toEqual({ filename: '2026年11月督查通报.docx', bytes });
    await a.sendGroupWebhook('k', { msgtype: 'file', file: { media_id: mediaId } });
    expect(wecom.webhookPosts()).toEqual([{ msgtype: 'file', file: { media_id: mediaId } }]);
    // Another robot's media, or one that does not exist, is refused as WeCom refuses it.
    await expect(a.sendGroupWebhook('other', { msgtype: 'file', file: { media_id: mediaId } })).rejects.toMatchObject({ errcode: 40007 });
    await expect(a.sendGroupWebhook('k', { msgtype: 'file', file: { media_id: 'nope' } })).rejects.toMatchObject({ errcode: 40007 });
    // Outside the limits: refused before sending, and by the stand-in when sent anyway.
    await expect(a.uploadWebhookFile('k', 'x.docx', Buffer.from('tiny'))).rejects.toMatchObject({ errcode: 40006, retryable: false });
    await expect(a.uploadWebhookFile('k', 'x.docx', Buffer.alloc(20 * 1024 * 1024 + 1))).rejects.toMatchObject({ errcode: 40006 });
    expect(calls('/cgi-bin/webhook/upload_media')).toHaveLength(1);
    const form = new FormData();
    form.append('media', new Blob([new Uint8Array(5)]), 'five.bin');
    const raw = await fetch(`${wecom.url}/cgi-bin/webhook/upload_media?key=k&type=file`, { method: 'POST', body: form });
    expect(await raw.json()).toMatchObject({ errcode: 40006 });
  });

  it('holds 25 webhook posts to at most 20 in any rolling minute, waiting instead of failing', async () => {
    const a = client();
    const key = 'group-key-1';
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => a.sendGroupWebhook(key, { msgtype: 'text', text: { content: `第${i}条` } })),
    );
    const posts = calls('/cgi-bin/webhook/send');
    expect(posts).toHaveLength(25); // none refused with 45009, so none retried
    expect(wecom.webhookPosts()).toHaveLength(25);
    const times = posts.map((p) => p.at.getTime());
    for (const t of times) expect(times.filter((u) => u > t - 60_000 && u <= t).length).toBeLessThanOrEqual(20);
    expect(new Set(wecom.webhookPosts().map((b) => (b.text as { content: string }).content)).size).toBe(25);
  });

  it('holds two instances on one database to 20 webhook posts in any rolling minute between them', async () => {
    const { openSecondConnection } = await import('../helpers/store.ts');
    const other = await openSecondConnection(store);
    try {
      const a = client();
      const b = client({ store: other });
      const key = 'group-key-shared';
      await Promise.all(Array.from({ length: 25 }, (_, i) => (i % 2 ? a : b).sendGroupWebhook(key, { msgtype: 'text', text: { content: `双实例第${i}条` } })));
      const posts = calls('/cgi-bin/webhook/send');
      expect(posts).toHaveLength(25); // none refused with 45009
      const times = posts.map((p) => p.at.getTime());
      for (const t of times) expect(times.filter((u) => u > t - 60_000 && u <= t).length).toBeLessThanOrEqual(20);
    } finally {
      await other.close();
    }
  });

  it('backs off when WeCom says 45009 for a webhook another process filled up', async () => {
    for (let i = 0; i < 20; i++) {
      await fetch(`${wecom.url}/cgi-bin/webhook/send?key=shared`, {
        method: 'POST',
        body: JSON.stringify({ msgtype: 'text', text: { content: 'other' } }),
      });
    }
    const a = client({ retryBaseMs: 10_000 });
    await a.sendGroupWebhook('shared', { msgtype: 'text', text: { content: 'ours' } });
    const ours = wecom.webhookPosts().filter((b) => (b.text as { content: string }).content === 'ours');
    expect(ours).toHaveLength(1);
    expect(calls('/cgi-bin/webhook/send').length).toBeGreaterThan(21); // at least one 45009 first
  });

  it('reads contacts and creates the menu', async () => {
    const a = client();
    expect(await a.listDepartments()).toEqual([
      { id: 1, parentid: 0, order: expect.any(Number) },
      { id: 2, parentid: 1, order: expect.any(Number) },
    ]);
    expect(await a.getDepartment(2)).toEqual({ id: 2, name: '经贸办', parentid: 1 });
    expect(await a.listUsers(2)).toEqual([
      { userid: 'zhangsan', name: '张三', department: [2] },
      { userid: 'lisi', name: '李四', department: [1, 2] },
    ]);
    await expect(a.getDepartment(99)).rejects.toMatchObject({ errcode: 60003, retryable: false });
    const menu = { button: [{ type: 'click', name: '我的任务', key: 'my_tasks' }] };
    await a.createMenu(menu);
    expect(wecom.menus()).toEqual([{ agentid: '1000002', menu }]);
  });
});
