// Logging in to the pages as a person does: through the stand-in's authorize page, by the link with the userid.
import { expect } from 'vitest';

export function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair!.indexOf('=');
    out[pair!.slice(0, i)] = pair!.slice(i + 1);
  }
  return out;
}

/** Logs USERID in at the service at BASE; returns the session cookie's value. */
export async function loginAs(base: string, userid: string): Promise<string> {
  const start = await fetch(`${base}/web/`, { redirect: 'manual' });
  const loginCookie = `duban_login=${cookiesOf(start).duban_login}`;
  const html = await (await fetch(start.headers.get('location')!)).text();
  const link = new RegExp(`<a href="([^"]+)">${userid}（`).exec(html)![1]!.replaceAll('&amp;', '&');
  const session = cookiesOf(await fetch(link, { redirect: 'manual', headers: { cookie: loginCookie } })).duban_session!;
  expect(session).toBeTruthy();
  return session;
}
