// 发送周报 through the real service in local mode: the encrypted callback, the bot, the job, the outbox and the
// WeCom stand-in's group robot, which must receive the chart once per period as WeCom requires it.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { DEMO_ADMIN } from '../../src/members/members.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { appendReport } from '../../src/store/reports.ts';
import { buildTextCallback, openPassiveReply } from '../../src/wecom/simulator.ts';
import { TEST_SETTINGS } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

type Json = Record<string, any>;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const shanghai = (s: string) => new Date(`${s}+08:00`);
const clock = new ManualClock(shanghai('2021-07-28T09:00:00'));

let store: Store;
let service: Service;
let seq = 0;

/**
 * Says TEXT as USERID through the encrypted app callback and waits for the answer: in the HTTP reply, or, when
 * the job outlasts the passive-reply budget (a loaded machine), as an app message once the job is done. Then
 * delivers everything the job queued.
 */
async function say(userid: string, text: string): Promise<string> {
  const cb = buildTextCallback(TEST_SETTINGS, { userid, text, createTime: Math.floor(clock.now().getTime() / 1000), msgId: `chart-${++seq}` });
  const sentBefore = service.localWecom!.sent().length;
  const res = await fetch(`${service.url}${cb.path}`, { method: 'POST', body: cb.body, headers: { 'content-type': 'text/xml' } });
  expect(res.status).toBe(200);
  const passive = openPassiveReply(TEST_SETTINGS, await res.text())?.content;
  const later = () => service.localWecom!.sent().slice(sentBefore).filter((m) => m.touser === userid && m.msgtype === 'text').map((m) => (m.text as Json).content as string);
  if (!passive) {
    await expect.poll(async () => (await service.outbox.drain(1_000), later().length), { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
  }
  await service.outbox.drain(10_000);
  return [passive, ...later()].filter(Boolean).join('\n');
}

const groupPosts = () => service.localWecom!.webhookPosts();
const images = () => groupPosts().filter((p) => p.msgtype === 'image');

beforeAll(async () => {
  store = await openTestStore('chart');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', WEB_BASE_URL: 'https://duban.example.gov.cn/', LOG_LEVEL: 'silent' }, { dotenvPath: null });
  service = await startService({ config, logger: createLogger('silent'), clock, store, scheduler: false });
  // Reports in W30 (26 Jul – 1 Aug 2021), so the chart has bars of different lengths.
  const task = async (code: string) => (await store.models.Task.findOne({ code }).lean())!;
  for (const [code, department] of [['7.5', '经贸办'], ['1.1', '统计站'], ['2.1', '统计站']] as const) {
    await appendReport(store, { task: await task(code), department, userid: 'someone', at: clock.now(), status: 'in_progress', percent: 50, note: '', sourceMsgId: null });
  }
  clock.set(shanghai('2021-08-02T09:30:00')); // Monday: 发送周报 means W30
});
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('发送周报 and the group chart', () => {
  it('sends the group one PNG chart, base64 with the md5 of its raw bytes, after the text', async () => {
    const reply = await say(DEMO_ADMIN, '发送周报');
    expect(reply).toContain('2021-W30 的周报已排队发送');

    const posts = groupPosts();
    expect(images()).toHaveLength(1);
    expect(posts.at(-1)!.msgtype).toBe('image'); // the text first, the picture after it
    expect(posts.slice(0, -1).every((p) => p.msgtype === 'markdown')).toBe(true);

    const { base64, md5 } = images()[0]!.image as { base64: string; md5: string };
    const png = Buffer.from(base64, 'base64');
    expect(png.toString('base64')).toBe(base64); // valid base64, nothing lost
    expect(createHash('md5').update(png).digest('hex')).toBe(md5);
    expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(png.length).toBeLessThanOrEqual(2 * 1024 * 1024);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBe(1440);
    // The seed plan has about thirty departments, each a bar.
    expect(height).toBeGreaterThan(1200);
    expect(height).toBeLessThan(4000);
  });

  it('links the group digest to the week’s web 周报 page when WEB_BASE_URL is set', () => {
    const markdown = groupPosts().filter((p) => p.msgtype === 'markdown').map((p) => (p.markdown as Json).content as string).join('\n');
    expect(markdown).toContain('(https://duban.example.gov.cn/web/digests/week/2021-W30)');
  });

  it('sends no second chart for the same week, and exactly one more when asked to 重发', async () => {
    const postsBefore = groupPosts().length;
    clock.set(shanghai('2021-08-02T15:00:00'));
    expect(await say(DEMO_ADMIN, '发送周报')).toContain('发送过，本次未重复发送');
    expect(groupPosts()).toHaveLength(postsBefore);
    expect(images()).toHaveLength(1);

    expect(await say(DEMO_ADMIN, '发送周报 重发')).toContain('已排队发送');
    expect(images()).toHaveLength(2);
    expect(await store.models.Outbox.countDocuments({ key: /:group:chart$/ })).toBe(2);
  });
});
