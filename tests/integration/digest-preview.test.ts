// `digest --preview --group --json` prints what the group robot then receives, message for message: the preview
// and the sending share one code path. Through the real service in local mode: the encrypted callback, 发送周报,
// the job, the outbox and the WeCom stand-in, which records every post of the group robot.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { runDigestCommand } from '../../src/cli/jobs.ts';
import type { CliContext } from '../../src/cli/runtime.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { DEMO_ADMIN, DEMO_LEADER } from '../../src/members/members.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { latestDigestOfWeek } from '../../src/store/digest-archive.ts';
import { appendReport } from '../../src/store/reports.ts';
import { buildTextCallback, openPassiveReply } from '../../src/wecom/simulator.ts';
import { TEST_SETTINGS } from '../helpers/bot-harness.ts';
import { openTestStore } from '../helpers/store.ts';
import { cookiesOf } from '../helpers/web-session.ts';

type Json = Record<string, any>;

const BASE = 'https://duban.example.gov.cn';
const shanghai = (s: string) => new Date(`${s}+08:00`);
const clock = new ManualClock(shanghai('2021-07-21T09:00:00'));
const logger = createLogger('silent');

let store: Store;
let service: Service;
let config: Config;
let seq = 0;

async function say(userid: string, text: string): Promise<string> {
  const cb = buildTextCallback(TEST_SETTINGS, { userid, text, createTime: Math.floor(clock.now().getTime() / 1000), msgId: `preview-${++seq}` });
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

/** The CLI in-process, on the service's database and configuration. */
async function cli(...argv: string[]): Promise<string> {
  const lines: string[] = [];
  const ctx: CliContext = { config, logger, clock, out: (l) => lines.push(l), store: async () => store, close: async () => undefined };
  expect(await runDigestCommand(argv, ctx)).toBe(0);
  return lines.join('\n');
}

/** A post of the group robot as the preview prints it. */
function asPreview(p: Json): Json {
  if (p.msgtype === 'image') {
    const png = Buffer.from(p.image.base64 as string, 'base64');
    expect(createHash('md5').update(png).digest('hex')).toBe(p.image.md5);
    return { msgtype: 'image', content: { bytes: png.length, md5: p.image.md5 } };
  }
  return { msgtype: p.msgtype, content: (p[p.msgtype] as Json).content };
}

/** Logs in through the stand-in's authorize page; the redirect to WEB_BASE_URL is taken to this service instead. */
async function loginAs(userid: string): Promise<string> {
  const start = await fetch(`${service.url}/web/`, { redirect: 'manual' });
  const loginCookie = `duban_login=${cookiesOf(start).duban_login}`;
  const html = await (await fetch(start.headers.get('location')!.replace(BASE, service.url))).text();
  const link = new RegExp(`<a href="([^"]+)">${userid}（`).exec(html)![1]!.replaceAll('&amp;', '&').replace(BASE, service.url);
  return cookiesOf(await fetch(link, { redirect: 'manual', headers: { cookie: loginCookie } })).duban_session!;
}

beforeAll(async () => {
  store = await openTestStore('preview');
  config = loadConfig({ PORT: '0', HOST: '127.0.0.1', WEB_BASE_URL: `${BASE}/`, LOG_LEVEL: 'silent' }, { dotenvPath: null });
  service = await startService({ config, logger, clock, store, scheduler: false });
  const task = async (code: string) => (await store.models.Task.findOne({ code }).lean())!;
  const report = async (code: string, department: string, status: 'in_progress' | 'blocked' = 'in_progress', note = '') =>
    appendReport(store, { task: await task(code), department, userid: 'someone', at: clock.now(), status, percent: status === 'blocked' ? null : 50, note, sourceMsgId: null });
  // W29: one report of three expected-ish; W30: more departments report, one is 受阻 (a red task).
  await report('7.5', '经贸办');
  clock.set(shanghai('2021-07-28T09:00:00'));
  for (const [code, department] of [['7.5', '经贸办'], ['1.1', '统计站'], ['2.1', '统计站'], ['2.2', '市场监管所']] as const) await report(code, department);
  await report('7.1', '经贸办', 'blocked', '缺少资金');
  clock.set(shanghai('2021-08-02T09:30:00')); // Monday: 发送周报 means W30
});
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('digest --preview --group --json', () => {
  let preview: Json[];

  it('prints the group’s messages in order: one short markdown, then the chart as its size and md5', async () => {
    preview = JSON.parse(await cli('--preview', '--week', '2021-W30', '--group', '--json')) as Json[];
    expect(preview.map((m) => m.msgtype)).toEqual(['markdown', 'image']);
    const first = preview[0]!.content as string;
    expect([...first].length).toBeLessThanOrEqual(1000);
    expect(first.split('\n').length).toBeLessThanOrEqual(15);
    expect(first).toContain(`(${BASE}/web/digests/week/2021-W30)`);
    expect(first).toMatch(/汇报率 \*\*\d+%\*\*（\d+\/\d+），较上周↑\d+ 个百分点/);
    expect(first).toMatch(/🔴红灯任务 \d+ 项/);
    expect(first).toContain('7.1 ');
    expect(first).toMatch(/未汇报（0%）\d+ 个：/);
    expect(first).not.toContain('项·部门');
    expect(preview[1]!.content).toMatchObject({ bytes: expect.any(Number), md5: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('is exactly what the group robot receives when 发送周报 sends it', async () => {
    const before = service.localWecom!.webhookPosts().length;
    expect(await say(DEMO_ADMIN, '发送周报')).toContain('2021-W30 的周报已排队发送');
    const received = service.localWecom!.webhookPosts().slice(before).map(asPreview);
    expect(received).toEqual(preview);
  });

  it('leads to the 周报 page, which keeps everything the message leaves out', async () => {
    const archived = (await latestDigestOfWeek(store, '2021-W30'))!;
    expect(archived.groupParts).toEqual([preview[0]!.content]);
    const detail = archived.detailParts!.join('\n');
    expect(detail).toContain('各部门汇报率');
    expect(detail).toMatch(/统计站 \d+%（2\/\d+）/);
    expect(detail).toContain('缺少资金');
    // The link's page, here on the service's own address: the full text, for a leader.
    const cookie = `duban_session=${await loginAs(DEMO_LEADER)}`;
    const page = await fetch(`${service.url}/web/digests/week/2021-W30`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('各部门汇报率');
    expect(html).toContain('缺少资金');
    expect((await fetch(`${service.url}/web/digests/week/2021-W20`, { headers: { cookie } })).status).toBe(404);
  });

  it('sends leaders the same shape as text, the link written out', async () => {
    const leader = service.localWecom!.sent().filter((m) => String(m.touser).split('|').includes(DEMO_LEADER) && m.msgtype === 'text').map((m) => (m.text as Json).content as string);
    const weekly = leader.find((t) => t.startsWith('督办周报'))!;
    expect(weekly).toBeDefined();
    expect(weekly).toContain(`${BASE}/web/digests/week/2021-W30`);
    expect(weekly).not.toContain('**');
    expect(Buffer.byteLength(weekly)).toBeLessThanOrEqual(2048);
  });

  it('for a week with no reports: a short notice and no chart', async () => {
    const empty = JSON.parse(await cli('--preview', '--week', '2021-W27', '--group', '--json')) as Json[];
    expect(empty.map((m) => m.msgtype)).toEqual(['markdown']);
    expect(empty[0]!.content).toContain('本周没有收到汇报');
    expect(empty[0]!.content).not.toContain('经贸办');
    expect([...(empty[0]!.content as string)].length).toBeLessThan(200);
  });
});

describe('预览周报 in chat', () => {
  it('shows admins what 发送周报 would send, and sends nothing', async () => {
    const posts = service.localWecom!.webhookPosts().length;
    const reply = await say(DEMO_ADMIN, '预览周报');
    expect(reply).toContain('【预览】2021-W30 的周报，尚未发送');
    expect(reply).toMatch(/督办周报｜7月26日—8月1日\n汇报率 \d+%/);
    expect(reply).toContain('确认无误后发送：发送周报');
    expect(service.localWecom!.webhookPosts()).toHaveLength(posts);
  });

  it('is for admins only', async () => {
    expect(await say(DEMO_LEADER, '预览周报')).not.toContain('【预览】');
  });
});

describe('总览 in chat', () => {
  it('has the digest’s shape: rate, 红灯, slowest, 0 % on one line, a link; no jargon', async () => {
    clock.set(shanghai('2021-07-30T10:00:00')); // W30, the week with the reports
    const reply = await say(DEMO_LEADER, '总览');
    expect(reply).toMatch(/^全镇进展｜本周（7月26日—8月1日，截至7月30日 10:00）\n本周汇报率 \d+%（\d+\/\d+），较上周↑\d+ 个百分点/);
    expect(reply).toContain('🔴红灯任务');
    expect(reply).toMatch(/未汇报（0%）\d+ 个：/);
    expect(reply).toContain('销号：待审核 0　已销号 0');
    expect(reply).toContain(`${BASE}/web/`);
    expect(reply).not.toContain('项·部门');
    expect(reply.split('\n').length).toBeLessThanOrEqual(15);
    clock.set(shanghai('2021-08-02T09:30:00'));
  });
});
