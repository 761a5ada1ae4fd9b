// Issue 18, item 4: replies fit the role and the phone. Part one runs the real service in local mode (the pages
// on at its own address, no WEB_BASE_URL); part two the bot behind the encrypted callback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { BUNDLED_PLAN, importPlanFile } from '../../src/plan-source.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { buildTextCallback, openPassiveReply } from '../../src/wecom/simulator.ts';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';

describe('local mode: replies carry the page link, 方案 points to the page, 帮助 per role', () => {
  const clock = new ManualClock(new Date('2021-07-28T01:00:00Z'));
  let store: Store;
  let service: Service;
  let seq = 0;

  async function say(userid: string, text: string): Promise<string> {
    const cb = buildTextCallback(TEST_SETTINGS, { userid, text, createTime: Math.floor(clock.now().getTime() / 1000), msgId: `roles-${++seq}` });
    const sentBefore = service.localWecom!.sent().length;
    const res = await fetch(`${service.url}${cb.path}`, { method: 'POST', body: cb.body, headers: { 'content-type': 'text/xml' } });
    expect(res.status).toBe(200);
    const passive = openPassiveReply(TEST_SETTINGS, await res.text())?.content ?? null;
    const later = () => service.localWecom!.sent().slice(sentBefore).filter((m) => m.touser === userid && m.msgtype === 'text').map((m) => (m.text as { content: string }).content);
    // A reply in parts "（1/2）": the rest goes out through the outbox; wait for the last part.
    const parts = /^（1\/(\d+)）/.exec(passive ?? '');
    if (parts) await expect.poll(async () => (await service.outbox.drain(1_000), later().length), { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(Number(parts[1]) - 1);
    return [passive, ...later()].filter(Boolean).join('\n');
  }

  beforeAll(async () => {
    store = await openTestStore('roles');
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }, { dotenvPath: null });
    expect(config.localMode).toBe(true);
    expect(config.web.baseUrl).toBeUndefined();
    service = await startService({ config, logger: createLogger('silent'), clock, store, scheduler: false });
  });
  afterAll(async () => {
    await service?.stop();
    await store?.close();
  });

  it('任务, 我的任务 and a recorded 汇报 link to the pages at the service’s own address', async () => {
    expect(await say('demo-liaison-01', '任务 7.5')).toContain(`网页查看：${service.url}/web/tasks/`);
    const mine = await say('demo-liaison-01', '我的任务');
    expect(mine).toContain(`网页查看：${service.url}/web/tasks?dept=`);
    expect(await say('demo-liaison-01', '汇报 7.6 八成 招商推进')).toMatch(new RegExp(`推进中 80%[\\s\\S]*网页查看：${service.url}/web/tasks/`));
  });

  it('方案 points an admin to the web page, never to a shell command', async () => {
    const reply = await say('demo-admin', '方案');
    expect(reply).toContain(`${service.url}/web/plans`);
    expect(reply).not.toContain('npm');
  });

  it('an admin’s 帮助 is one message within WeCom’s 2048 bytes, with the page link', async () => {
    const sentBefore = service.localWecom!.sent().length;
    const reply = await say('demo-admin', '帮助');
    expect(service.localWecom!.sent().length).toBe(sentBefore); // all in the passive reply: no second message
    expect(Buffer.byteLength(reply)).toBeLessThanOrEqual(2048);
    expect(reply).toContain('管理员命令');
    expect(reply).toContain(`网页：${service.url}/web/`);
  });

  it('a leader without a department is not offered 汇报', async () => {
    const reply = await say('demo-leader', '帮助');
    expect(reply).toContain('· 总览');
    expect(reply).not.toContain('· 汇报');
    expect(reply).not.toContain('· 我的任务');
  });
});

describe('审核通过, 退回 and 催办 without a 部门', () => {
  let store: Store;
  let h: Harness;
  const reviews = () => store.conn.collection('reviews').countDocuments({});
  const chases = () => store.conn.collection('chases').countDocuments({});

  beforeAll(async () => {
    store = await openTestStore('nodept');
    await importPlanFile(store, BUNDLED_PLAN, new ManualClock('2021-07-01T00:00:00Z'));
    await store.models.Member.create([
      { userid: 'jmb', name: '王经贸', departments: ['经贸办'], roles: ['member'] },
      { userid: 'tjz', name: '李统计', departments: ['统计站'], roles: ['member'] },
      { userid: 'admin', name: '党政办', departments: ['党政办'], roles: ['member', 'admin'] },
      { userid: 'deputy', name: '分管副镇长', departments: [], roles: ['leader'] },
    ]);
    h = await startHarness(store);
  });
  afterAll(async () => {
    await h?.close();
    await store?.close();
  });

  it('审核通过 7.6 closes the only unit waiting', async () => {
    await h.say('jmb', '完成 7.6 招商项目已签约');
    const reply = await h.say('admin', '审核通过 7.6');
    expect(reply).toContain('已销号：7.6 经贸办');
    expect(await reviews()).toBe(1);
  });

  it('with two units waiting it lists the exact commands and decides nothing', async () => {
    // 1.2 is 经贸办's and 统计站's.
    await h.say('jmb', '完成 1.2 已公开');
    await h.say('tjz', '完成 1.2 已公开');
    const before = await reviews();
    const reply = await h.say('admin', '审核通过 1.2');
    expect(reply).toContain('未做修改');
    expect(reply).toContain('审核通过 1.2 经贸办');
    expect(reply).toContain('审核通过 1.2 统计站');
    expect(await reviews()).toBe(before);
    const back = await h.say('admin', '退回 1.2 缺少佐证');
    expect(back).toContain('退回 1.2 经贸办 缺少佐证');
    expect(await reviews()).toBe(before);
  });

  it('退回 7.5 原因 sends back the only unit waiting, and names the liaison', async () => {
    await h.say('jmb', '完成 7.5 电商培训完成');
    const reply = await h.say('admin', '退回 7.5 缺少培训照片');
    expect(reply).toContain('已退回：7.5 经贸办（缺少培训照片）');
    expect(reply).toContain('已通知：王经贸。');
  });

  it('审核通过 with nothing waiting says so and writes nothing', async () => {
    const before = await reviews();
    expect(await h.say('admin', '审核通过 7.1')).toContain('没有待审核的部门');
    expect(await reviews()).toBe(before);
  });

  it('a leader’s 催办 names people, and says when and why a held notice arrives, without contradicting itself', async () => {
    await h.say('admin', '分管 deputy 经贸办');
    // 7.3 is 经贸办's and 统计站's; the leader is in charge of 经贸办 only: that is the one unit that fits.
    const first = await h.say('deputy', '催办 7.3 请本周报送');
    expect(first).toContain('已催办：7.3 经贸办');
    expect(first).toContain('已通知：王经贸。');
    const second = await h.say('deputy', '催办 7.4');
    expect(second).toMatch(/王经贸今天已收到过一条催办通知（每人每天最多一条），这条将于\d+月\d+日 09:15送达。/);
    expect(second).not.toContain('已通知');
    expect(second).not.toContain('jmb');
  });

  it('an admin’s 催办 of a task owed by several units lists them and chases none', async () => {
    const before = await chases();
    const reply = await h.say('admin', '催办 2.1');
    expect(reply).toContain('未催办');
    expect(reply).toContain('催办 2.1 经贸办');
    expect(reply).toContain('催办 2.1 统计站');
    expect(await chases()).toBe(before);
  });
});
