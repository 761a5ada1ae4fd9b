// The pages in a real browser (Debian's chromium driven by playwright-core): OAuth login through the local WeCom
// stand-in by clicking a name, what each role may see, the filters, the 督办台账 download read back with exceljs,
// a 佐证 photo uploaded on a task page, and screenshots of every page at phone (390 px) and desktop (1280 px) width in tests/screenshots/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import ExcelJS from 'exceljs';
import { readLedgerSheet } from '../helpers/ledger-sheet.ts';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// A real browser on a shared 2-core machine: a page walk at two widths can take a minute when other tests run beside it.
vi.setConfig({ testTimeout: 120_000 });
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { runJob } from '../../src/jobs/run-job.ts';
import { createLogger } from '../../src/logger.ts';
import { upsertMember } from '../../src/members/members.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { openTestStore } from '../helpers/store.ts';

const SHOTS = resolve(import.meta.dirname, '../screenshots');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const clock = new ManualClock('2021-07-12T02:00:00Z');
const shanghai = (s: string) => new Date(`${s}+08:00`);
let store: Store;
let service: Service;
const contexts: Array<{ ctx: BrowserContext; dir: string }> = [];

let msg = 0;
async function say(userid: string, text: string, when: string) {
  clock.set(shanghai(when));
  const reply = await service.bot.handle({ channel: 'test', userid, text, msgId: `web-${++msg}`, at: clock.now() });
  return reply.messages.join('\n');
}

/** A fresh browser profile (its own cookies), as a person opening WeCom on their own phone. */
async function browser(width: number): Promise<Page> {
  const dir = mkdtempSync(join(tmpdir(), 'duban-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width, height: 900 }, locale: 'zh-CN', acceptDownloads: true,
  });
  contexts.push({ ctx, dir });
  return ctx.pages()[0] ?? ctx.newPage();
}

async function login(page: Page, userid: string, path = '/web/') {
  await page.goto(`${service.url}${path}`);
  await page.getByRole('link', { name: new RegExp(`^${userid}（`) }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/web'));
}

async function shot(page: Page, name: string) {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  store = await openTestStore('webbrowser');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  await upsertMember(store, clock, 'test', { userid: 'newcomer', name: '新同事', departments: [] });
  // Three weeks of reports by chat, so the trend has points; 7.5 is 经贸办's and 村建办's.
  await say('demo-liaison-01', '汇报 7.5 30% 已对接快递企业', '2021-07-14T10:00:00');
  await say('demo-liaison-02', '汇报 1.1 50% 规划已归集', '2021-07-15T10:00:00');
  await say('demo-liaison-01', '汇报 1.1 40% 已梳理规划目录', '2021-07-21T10:00:00');
  await say('demo-liaison-03', '汇报 7.5 受阻 快递网点选址未定', '2021-07-22T16:00:00');
  expect(await say('demo-admin', '增派 7.5 统计站', '2021-07-23T09:00:00')).toContain('统计站');
  await runJob(service.jobs, 'digest', '2021-W29');
  expect(await say('demo-liaison-01', '汇报 7.5 60% 已完成电商培训两期', '2021-07-27T15:00:00')).toContain('已记录');
  await say('demo-liaison-02', '完成 1.1 规划已全部公开', '2021-07-28T09:30:00');
  clock.set(shanghai('2021-07-29T10:00:00'));
}, 120_000);

afterAll(async () => {
  for (const { ctx, dir } of contexts) {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
  await service?.stop();
  await store?.close();
});

describe('web pages in a browser', () => {
  it('shows no data without a session: every page sends the browser to the WeCom login', async () => {
    const page = await browser(390);
    for (const path of ['/web/', '/web/tasks', '/web/tasks?dept=经贸办', '/web/audit', '/web/ledger.xlsx']) {
      const res = await fetch(`${service.url}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toMatch(/\/connect\/oauth2\/authorize\?appid=.*scope=snsapi_base.*#wechat_redirect$/);
      expect(await res.text()).not.toContain('7.5');
    }
    await page.goto(`${service.url}/web/tasks`);
    expect(new URL(page.url()).pathname).toBe('/connect/oauth2/authorize');
    const body = await page.textContent('body');
    expect(body).toContain('demo-leader');
    expect(body).not.toContain('电商');
    await shot(page, 'login-390');
  });

  it('logs a leader in through the stand-in and shows 总览 with its charts, tasks, a task and the export', async () => {
    for (const width of [390, 1280]) {
      const page = await browser(width);
      await login(page, 'demo-leader');
      expect(new URL(page.url()).pathname).toBe('/web/');
      await expect.poll(() => page.locator('.chart-trend svg').count()).toBeGreaterThan(0);
      await expect.poll(() => page.locator('.chart-depts svg').count()).toBeGreaterThan(0);
      expect(await page.textContent('main')).toContain('本周汇报率');
      await shot(page, `overview-${width}`);

      await page.click('nav.tabs >> text=任务');
      await page.selectOption('select[name=dept]', '经贸办');
      await page.click('form.filters button[type=submit]');
      await page.waitForURL(/dept=/);
      const codes = await page.locator('.task-card .code').allTextContents();
      expect(codes).toContain('7.5');
      expect(codes).toContain('2.1');
      expect(codes).not.toContain('2.3'); // 财政所's alone
      await shot(page, `tasks-${width}`);

      await page.click('.task-card a[href$="/7.5"]');
      const main = await page.textContent('main');
      expect(main).toContain('已完成电商培训两期');
      expect(main).toContain('快递网点选址未定');
      expect(main).toContain('增派');
      await shot(page, `task-${width}`);

      await page.goto(`${service.url}/web/departments/${encodeURIComponent('经贸办')}`);
      await shot(page, `department-${width}`);
      await page.goto(`${service.url}/web/reports?dept=${encodeURIComponent('经贸办')}`);
      expect(await page.textContent('main')).toContain('已对接快递企业');
      await shot(page, `reports-${width}`);
      await page.goto(`${service.url}/web/digests`);
      await page.click('.plain-list a');
      expect(await page.textContent('main')).toContain('7月19日—25日'); // 2021-W29, as a date
      await shot(page, `digest-${width}`);
      expect((await page.goto(`${service.url}/web/audit`))!.status()).toBe(403);
    }
  });

  it('exports the 督办台账 honouring the filters, and it reads back with exceljs', async () => {
    const page = await browser(1280);
    await login(page, 'demo-leader', '/web/tasks');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href^="/web/ledger.xlsx"]')]);
    const file = join(SHOTS, 'ledger.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    // A leader sees the running month's 考核得分 too.
    expect(wb.worksheets.map((w) => w.name)).toEqual(['台账', '部门汇报率', '考核得分']);
    const ledger = readLedgerSheet(wb.getWorksheet('台账')!);
    expect(ledger.header.slice(0, 5)).toEqual(['序号', '方案', '编号', '任务', '责任单位']);
    expect(ledger.row('7.5', '经贸办')).toMatchObject({ 进展: '推进中', '进度 (%)': 60, 最近汇报说明: '已完成电商培训两期', 状态灯: '绿灯' });
    expect(ledger.row('7.5', '村建办')).toMatchObject({ 进展: '受阻', 最近汇报说明: '快递网点选址未定', 状态灯: '红灯' });
    expect(ledger.row('7.5', '统计站')).toMatchObject({ 进展: '未汇报' });
    expect(wb.getWorksheet('台账')!.views[0]).toMatchObject({ state: 'frozen', ySplit: ledger.headerRow });
    expect(wb.getWorksheet('台账')!.autoFilter).toBeTruthy();
    expect((wb.getWorksheet('部门汇报率')!.getRow(1).values as unknown[]).some((v) => /^\d+月\d+日—/.test(String(v)))).toBe(true);

    // With a filter, only what the list shows.
    await page.goto(`${service.url}/web/tasks?dept=${encodeURIComponent('村建办')}&light=red`);
    const [filtered] = await Promise.all([page.waitForEvent('download'), page.click('a[href^="/web/ledger.xlsx"]')]);
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.readFile((await filtered.path())!);
    const units = new Set(readLedgerSheet(wb2.getWorksheet('台账')!).rows.map((r) => r['责任单位']));
    expect([...units]).toEqual(['村建办']);
  });

  it('limits a liaison to their departments and the town-wide rates; the audit log is for admins', async () => {
    for (const width of [390, 1280]) {
      const page = await browser(width);
      await login(page, 'demo-liaison-01');
      expect(await page.textContent('header')).toContain('经贸办');
      expect(await page.textContent('main')).toContain('本周汇报率');
      await page.goto(`${service.url}/web/tasks`);
      const units = await page.locator('.task-card').allTextContents();
      expect(units.length).toBeGreaterThan(0);
      expect(units.every((t) => t.includes('经贸办') || t.includes('全镇各部门'))).toBe(true);
      if (width === 390) await shot(page, 'tasks-liaison-390');
      for (const path of ['/web/audit', '/web/digests', `/web/departments/${encodeURIComponent('村建办')}`, `/web/tasks?dept=${encodeURIComponent('村建办')}`, `/web/ledger.xlsx?dept=${encodeURIComponent('村建办')}`]) {
        const res = await page.request.get(`${service.url}${path}`, { maxRedirects: 0 });
        if (path.startsWith('/web/tasks?')) expect(await res.text()).toContain('没有符合条件的任务');
        else expect(res.status(), path).toBe(403);
      }
      const other = (await page.goto(`${service.url}/web/tasks/${await planIdOf()}/2.3`))!;
      expect(other.status()).toBe(403);
      if (width === 390) await shot(page, 'forbidden-390');
    }
    const admin = await browser(1280);
    await login(admin, 'demo-admin', '/web/audit');
    // History in plain Chinese: the admin's 增派 as a sentence with names, no internal keys or userids.
    const log = (await admin.textContent('main'))!;
    expect(log).toContain('党政办管理员（演示） 为 7.5 增派 统计站');
    expect(log).not.toMatch(/task:|member:|system:|task\.departments|demo-admin/);
    await shot(admin, 'audit-1280');
    await admin.setViewportSize({ width: 390, height: 900 });
    await shot(admin, 'audit-390');
    await admin.goto(`${service.url}/web/plans`);
    await shot(admin, 'plans-390');
  });

  it('lets a liaison upload a 佐证 photo on the task page and shows its thumbnail', async () => {
    const page = await browser(390);
    await login(page, 'demo-liaison-01', `/web/tasks/${await planIdOf()}/7.5`);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><defs><linearGradient id="g"><stop offset="0" stop-color="#2e6b9e"/><stop offset="1" stop-color="#9ed0a0"/></linearGradient></defs><rect width="320" height="240" fill="url(#g)"/><circle cx="240" cy="70" r="36" fill="#fce8b2"/></svg>';
    const photo = Buffer.from(new Resvg(svg).render().asPng());
    await page.setInputFiles('form.upload input[type=file]', { name: '快递网点.png', mimeType: 'image/png', buffer: photo });
    await page.click('form.upload button[type=submit]');
    await page.waitForURL(/uploaded=1/);
    expect(await page.textContent('#evidence')).toContain('已上传');
    const thumb = page.locator('#evidence img[alt="快递网点.png"]');
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
    expect(await page.textContent('.unit-list')).toContain('佐证 1 份');
    await shot(page, 'task-evidence-390');
  });

  it('tells an unbound member how to get bound, and shows nothing else', async () => {
    const page = await browser(390);
    await login(page, 'newcomer');
    expect(await page.textContent('main')).toContain('绑定 newcomer');
    expect(await page.locator('nav.tabs').count()).toBe(0);
    await shot(page, 'unbound-390');
  });
});

async function planIdOf(): Promise<string> {
  return String((await store.models.Plan.findOne({}).lean())!._id);
}
