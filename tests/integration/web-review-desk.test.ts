// The 销号 desk over real HTTP with real sessions on the embedded database: an admin sees what waits (the unit's
// latest report), approves one and returns one with a reason, through the same action as the chat commands; a
// return without a reason, a form without the session's CSRF token, a non-admin, and a second identical submit
// change nothing. Chat and the 台账 agree afterwards.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { readLedgerSheet } from '../helpers/ledger-sheet.ts';
import { openTestStore } from '../helpers/store.ts';
import { loginAs } from '../helpers/web-session.ts';

const clock = new ManualClock('2021-07-26T02:00:00Z'); // Monday 10:00 in Shanghai
let store: Store;
let service: Service;
const sessions: Record<string, string> = {};
let msg = 0;

async function say(userid: string, text: string): Promise<string> {
  const reply = await service.bot.handle({ channel: 'test', userid, text, msgId: `desk-${++msg}`, at: clock.now() });
  clock.advance(60_000);
  return reply.messages.join('\n');
}
const get = (path: string, who: string) => fetch(`${service.url}${path}`, { redirect: 'manual', headers: { cookie: `duban_session=${sessions[who]}` } });
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, ' ');

async function post(who: string, fields: Record<string, string>) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  const res = await fetch(`${service.url}/web/review`, { method: 'POST', body, redirect: 'manual', headers: { cookie: `duban_session=${sessions[who]}` } });
  clock.advance(60_000);
  return { status: res.status, html: await res.text() };
}

/** The fields of the desk's forms for CODE / UNIT, as the page renders them. */
async function formFor(code: string, unit: string): Promise<Record<string, string>> {
  const html = await (await get('/web/review', 'demo-admin')).text();
  const at = html.indexOf(`name="code" value="${code}">\n        <input type="hidden" name="department" value="${unit}">`);
  expect(at, `a form for ${code} ${unit}`).toBeGreaterThan(0);
  const before = html.slice(html.lastIndexOf('<form', at), at);
  const value = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(before)![1]!;
  return { csrf: value('csrf'), token: value('token'), plan: value('plan'), code, department: unit };
}

async function ledgerRow(code: string, unit: string) {
  const res = await get('/web/ledger.xlsx', 'demo-admin');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
  return readLedgerSheet(wb.getWorksheet('台账')!).row(code, unit)!;
}

const decisions = async () => store.models.Audit.countDocuments({ action: { $in: ['task.review.approve', 'task.review.return'] } });

beforeAll(async () => {
  store = await openTestStore('reviewdesk');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  for (const who of ['demo-admin', 'demo-leader', 'demo-liaison-01']) sessions[who] = await loginAs(service.url, who);
  expect(await say('demo-liaison-01', '完成 7.1 已开展企业家培训两场')).toContain('待审核');
  expect(await say('demo-liaison-01', '完成 7.2 经贸办 大数据应用项目已上线')).toContain('待审核');
}, 120_000);
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('the 销号 desk', () => {
  it('lists what waits for review with the unit’s latest report, for admins only', async () => {
    const page = text(await (await get('/web/review', 'demo-admin')).text());
    expect(page).toContain('7.1');
    expect(page).toContain('已开展企业家培训两场');
    expect(page).toContain('大数据应用项目已上线');
    expect(page).toMatch(/待审核 2 · 已销号 0 · 退回 0/);
    expect((await get('/web/review', 'demo-leader')).status).toBe(403);
    expect((await get('/web/review', 'demo-liaison-01')).status).toBe(403);
    const form = await formFor('7.2', '经贸办');
    expect((await post('demo-leader', { ...form, action: 'approve' })).status).toBe(403);
    expect(await decisions()).toBe(0);
  });

  it('refuses a form without the page’s CSRF token, changing nothing', async () => {
    const form = await formFor('7.2', '经贸办');
    expect((await post('demo-admin', { ...form, csrf: '', action: 'approve' })).status).toBe(403);
    expect((await post('demo-admin', { ...form, csrf: 'forged', action: 'approve' })).status).toBe(403);
    expect(await decisions()).toBe(0);
  });

  it('approves: 已销号 in chat and in the 台账, audited once; the same submit again changes nothing and says so', async () => {
    const form = await formFor('7.2', '经贸办');
    const done = await post('demo-admin', { ...form, action: 'approve' });
    expect(done.status).toBe(200);
    expect(text(done.html)).toContain('已销号：7.2 经贸办');
    expect(await decisions()).toBe(1);
    const again = await post('demo-admin', { ...form, action: 'approve' });
    expect(again.status).toBe(200);
    expect(text(again.html)).toContain('这项审核已经提交过，没有重复操作');
    expect(await decisions()).toBe(1);
    expect(await say('demo-admin', '任务 7.2')).toMatch(/经贸办.*已销号/);
    expect(await ledgerRow('7.2', '经贸办')).toMatchObject({ 销号状态: '已销号' });
    expect(text(await (await get('/web/review', 'demo-admin')).text())).not.toContain('大数据应用项目已上线');
    // The chat command on the same unit now finds it closed, as the desk left it.
    expect(await say('demo-admin', '审核通过 7.2 经贸办')).toContain('已销号，未做修改');
  });

  it('refuses a 退回 without a reason, changing nothing', async () => {
    const form = await formFor('7.1', '经贸办');
    const r = await post('demo-admin', { ...form, action: 'return', reason: '  ' });
    expect(r.status).toBe(422);
    expect(text(r.html)).toContain('请写明退回原因');
    expect(await decisions()).toBe(1);
    expect(await ledgerRow('7.1', '经贸办')).toMatchObject({ 销号状态: '待审核' });
  });

  it('returns with a reason: 退回 and the reason in chat and in the 台账, the liaison told; a second submit changes nothing', async () => {
    const form = await formFor('7.1', '经贸办');
    const before = await store.models.Outbox.countDocuments({});
    const r = await post('demo-admin', { ...form, action: 'return', reason: '缺少佐证材料' });
    expect(r.status).toBe(200);
    expect(text(r.html)).toContain('已退回：7.1 经贸办（缺少佐证材料）');
    expect(await store.models.Outbox.countDocuments({})).toBe(before + 1); // the liaison's notice, as from chat
    const again = await post('demo-admin', { ...form, action: 'return', reason: '缺少佐证材料' });
    expect(text(again.html)).toContain('没有重复操作');
    expect(await store.models.Outbox.countDocuments({})).toBe(before + 1);
    expect(await decisions()).toBe(2);
    expect(await say('demo-liaison-01', '任务 7.1')).toContain('退回：缺少佐证材料');
    expect(await ledgerRow('7.1', '经贸办')).toMatchObject({ 销号状态: '退回', 审核意见: '缺少佐证材料' });
    const audit = text(await (await get('/web/audit', 'demo-admin')).text());
    expect(audit).toContain('退回');
    expect(text(await (await get('/web/review', 'demo-admin')).text())).toContain('没有待审核的任务');
  });
});
