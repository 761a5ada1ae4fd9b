// 佐证材料 on the pages over real HTTP, on the embedded database: a liaison uploads a file on the task page, the
// type is sniffed from the bytes, oversized and foreign files are refused with nothing stored, only those
// responsible may upload and only those who see the task may download, and the 台账 counts the files.
import ExcelJS from 'exceljs';
import { readLedgerSheet } from '../helpers/ledger-sheet.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { EVIDENCE_MAX_BYTES } from '../../src/domain/file-type.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { loadStandings, pendingReviews } from '../../src/standing/index.ts';
import { weekBounds } from '../../src/domain/period.ts';
import { openTestStore } from '../helpers/store.ts';
import { loginAs } from '../helpers/web-session.ts';

const clock = new ManualClock('2021-07-28T02:00:00Z');
let store: Store;
let service: Service;
let taskPath: string;
const sessions: Record<string, string> = {};
let outsiderId: string;

// A real 1×1 PNG, a small PDF, and an HTML page that calls itself a PDF.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const FAKE_PDF = Buffer.from('<!doctype html><script>alert(1)</script>');

const get = (path: string, who: string) => fetch(`${service.url}${path}`, { redirect: 'manual', headers: { cookie: `duban_session=${sessions[who]}` } });

async function login(userid: string): Promise<void> {
  sessions[userid] = await loginAs(service.url, userid);
}

/** The task page's upload form as this user's browser gets it. */
async function formOf(who: string) {
  const html = await (await get(taskPath, who)).text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const action = /<form class="upload" method="post" action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? '';
  return { html, action, csrf: field('csrf'), upload: field('upload'), unit: field('unit') };
}

async function upload(who: string, bytes: Buffer, filename: string, over: Partial<{ csrf: string; upload: string; unit: string; action: string }> = {}) {
  const form = { ...(await formOf(who)), ...over };
  const body = new FormData();
  body.set('csrf', form.csrf);
  body.set('upload', form.upload);
  body.set('unit', form.unit);
  body.set('file', new Blob([new Uint8Array(bytes)]), filename);
  const res = await fetch(`${service.url}${form.action || `${taskPath}/evidence`}`, { method: 'POST', body, redirect: 'manual', headers: { cookie: `duban_session=${sessions[who]}` } });
  return { res, form };
}

const stored = async () => ({
  evidence: await store.models.Evidence.countDocuments({}), files: await store.models.File.countDocuments({}), chunks: await store.models.FileChunk.countDocuments({}),
});

/** The /web/evidence/… addresses on the task page, in order. */
async function evidenceUrls(who: string): Promise<string[]> {
  const html = await (await get(taskPath, who)).text();
  return [...html.matchAll(/(?:src|href)="(\/web\/evidence\/[^"?]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&')).filter((u, i, a) => a.indexOf(u) === i);
}

beforeAll(async () => {
  store = await openTestStore('webevidence');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  const plan = (await store.models.Plan.findOne({}).lean())!;
  taskPath = `/web/tasks/${String(plan._id)}/7.5`;
  for (const who of ['demo-liaison-01', 'demo-liaison-03', 'demo-leader', 'demo-admin']) await login(who);
  // A liaison whose departments have no part in 7.5.
  const task = (await store.models.Task.findOne({ planId: plan._id, code: '7.5' }).lean())!;
  const outsider = (await store.models.Member.find({ userid: /^demo-liaison-/ }).lean()).find((m) => !m.departments.some((d) => task.departments.includes(d)))!;
  await login(outsider.userid);
  sessions.outsider = sessions[outsider.userid]!;
  outsiderId = outsider.userid;
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('佐证材料 on the task page', () => {
  it('lets a liaison upload a photo for their unit, shows the thumbnail, and serves the same bytes back inline', async () => {
    const form = await formOf('demo-liaison-01');
    expect(form.unit).toBe('经贸办'); // their one unit of 7.5: no choice to make
    expect(form.csrf).not.toBe('');
    expect(form.html).toContain('accept=".pdf,.docx,.xlsx,.jpg,.jpeg,.png"');
    const { res } = await upload('demo-liaison-01', PNG, '现场照片.png');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${taskPath}?uploaded=1#evidence`);
    const page = await (await get(`${taskPath}?uploaded=1`, 'demo-liaison-01')).text();
    expect(page).toContain('已上传');
    expect(page).toContain('佐证 1 份');
    expect(page).toMatch(/<img src="\/web\/evidence\/web%3A[0-9a-f]{32}\?thumb=1" alt="现场照片.png"/);
    const [url] = await evidenceUrls('demo-liaison-01');
    const file = await get(url!, 'demo-liaison-01');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('records a double submit of the same form once, and stores the same bytes once', async () => {
    const before = await stored();
    const form = await formOf('demo-liaison-01');
    const first = await upload('demo-liaison-01', PDF, '../../整改报告.pdf', { upload: form.upload, csrf: form.csrf });
    const second = await upload('demo-liaison-01', PDF, '../../整改报告.pdf', { upload: form.upload, csrf: form.csrf });
    expect(first.res.headers.get('location')).toContain('uploaded=1');
    expect(second.res.status).toBe(303);
    expect(second.res.headers.get('location')).toContain('uploaded=2');
    // Another form, the same PNG as before: a new record, no new file.
    expect((await upload('demo-liaison-01', PNG, 'again.png')).res.status).toBe(303);
    const after = await stored();
    expect(after.evidence - before.evidence).toBe(2);
    expect(after.files - before.files).toBe(1);
    const urls = await evidenceUrls('demo-liaison-01');
    expect(urls).toHaveLength(3);
    const pdf = await get(urls[1]!, 'demo-liaison-01');
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/^attachment; filename="evidence-7\.5\.pdf"; filename\*=UTF-8''/);
    expect(decodeURIComponent(pdf.headers.get('content-disposition')!.split("''")[1]!)).toBe('整改报告.pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).equals(PDF)).toBe(true);
    expect(await (await get(taskPath, 'demo-liaison-01')).text()).toContain('佐证 2 份'); // distinct files: the PNG twice counts once
  });

  it('refuses a file that is not what it claims, an oversized one however sent, and a stale form, storing nothing', async () => {
    const before = await stored();
    const fake = await upload('demo-liaison-01', FAKE_PDF, '报告.pdf');
    expect(fake.res.status).toBe(415);
    expect(await fake.res.text()).toContain('只收 PDF、Word（.docx）、Excel（.xlsx）、JPG、PNG 文件');

    const big = Buffer.concat([PNG, Buffer.alloc(EVIDENCE_MAX_BYTES - PNG.length + 1)]);
    const large = await upload('demo-liaison-01', big, 'big.png');
    expect(large.res.status).toBe(413);
    expect(await large.res.text()).toContain('文件超过 10 MB');

    // The same oversized form sent chunked, without a Content-Length.
    const form = await formOf('demo-liaison-01');
    const body = new FormData();
    body.set('csrf', form.csrf);
    body.set('upload', form.upload);
    body.set('unit', form.unit);
    body.set('file', new Blob([new Uint8Array(big)]), 'big.png');
    const encoded = new Response(body);
    const chunked = await fetch(`${service.url}${form.action}`, {
      method: 'POST', body: encoded.body, duplex: 'half', redirect: 'manual',
      headers: { cookie: `duban_session=${sessions['demo-liaison-01']}`, 'content-type': encoded.headers.get('content-type')! },
    } as RequestInit);
    expect(chunked.status).toBe(413);

    const stale = await upload('demo-liaison-01', PNG, 'x.png', { csrf: 'forged' });
    expect(stale.res.status).toBe(403);
    expect(await stale.res.text()).toContain('请刷新页面');
    expect(await stored()).toEqual(before);
  });

  it('lets only those responsible upload, and only those who see the task download', async () => {
    const before = await stored();
    const planTask = taskPath.replace('/web/tasks/', '');
    // Not one of 7.5's units: the page is closed to them, and so is the form's address.
    expect((await get(taskPath, 'outsider')).status).toBe(403);
    const outsider = await upload('outsider', PNG, 'x.png', { action: `/web/tasks/${planTask}/evidence`, unit: '经贸办' });
    expect(outsider.res.status).toBe(403);
    // A leader sees the task but is not responsible for it: no form, and a forged post is refused.
    const leaderForm = await formOf('demo-leader');
    expect(leaderForm.action).toBe('');
    const leader = await upload('demo-leader', PNG, 'x.png', { unit: '经贸办' });
    expect(leader.res.status).toBe(403);
    expect(await leader.res.text()).toContain('只有这项任务的责任单位和管理员可以上传');
    // A liaison of 村建办 may not file under 经贸办.
    const other = await upload('demo-liaison-03', PNG, 'x.png', { unit: '经贸办' });
    expect(other.res.status).toBe(403);
    expect(await stored()).toEqual(before);

    const [url] = await evidenceUrls('demo-liaison-01');
    expect((await get(url!, 'outsider')).status).toBe(403);
    const first = await get(url!, 'demo-leader');
    expect(first.status).toBe(200);
    // Revalidation answers 304 only after the rights are checked again.
    const revalidate = (who: string) => fetch(`${service.url}${url}`, { redirect: 'manual', headers: { cookie: `duban_session=${sessions[who]}`, 'if-none-match': first.headers.get('etag')! } });
    expect((await revalidate('demo-leader')).status).toBe(304);
    expect((await revalidate('outsider')).status).toBe(403);
    expect((await get('/web/evidence/web%3Anothing', 'demo-leader')).status).toBe(404);
    expect((await fetch(`${service.url}${url}`, { redirect: 'manual' })).status).toBe(302); // no session: to the login
  });

  it('lets an admin choose the unit, and counts 佐证 per row in the 台账', async () => {
    const form = await formOf('demo-admin');
    const options = /<select name="unit" required>(.*?)<\/select>/.exec(form.html)![1]!;
    expect([...options.matchAll(/<option value="([^"]+)">/g)].map((m) => m[1]).sort()).toEqual(['村建办', '经贸办'].sort());
    const admin = await upload('demo-admin', PDF.subarray(0, PDF.length - 1), 'cjb.pdf', { unit: '村建办' });
    expect(admin.res.status).toBe(303);

    const res = await get('/web/ledger.xlsx', 'demo-leader');
    expect(res.status).toBe(200);
    const xlsx = Buffer.from(await res.arrayBuffer());
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
    const sheet = readLedgerSheet(wb.getWorksheet('台账')!);
    expect(sheet.header).toContain('佐证 (份)');
    const count = (code: string, unit: string) => Number(sheet.row(code, unit)!['佐证 (份)'] || 0);
    expect(count('7.5', '经贸办')).toBe(2);
    expect(count('7.5', '村建办')).toBe(1);
    expect(count('1.1', '经贸办')).toBe(0);

    const plan = (await store.models.Plan.findOne({}).lean())!;
    const tasks = await store.models.Task.find({ planId: plan._id }).lean();
    const task = tasks.find((t) => t.code === '7.5')!;
    const records = await loadStandings(store, plan, weekBounds(clock.now()), clock.now());
    expect(records.find((r) => r.task.id === String(task._id) && r.department === '经贸办')?.evidence).toBe(2);
    expect(records.find((r) => r.task.id === String(task._id) && r.department === '村建办')?.evidence).toBe(1);

    // A real workbook is an xlsx 佐证 too: stored as such, and downloaded as an attachment with its MIME type.
    expect((await upload('demo-admin', xlsx, '台账.xlsx', { unit: '村建办' })).res.status).toBe(303);
    const page = await (await get(taskPath, 'demo-admin')).text();
    const back = await get(/href="(\/web\/evidence\/[^"]+)" download>台账\.xlsx</.exec(page)![1]!, 'demo-admin');
    expect(back.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(back.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(Buffer.from(await back.arrayBuffer()).equals(xlsx)).toBe(true);

    // The admins' 待审核 list (and its daily notice) carries the same count.
    const done = await service.bot.handle({ channel: 'test', userid: 'demo-liaison-01', text: '完成 7.5 电商换市已落实', msgId: 'ev-done', at: clock.now() });
    expect(done.messages.join('\n')).toContain('待审核');
    const pending = await pendingReviews(store, [plan], clock.now());
    expect(pending.find((p) => p.code === '7.5' && p.department === '经贸办')).toMatchObject({ evidence: 2 });
  });

  it('lets any member upload for a collective task, for their own department', async () => {
    const plan = (await store.models.Plan.findOne({}).lean())!;
    const collective = (await store.models.Task.findOne({ planId: plan._id, collective: true }).lean())!;
    const path = `/web/tasks/${String(plan._id)}/${collective.code}`;
    const html = await (await get(path, 'outsider')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const token = /name="upload" value="([^"]+)"/.exec(html)![1]!;
    const unit = /name="unit" value="([^"]+)"/.exec(html)![1]!;
    const own = (await store.models.Member.findOne({ userid: outsiderId }).lean())!;
    expect(own.departments).toContain(unit);
    const body = new FormData();
    body.set('csrf', csrf);
    body.set('upload', token);
    body.set('unit', unit);
    body.set('file', new Blob([new Uint8Array(PNG)]), '集体任务.png');
    const res = await fetch(`${service.url}${path}/evidence`, { method: 'POST', body, redirect: 'manual', headers: { cookie: `duban_session=${sessions.outsider}` } });
    expect(res.status).toBe(303);
    expect(await store.models.Evidence.countDocuments({ taskId: collective._id, department: unit })).toBe(1);
  });
});
