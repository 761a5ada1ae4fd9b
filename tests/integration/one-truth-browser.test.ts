// The one-truth check in a real browser (Debian's chromium via playwright-core): after 完成 and 退回 with a reason
// in chat, the task page, the department page, 总览 and the task list's 退回 filter all say 退回 and the reason, as
// chat does, and none of them says 已完成. Screenshots at phone width go to tests/screenshots/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// A real browser on a shared 2-core machine: a page walk at two widths can take a minute when other tests run beside it.
vi.setConfig({ testTimeout: 120_000 });
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { activePlans } from '../../src/store/plans.ts';
import { openTestStore } from '../helpers/store.ts';

const SHOTS = resolve(import.meta.dirname, '../screenshots');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const clock = new ManualClock('2021-07-26T02:00:00Z');
let store: Store;
let service: Service;
let ctx: BrowserContext;
let dir: string;
let page: Page;
let planId: string;
let msg = 0;

async function say(userid: string, text: string): Promise<string> {
  clock.advance(60_000);
  return (await service.bot.handle({ channel: 'test', userid, text, msgId: `truth-browser-${++msg}`, at: clock.now() })).messages.join('\n');
}

async function visit(path: string, shot: string): Promise<string> {
  await page.goto(`${service.url}${path}`);
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
  return page.locator('main').innerText();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  store = await openTestStore('onetruthbrowser');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  planId = String((await activePlans(store))[0]!._id);
  dir = mkdtempSync(join(tmpdir(), 'duban-chromium-'));
  ctx = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, args: ARGS, viewport: { width: 390, height: 900 }, locale: 'zh-CN' });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(`${service.url}/web/`);
  await page.getByRole('link', { name: /^demo-admin（/ }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/web'));
}, 120_000);
afterAll(async () => {
  await ctx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await service?.stop();
  await store?.close();
});

describe('a 退回 in the browser', () => {
  it('reads 退回 with its reason on every page, as chat does', async () => {
    expect(await say('demo-liaison-01', '完成 7.6 签约两个项目')).toContain('待审核');
    expect(await say('demo-admin', '退回 7.6 经贸办 缺少佐证材料')).toContain('已退回');
    expect(await say('demo-admin', '任务 7.6')).toContain('经贸办：退回：缺少佐证材料');

    const task = await visit(`/web/tasks/${planId}/7.6`, 'one-truth-task-390');
    expect(task).toMatch(/经贸办\s+退回：缺少佐证材料/);
    expect(task).not.toMatch(/经贸办\s+已完成/); // the unit's line; the report log below keeps what was reported
    const department = await visit(`/web/departments/${encodeURIComponent('经贸办')}`, 'one-truth-department-390');
    expect(department).toContain('退回：缺少佐证材料');
    const overview = await visit('/web/', 'one-truth-overview-390');
    expect(overview).toMatch(/退回 1/);
    const returned = await visit(`/web/tasks?plan=${planId}&status=returned`, 'one-truth-returned-390');
    expect(returned).toContain('7.6');
    const closed = await visit(`/web/tasks?plan=${planId}&status=closed`, 'one-truth-closed-390');
    expect(closed).not.toContain('7.6');
  });
});
