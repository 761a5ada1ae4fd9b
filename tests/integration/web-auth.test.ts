// The pages' login over real HTTP: WeCom OAuth2 (snsapi_base) through the local stand-in, state bound to the
// browser and used once, single-use codes, signed session cookies, no open redirect, and no data without a session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/service.ts';
import type { Store } from '../../src/store/database.ts';
import { safeNextPath } from '../../src/web/session.ts';
import { openTestStore } from '../helpers/store.ts';
import { cookiesOf } from '../helpers/web-session.ts';

const clock = new ManualClock('2021-07-28T02:00:00Z');
let store: Store;
let service: Service;

beforeAll(async () => {
  store = await openTestStore('webauth');
  service = await startService({ config: loadConfig({}, { dotenvPath: null }), logger: createLogger('silent'), clock, port: 0, store, scheduler: false });
});
afterAll(async () => {
  await service?.stop();
  await store?.close();
});

const get = (url: string, cookie = '') => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });

/** Starts a login at `path`: the authorize URL and the login cookie the browser got. */
async function startLogin(path = '/web/') {
  const res = await get(`${service.url}${path}`);
  expect(res.status).toBe(302);
  return { authorize: new URL(res.headers.get('location')!), loginCookie: `duban_login=${cookiesOf(res).duban_login}`, setCookie: res.headers.getSetCookie().join('\n') };
}

/** The stand-in's link for USERID on the authorize page: the callback URL with a fresh code. */
async function callbackFor(authorize: URL, userid: string): Promise<string> {
  const html = await (await fetch(authorize)).text();
  const m = new RegExp(`<a href="([^"]+)">${userid}（`).exec(html);
  expect(m, `no login link for ${userid}`).not.toBeNull();
  return m![1]!.replaceAll('&amp;', '&');
}

async function loginAs(userid: string, path = '/web/') {
  const { authorize, loginCookie } = await startLogin(path);
  const callback = await callbackFor(authorize, userid);
  const res = await get(callback, loginCookie);
  return { res, callback, loginCookie, session: cookiesOf(res).duban_session };
}

describe('web login (WeCom OAuth2 through the local stand-in)', () => {
  it('sends a visitor without a session to the authorize URL WeCom expects, with a browser-bound state cookie', async () => {
    const { authorize, setCookie } = await startLogin('/web/tasks?dept=经贸办');
    expect(authorize.pathname).toBe('/connect/oauth2/authorize');
    expect(authorize.hash).toBe('#wechat_redirect');
    expect(authorize.searchParams.get('appid')).toBe(service.wecom.callback.corpId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${service.url}/web/auth/callback`);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('scope')).toBe('snsapi_base');
    expect(authorize.searchParams.get('agentid')).toBe(service.wecom.agentId);
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9]{16,128}$/);
    expect(setCookie).toMatch(/duban_login=[^;]+;.*httponly/i);
    expect(setCookie).toMatch(/samesite=lax/i);
  });

  it('logs in with the single-use code, sets a signed HttpOnly SameSite=Lax session, and returns to the page asked for', async () => {
    const { res, session } = await loginAs('demo-leader', '/web/tasks?dept=经贸办');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/web/tasks?dept=%E7%BB%8F%E8%B4%B8%E5%8A%9E');
    expect(res.headers.getSetCookie().find((c) => c.startsWith('duban_session='))).toMatch(/httponly/i);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('duban_session='))).toMatch(/samesite=lax/i);
    const page = await get(`${service.url}/web/`, `duban_session=${session}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('本周汇报率');
    expect(service.localWecom!.requests.some((r) => r.path === '/cgi-bin/auth/getuserinfo')).toBe(true);
  });

  it('refuses a replayed callback: the state is used once and the code works once', async () => {
    const { callback, loginCookie } = await loginAs('demo-leader');
    const again = await get(callback, loginCookie);
    expect(again.status).toBe(403);
    expect(cookiesOf(again).duban_session ?? '').toBe('');
  });

  it('refuses a callback whose state is not the one this browser was given, or with no login cookie', async () => {
    const first = await startLogin();
    const other = await startLogin();
    const callback = await callbackFor(first.authorize, 'demo-admin');
    for (const cookie of [other.loginCookie, '']) {
      const res = await get(callback, cookie);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('登录');
      expect(cookiesOf(res).duban_session ?? '').toBe('');
    }
  });

  it('ignores a forged or expired session cookie: back to the login, no data', async () => {
    const { session } = await loginAs('demo-liaison-01');
    const [body, mac] = session!.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), userid: 'demo-admin' })).toString('base64url');
    const res = await get(`${service.url}/web/audit`, `duban_session=${forged}.${mac}`);
    expect(res.status).toBe(302);
    expect(await res.text()).not.toContain('task:');
    clock.advance(13 * 3600 * 1000);
    try {
      expect((await get(`${service.url}/web/`, `duban_session=${session}`)).status).toBe(302);
    } finally {
      clock.advance(-13 * 3600 * 1000);
    }
  });

  it('never redirects off the site after login', () => {
    for (const bad of ['//evil.example/web/', 'https://evil.example/web/', '/web//evil.example', '/web/\\evil', '/other', '/web/%2f%2fevil', 'javascript:alert(1)']) {
      expect(safeNextPath(bad)).toBe('/web/');
    }
    expect(safeNextPath('/web/tasks?light=red')).toBe('/web/tasks?light=red');
  });

  it('checks roles on the server for every page and download', async () => {
    const leader = `duban_session=${(await loginAs('demo-leader')).session}`;
    const liaison = `duban_session=${(await loginAs('demo-liaison-01')).session}`;
    const admin = `duban_session=${(await loginAs('demo-admin')).session}`;
    expect((await get(`${service.url}/web/audit`, leader)).status).toBe(403);
    expect((await get(`${service.url}/web/audit`, liaison)).status).toBe(403);
    expect((await get(`${service.url}/web/audit`, admin)).status).toBe(200);
    expect((await get(`${service.url}/web/digests`, liaison)).status).toBe(403);
    expect((await get(`${service.url}/web/reports?dept=${encodeURIComponent('村建办')}`, liaison)).status).toBe(403);
    expect((await get(`${service.url}/web/ledger.xlsx?dept=${encodeURIComponent('村建办')}`, liaison)).status).toBe(403);
    const own = await get(`${service.url}/web/ledger.xlsx`, liaison);
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toContain('spreadsheetml');
    expect((await get(`${service.url}/web/departments/${encodeURIComponent('经贸办')}`, liaison)).status).toBe(200);
  });
});
