// The 党政办's desk in a real browser (Debian's chromium through playwright-core), at a phone's 390 px and a desktop's
// 1280 px: the 销号 desk approves one unit's part and returns another with a reason (chat and the 台账 agree
// afterwards); the nav fits a phone; status words never break mid-word; 汇报记录 names tasks and filters by a person's
// name; weeks read as dates; an unknown page answers in Chinese; a re-sent 周报 is marked. Screenshots of each go to
// tests/screenshots/ (not committed) for a person to look at.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import ExcelJS from 'exceljs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { archiveDigest } from '../../src/store/digest-archive.ts';
import { activePlans } from '../../src/store/plans.ts';
import { readLedgerSheet } from '../helpers/ledger-sheet.ts';
import { openTestStore } from '../helpers/store.ts';

vi.setConfig({ testTimeout: 120_000 });

const SHOTS = resolve(import.meta.dirname, '../screenshots');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const clock = new ManualClock('2021-07-19T02:00:00Z');
const shanghai = (s: string) => new Date(`${s}+08:00`);
let store: Store;
let service: Service;
let planId = '';
const contexts: Array<{ ctx: BrowserContext; dir: string }> = [];

let msg = 0;
async function say(userid: string, text: string, when?: string) {
  if (when) clock.set(shanghai(when));
  else clock.advance(60_000);
  const reply = await service.bot.handle({ channel: 'test', userid, text, msgId: `desk-browser-${++msg}`, at: clock.now() });
  return reply.messages.join('\n');
}

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

/** Elements (by selector) whose text the browser laid out on more than one line. */
async function brokenWords(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) => els.filter((el) => {
    const r = document.createRange();
    r.selectNodeContents(el);
    const lines = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
    return lines.size > 1;
  }).map((el) => el.textContent ?? ''));
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  store = await openTestStore('deskbrowser');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  const plan = (await activePlans(store))[0]!;
  planId = String(plan._id);
  await say('demo-liaison-01', '汇报 7.5 30% 已对接快递企业', '2021-07-21T10:00:00');
  expect(await say('demo-liaison-01', '完成 7.1 已开展企业家培训两场', '2021-07-27T09:00:00')).toContain('待审核');
  expect(await say('demo-liaison-01', '完成 7.2 经贸办 大数据应用项目已上线')).toContain('待审核');
  // The same week's digest sent twice (the Monday run and an admin's 发送周报): the archive marks the second.
  for (const [runKey, at] of [['digest:2021-W29', '2021-07-26T09:00:00'], ['digest:2021-W29:force:1', '2021-07-26T15:00:00']] as const) {
    await archiveDigest(store, { runKey, planId: plan._id, planTitle: plan.title, week: '2021-W29', sentAt: shanghai(at), digest: { rate: 50, expected: 4, reported: 2 }, groupParts: ['周报'], leaderParts: [], detailParts: ['周报全文'] });
  }
  clock.set(shanghai('2021-07-28T10:00:00'));
}, 120_000);

afterAll(async () => {
  for (const { ctx, dir } of contexts) {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
  await service?.stop();
  await store?.close();
});

describe('the desk and the pages on a phone', () => {
  it('shows the 待审核 list with 佐证 thumbnails, approves one and returns one with a reason; chat and the 台账 agree', async () => {
    const page = await browser(390);
    await login(page, 'demo-admin', `/web/tasks/${planId}/7.1`);
    // A photo as 佐证 of 7.1, uploaded on the task page: the desk shows its thumbnail.
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><rect width="320" height="240" fill="#2e6b9e"/><circle cx="240" cy="70" r="36" fill="#fce8b2"/></svg>';
    await page.setInputFiles('form.upload input[type=file]', { name: '培训现场.png', mimeType: 'image/png', buffer: Buffer.from(new Resvg(svg).render().asPng()) });
    await page.selectOption('form.upload select[name=unit]', '经贸办').catch(() => undefined);
    await page.click('form.upload button[type=submit]');
    await page.waitForURL(/uploaded=1/);

    await page.goto(`${service.url}/web/review`);
    const item71 = page.locator('li.review-item', { hasText: '已开展企业家培训两场' });
    const item72 = page.locator('li.review-item', { hasText: '大数据应用项目已上线' });
    await expect.poll(() => item71.locator('img[alt="培训现场.png"]').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    expect(await item72.textContent()).toContain('没有佐证材料');
    await shot(page, 'desk-390');

    // 退回 without a reason: the browser itself asks for one (required), nothing is sent.
    await item71.getByRole('button', { name: '退回' }).click();
    expect(await item71.locator('input[name=reason]').evaluate((el: HTMLInputElement) => el.validity.valueMissing)).toBe(true);
    expect(page.url()).toMatch(/\/web\/review$/);

    await item72.getByRole('button', { name: '审核通过' }).click();
    await page.waitForLoadState('load');
    expect(await page.textContent('.notice')).toContain('已销号：7.2 经贸办');
    const again71 = page.locator('li.review-item', { hasText: '已开展企业家培训两场' });
    await again71.locator('input[name=reason]').fill('缺少佐证材料');
    await again71.getByRole('button', { name: '退回' }).click();
    await page.waitForLoadState('load');
    expect(await page.textContent('.notice')).toContain('已退回：7.1 经贸办（缺少佐证材料）');
    expect(await page.textContent('main')).toContain('没有待审核的任务');
    await shot(page, 'desk-done-390');

    // Chat and the 台账 say the same.
    expect(await say('demo-admin', '任务 7.2')).toMatch(/经贸办.*已销号/);
    expect(await say('demo-liaison-01', '任务 7.1')).toContain('退回：缺少佐证材料');
    const [download] = await Promise.all([page.waitForEvent('download'), page.evaluate(() => { location.href = '/web/ledger.xlsx'; })]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await download.path())!);
    const ledger = readLedgerSheet(wb.getWorksheet('台账')!);
    expect(ledger.row('7.2', '经贸办')).toMatchObject({ 销号状态: '已销号' });
    expect(ledger.row('7.1', '经贸办')).toMatchObject({ 销号状态: '退回', 审核意见: '缺少佐证材料' });
  });

  it('fits a 390 px phone: the whole nav visible, no status word broken, no sideways scrolling', async () => {
    const page = await browser(390);
    await login(page, 'demo-admin');
    const tabs = await page.$$eval('nav.tabs a', (as) => as.map((a) => { const r = a.getBoundingClientRect(); return { text: a.textContent, left: r.left, right: r.right, top: r.top }; }));
    expect(tabs.map((t) => t.text)).toEqual(['总览', '任务', '汇报记录', '销号', '周报', '考核', '操作记录', '方案']);
    for (const t of tabs) expect(t.right, `${t.text} is cut off`).toBeLessThanOrEqual(390);
    expect(new Set(tabs.map((t) => Math.round(t.top))).size, 'one row of tabs').toBe(1);
    for (const path of ['/web/', '/web/tasks', '/web/reports', '/web/review', '/web/digests', '/web/plans', `/web/tasks/${planId}/7.1`]) {
      await page.goto(`${service.url}${path}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
      expect(await brokenWords(page, '.meta span[class^="status-"], .state, .light-tag, .unit-head .state'), path).toEqual([]);
    }
    await page.goto(`${service.url}/web/`);
    await shot(page, 'overview-nav-390');
  });

  it('汇报记录 names each task and filters by a person’s name; weeks read as dates', async () => {
    const page = await browser(390);
    await login(page, 'demo-leader', '/web/reports');
    const first = page.locator('ol.timeline li').filter({ hasText: '7.5' }).first();
    expect(await first.locator('a').first().textContent()).toBe('7.5 实施“电商换市”战略'); // the code and the task's title
    await page.fill('input[name=user]', '经贸办联络员（演示）');
    await page.click('form.filters button[type=submit]');
    await page.waitForLoadState('load');
    const whos = await page.$$eval('ol.timeline li .meta span:nth-child(2)', (els) => els.map((e) => e.textContent?.trim()));
    expect(whos.length).toBeGreaterThan(0);
    expect(new Set(whos)).toEqual(new Set(['经贸办联络员（演示）']));
    await shot(page, 'reports-390');

    await page.goto(`${service.url}/web/`);
    const head = await page.textContent('.plan-head');
    expect(head).toMatch(/本周 7月26日—8月1日/);
    expect(await page.textContent('main')).not.toMatch(/\d{4}-W\d{2}/);
    await page.goto(`${service.url}/web/digests`);
    const items = await page.$$eval('.plain-list li', (lis) => lis.map((li) => li.textContent?.replace(/\s+/g, ' ').trim() ?? ''));
    expect(items).toHaveLength(2);
    expect(items.filter((t) => t.includes('重发'))).toHaveLength(1);
    expect(items.every((t) => t.includes('7月19日—25日'))).toBe(true);
    await shot(page, 'digests-390');
  });

  it('answers an unknown page in Chinese', async () => {
    const page = await browser(390);
    await login(page, 'demo-leader');
    const res = await page.goto(`${service.url}/web/no-such-page`);
    expect(res!.status()).toBe(404);
    expect(await page.textContent('main')).toContain('没有这个页面');
    expect(await page.textContent('body')).not.toContain('Not Found');
    await shot(page, 'not-found-390');
  });

  it('looks right at 1280 px too', async () => {
    const page = await browser(1280);
    await login(page, 'demo-admin');
    for (const [path, name] of [['/web/', 'overview'], ['/web/review', 'desk'], ['/web/reports', 'reports'], ['/web/digests', 'digests']] as const) {
      await page.goto(`${service.url}${path}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(1280);
      await shot(page, `${name}-1280`);
    }
  });
});
