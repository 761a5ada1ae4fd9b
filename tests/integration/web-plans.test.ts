// The 方案 page over real HTTP on the embedded database: an admin uploads a plan, sees the same preview and checks as
// `plan import`, confirms or cancels; archives and reactivates; downloads a plan as a 任务分解表 that reads back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { parsePlanBuffer } from '../../src/domain/plan/index.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { openTestStore } from '../helpers/store.ts';
import { loginAs } from '../helpers/web-session.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/plans');
const clock = new ManualClock('2021-07-28T02:00:00Z');
let store: Store;
let service: Service;
const sessions: Record<string, string> = {};

const get = (path: string, who: string) => fetch(`${service.url}${path}`, { redirect: 'manual', headers: { cookie: `duban_session=${sessions[who]}` } });

async function login(userid: string): Promise<void> {
  sessions[userid] = await loginAs(service.url, userid);
}

const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

async function post(path: string, who: string, fields: Record<string, string>, file?: { bytes: Buffer; name: string }) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  if (file) body.set('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  const res = await fetch(`${service.url}${path}`, { method: 'POST', body, redirect: 'manual', headers: { cookie: `duban_session=${sessions[who]}` } });
  return { status: res.status, html: await res.text() };
}

async function csrf(who: string): Promise<string> {
  return field(await (await get('/web/plans', who)).text(), 'csrf');
}

beforeAll(async () => {
  store = await openTestStore('webplans');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  for (const who of ['demo-admin', 'demo-leader']) await login(who);
});
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('the 方案 page', () => {
  it('is for admins only', async () => {
    expect((await get('/web/plans', 'demo-leader')).status).toBe(403);
    expect((await post('/web/plans/preview', 'demo-leader', { csrf: 'x' }, { bytes: Buffer.from('x'), name: 'a.txt' })).status).toBe(403);
    const page = await (await get('/web/plans', 'demo-admin')).text();
    expect(page).toContain('政务公开');
    expect(page).toContain('预览导入');
  });

  it('previews an uploaded plan without importing, then imports it on 确认导入', async () => {
    const token = await csrf('demo-admin');
    const bytes = readFileSync(join(FIXTURES, 'multi/anquan-2021.txt'));
    const preview = await post('/web/plans/preview', 'demo-admin', { csrf: token }, { bytes, name: '安全生产方案.txt' });
    expect(preview.status).toBe(200);
    expect(preview.html).toContain('新方案');
    expect(preview.html).toContain('识别任务 5 项：新增 5');
    expect(preview.html).toContain('确认导入');
    // The parsed tasks are listed before 确认导入 (编号, 任务, 牵头, 配合, 时限), and 取消 is the secondary button.
    const rows = [...preview.html.matchAll(/<tr><td class="code">([^<]*)<\/td><td>([^<]*)<\/td><td class="unit-cell">([^<]*)<\/td><td class="unit-cell">([^<]*)<\/td>/g)].map((m) => m.slice(1));
    expect(rows.map((r) => r[0])).toEqual(['1.1', '1.2', '1.3', '2.1', '2.2']);
    expect(rows[1]!.slice(2)).toEqual(['经贸办', '']); // one unit: it leads
    expect(rows[4]!.slice(2).join('|')).toMatch(/派出所|综合执法大队/);
    expect(preview.html.indexOf('识别出的任务')).toBeLessThan(preview.html.indexOf('确认导入'));
    expect(preview.html).toMatch(/<button type="submit" class="secondary" name="action" value="cancel">取消<\/button>/);
    expect(await store.models.Plan.countDocuments({})).toBe(1);

    const done = await post('/web/plans/import', 'demo-admin', { csrf: token, upload: field(preview.html, 'upload'), name: '', action: 'import' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('已导入《2021年安全生产专项整治工作实施方案》（简称 安全生产）');
    expect(await store.models.Plan.countDocuments({})).toBe(2);
    // The same upload cannot be imported twice.
    expect((await post('/web/plans/import', 'demo-admin', { csrf: token, upload: field(preview.html, 'upload'), action: 'import' })).status).toBe(410);
  });

  it('refuses a document with no tasks and a file that is not what it claims, changing nothing', async () => {
    const token = await csrf('demo-admin');
    const notice = await post('/web/plans/preview', 'demo-admin', { csrf: token }, { bytes: readFileSync(join(FIXTURES, 'multi/meeting-notice.txt')), name: '通知.txt' });
    expect(notice.status).toBe(422);
    expect(notice.html).toContain('没有识别出任务');
    expect(notice.html).not.toContain('确认导入');
    const fake = await post('/web/plans/preview', 'demo-admin', { csrf: token }, { bytes: Buffer.from('<html>not a word file</html>'), name: 'plan.docx' });
    expect(fake.status).toBe(422);
    expect(fake.html).toContain('现有方案未改动');
    expect(await store.models.Plan.countDocuments({})).toBe(2);
  });

  it('cancels a previewed upload', async () => {
    const token = await csrf('demo-admin');
    const text = readFileSync(join(FIXTURES, 'multi/anquan-2021.txt'), 'utf8').replace('旺政发〔2021〕52号', '旺政发〔2021〕77号').replace('安全生产专项整治', '森林防火');
    const preview = await post('/web/plans/preview', 'demo-admin', { csrf: token }, { bytes: Buffer.from(text), name: 'x.txt' });
    const cancelled = await post('/web/plans/import', 'demo-admin', { csrf: token, upload: field(preview.html, 'upload'), action: 'cancel' });
    expect(cancelled.html).toContain('已取消');
    expect(await store.models.Plan.countDocuments({})).toBe(2);
  });

  it('refuses a form without the page’s token', async () => {
    const r = await post('/web/plans/preview', 'demo-admin', { csrf: 'forged' }, { bytes: readFileSync(join(FIXTURES, 'multi/anquan-2021.txt')), name: 'a.txt' });
    expect(r.status).toBe(403);
  });

  it('archives and reactivates a plan, and downloads it as a 任务分解表 that reads back', async () => {
    const plan = (await store.models.Plan.findOne({ name: '安全生产' }).lean())!;
    const token = await csrf('demo-admin');
    const archived = await post(`/web/plans/${String(plan._id)}/status`, 'demo-admin', { csrf: token, status: 'archived' });
    expect(archived.html).toContain('已改为已归档');
    expect((await store.models.Plan.findById(plan._id).lean())?.status).toBe('archived');
    await post(`/web/plans/${String(plan._id)}/status`, 'demo-admin', { csrf: token, status: 'active' });
    expect((await store.models.Plan.findById(plan._id).lean())?.status).toBe('active');

    const res = await get(`/web/plans/${String(plan._id)}/export.xlsx`, 'demo-admin');
    expect(res.status).toBe(200);
    const parsed = await parsePlanBuffer(Buffer.from(await res.arrayBuffer()), 'plan.xlsx');
    expect(parsed.plan.docNumber).toBe('旺政发〔2021〕52号');
    expect(parsed.tasks.map((t) => [t.code, t.departments])).toEqual([
      ['1.1', ['经贸办', '应急办']], ['1.2', ['经贸办']], ['1.3', ['应急办']], ['2.1', ['村建办']], ['2.2', ['派出所', '综合执法大队']],
    ]);
  });
});
