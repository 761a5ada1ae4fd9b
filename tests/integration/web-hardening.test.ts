// The pages' hardening over real HTTP, on the embedded database, with the site's address on https: Secure cookies
// whatever the connection, a CSP that forbids framing, 退出 that kills the cookie on the server, archived plans
// still readable (task page, 佐证, 台账), thumbnails that are small JPEGs, abandoned plan previews removed by the
// cleanup, and an upload that stalls answered with a Chinese page.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { readLedgerSheet } from '../helpers/ledger-sheet.ts';
import { Jimp } from 'jimp';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { cleanupPlanPreviews } from '../../src/jobs/cleanup.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { findPlanUpload, keepPlanUpload } from '../../src/store/plan-uploads.ts';
import { allPlans, setPlanStatus } from '../../src/store/plans.ts';
import { isUploadRequest, readUpload, uploadTimeoutMs } from '../../src/web/multipart.ts';
import { openTestStore } from '../helpers/store.ts';
import { cookiesOf } from '../helpers/web-session.ts';

const SITE = 'https://duban.example';
const clock = new ManualClock('2021-07-28T02:00:00Z');
let store: Store;
let service: Service;
let planKey: string;
let taskPath: string;

const get = (path: string, session: string) => fetch(`${service.url}${path}`, { redirect: 'manual', headers: { cookie: `duban_session=${session}` } });

/** Logs in through the stand-in; the callback link names the https site, so it is followed to the local server. */
async function login(userid: string): Promise<{ session: string; setCookies: string[] }> {
  const start = await fetch(`${service.url}/web/`, { redirect: 'manual' });
  const setCookies = start.headers.getSetCookie();
  const html = await (await fetch(start.headers.get('location')!)).text();
  const link = new RegExp(`<a href="([^"]+)">${userid}（`).exec(html)![1]!.replaceAll('&amp;', '&');
  expect(link.startsWith(`${SITE}/web/auth/callback`)).toBe(true);
  const back = await fetch(link.replace(SITE, service.url), { redirect: 'manual', headers: { cookie: `duban_login=${cookiesOf(start).duban_login}` } });
  setCookies.push(...back.headers.getSetCookie());
  const session = cookiesOf(back).duban_session!;
  expect(session).toBeTruthy();
  return { session, setCookies };
}

/** A photo-sized JPEG (noise does not compress): far bigger than any thumbnail. */
async function bigPhoto(): Promise<Buffer> {
  const image = new Jimp({ width: 1200, height: 900, color: 0x3366ccff });
  const data = image.bitmap.data;
  let seed = 7;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    if (i % 4 !== 3) data[i] = seed & 0xff;
  }
  return image.getBuffer('image/jpeg', { quality: 90 });
}

async function uploadEvidence(session: string, bytes: Buffer, filename: string): Promise<Response> {
  const html = await (await get(taskPath, session)).text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const body = new FormData();
  body.set('csrf', field('csrf'));
  body.set('upload', field('upload'));
  body.set('unit', field('unit'));
  body.set('file', new Blob([new Uint8Array(bytes)]), filename);
  return fetch(`${service.url}${taskPath}/evidence`, { method: 'POST', body, redirect: 'manual', headers: { cookie: `duban_session=${session}` } });
}

beforeAll(async () => {
  store = await openTestStore('webharden');
  service = await startService({ config: loadConfig({ WEB_BASE_URL: SITE }, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
  planKey = String((await allPlans(store))[0]!._id);
  taskPath = `/web/tasks/${planKey}/7.5`;
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

describe('cookies and headers', () => {
  it('marks the login and session cookies Secure when the site is https, though this request came over plain http', async () => {
    const { setCookies } = await login('demo-admin');
    const named = (name: string) => setCookies.filter((c) => c.startsWith(`${name}=`) && !c.startsWith(`${name}=;`));
    expect(named('duban_login').length).toBeGreaterThan(0);
    expect(named('duban_session')).toHaveLength(1);
    for (const c of [...named('duban_login'), ...named('duban_session')]) {
      expect(c.toLowerCase()).toContain('; secure');
      expect(c.toLowerCase()).toContain('; httponly');
    }
  });

  it('sends a CSP that forbids framing and allows only the site’s own scripts, and X-Frame-Options', async () => {
    const { session } = await login('demo-admin');
    const res = await get('/web/', session);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    // The page's scripts and styles are the site's own assets, which the policy allows.
    const html = await res.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    expect(html).toMatch(/<script src="\/web\/assets\//);
  });

  it('revokes the session on 退出: the same cookie afterwards is sent to log in again', async () => {
    const { session } = await login('demo-leader');
    expect((await get('/web/', session)).status).toBe(200);
    const out = await get('/web/logout', session);
    expect(out.status).toBe(200);
    expect(await out.text()).toContain('已退出');
    const again = await get('/web/', session); // a copy of the cookie kept by someone else
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toContain('/connect/oauth2/authorize');
    expect((await fetch(`${service.url}${taskPath}/evidence`, { method: 'POST', headers: { cookie: `duban_session=${session}` } })).status).toBe(401);
  });
});

describe('佐证 thumbnails and archived plans', () => {
  let original: Buffer;
  let evidenceUrl: string;

  it('shows a photo on the task page as a small JPEG thumbnail, linking to the original', async () => {
    const { session } = await login('demo-liaison-01');
    original = await bigPhoto();
    expect((await uploadEvidence(session, original, '现场.jpg')).status).toBe(303);
    const html = await (await get(taskPath, session)).text();
    const m = /<a href="(\/web\/evidence\/[^"]+)"[^>]*><img src="([^"]+)"/.exec(html)!;
    evidenceUrl = m[1]!;
    expect(m[2]).toBe(`${evidenceUrl}?thumb=1`);
    const full = await get(evidenceUrl, session);
    expect(Buffer.from(await full.arrayBuffer()).equals(original)).toBe(true);
    for (let round = 0; round < 2; round++) { // made on the first view, read back on the second
      const thumb = await get(`${evidenceUrl}?thumb=1`, session);
      expect(thumb.status).toBe(200);
      expect(thumb.headers.get('content-type')).toBe('image/jpeg');
      const bytes = Buffer.from(await thumb.arrayBuffer());
      expect(bytes.length).toBeLessThan(original.length / 4);
      const image = await Jimp.read(bytes);
      expect(Math.max(image.width, image.height)).toBeLessThanOrEqual(320);
      expect(image.width / image.height).toBeCloseTo(1200 / 900, 1);
    }
  });

  it('keeps an archived plan’s task page, its 佐证 and its 台账 readable, and takes no new 佐证', async () => {
    const plan = (await allPlans(store)).find((p) => String(p._id) === planKey)!;
    expect(await setPlanStatus(store, clock, 'test', plan, 'archived')).toBe(true);
    const { session } = await login('demo-liaison-01');
    const page = await get(taskPath, session);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('已归档');
    expect(html).not.toContain('<form class="upload"');
    const file = await get(evidenceUrl, session);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(original)).toBe(true);
    expect((await get(`${evidenceUrl}?thumb=1`, session)).status).toBe(200);

    const admin = (await login('demo-admin')).session;
    const ledger = await get(`/web/ledger.xlsx?plan=${planKey}`, admin);
    expect(ledger.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await ledger.arrayBuffer());
    const codes = readLedgerSheet(book.getWorksheet('台账')!).rows.map((r) => String(r['编号']));
    expect(codes.length).toBeGreaterThan(0);
    expect(codes).toContain('7.5');
  });
});

describe('housekeeping', () => {
  it('removes a plan preview nobody confirmed once it is over an hour old, and keeps a fresh one', async () => {
    const bytes = Buffer.from('PK\u0003\u0004 a plan');
    // The fresh one first: keeping an upload also sweeps those older than it by an hour, and no later upload comes here.
    const fresh = await keepPlanUpload(store, { userid: 'demo-admin', filename: '新方案.docx', bytes, at: new Date(clock.now().getTime() - 5 * 60_000) });
    const old = await keepPlanUpload(store, { userid: 'demo-admin', filename: '旧方案.docx', bytes, at: new Date(clock.now().getTime() - 2 * 3600_000) });
    expect(await cleanupPlanPreviews(store, clock)).toBe(1);
    const older = new ManualClock(new Date(clock.now().getTime() - 3 * 3600_000).toISOString()); // seen from when it was fresh
    expect(await findPlanUpload(store, old, 'demo-admin', older.now())).toBeNull();
    expect(await findPlanUpload(store, fresh, 'demo-admin', clock.now())).not.toBeNull();
  });
});

describe('upload time limits', () => {
  it('gives an upload minutes by its size, far beyond the callbacks’ 20 s, and only page forms count as uploads', () => {
    expect(uploadTimeoutMs(4 * 1024 * 1024)).toBeGreaterThanOrEqual(5 * 60_000);
    expect(uploadTimeoutMs(1000)).toBeGreaterThanOrEqual(60_000);
    expect(uploadTimeoutMs(0)).toBeGreaterThanOrEqual(uploadTimeoutMs(10 * 1024 * 1024));
    expect(isUploadRequest({ method: 'POST', url: '/web/plans/preview', headers: { 'content-type': 'multipart/form-data; boundary=x' } })).toBe(true);
    expect(isUploadRequest({ method: 'POST', url: '/wecom/callback?x=1', headers: { 'content-type': 'multipart/form-data; boundary=x' } })).toBe(false);
    expect(isUploadRequest({ method: 'GET', url: '/web/', headers: {} })).toBe(false);
  });

  it('answers an upload that stalls past its limit with a Chinese message, not a bare 408', async () => {
    const app = new Koa();
    app.use(async (ctx) => {
      await readUpload(ctx, 1024 * 1024, 300); // the limit scaled down so the test needs no minutes
      ctx.body = 'ok';
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    try {
      const port = (server.address() as AddressInfo).port;
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/web/x', method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': '100000' } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body });
          });
        });
        req.on('error', reject);
        req.write('--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n\u00ff\u00d8\u00ff'); // then nothing more
      });
      expect(answer.status).toBe(408);
      expect(answer.body).toContain('上传超时');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
