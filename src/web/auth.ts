// WeCom OAuth2 (snsapi_base) login for the pages, and the session cookie it leads to.
// The browser is sent to the authorize page with a random `state` that is also kept in a signed cookie bound to
// this browser; on the way back the two must match (once: the cookie is cleared), the single-use code is exchanged
// through cgi-bin/auth/getuserinfo, and a signed HttpOnly SameSite=Lax session cookie is set. `next` only ever
// leads to a path under /web on this site. The cookies are Secure whenever the site's address is https, whatever a
// proxy in front says; 退出 revokes the session's id in the database, so a copied cookie stops working with it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/database.ts';
import { isSessionRevoked, revokeSession } from '../store/sessions.ts';
import type { Logger } from '../logger.ts';
import type { WecomClient } from '../wecom/api-client.ts';
import { CookieSigner, LOGIN_COOKIE, LOGIN_TTL_MS, safeNextPath, SESSION_COOKIE, SESSION_TTL_MS, type LoginPayload, type SessionPayload } from './session.ts';

export interface OAuthSettings {
  /** The trusted-domain address (redirect_uri); a function: in local mode it is known only once the port is. */
  baseUrl(): string;
  oauthBase(): string;
  corpId: string;
  agentId: string;
  sessionSecret: string;
}

export const CALLBACK_PATH = '/web/auth/callback';

export class WebAuth {
  private readonly signer: CookieSigner;

  constructor(
    private readonly settings: OAuthSettings, private readonly client: Pick<WecomClient, 'getUserInfoByCode'>, private readonly clock: Clock,
    private readonly logger: Logger, private readonly store: Store,
  ) {
    this.signer = new CookieSigner(settings.sessionSecret);
  }

  /** The logged-in userid, or null (no cookie, a forged or expired one, one from before session ids, or logged out). */
  async sessionUser(ctx: Context): Promise<string | null> {
    const s = this.session(ctx);
    if (!s) return null;
    return (await isSessionRevoked(this.store, s.sid)) ? null : s.userid;
  }

  private session(ctx: Context): SessionPayload | null {
    const s = this.signer.verify<SessionPayload>('session', ctx.cookies.get(SESSION_COOKIE), this.clock.now(), SESSION_TTL_MS);
    return s && typeof s.userid === 'string' && typeof s.sid === 'string' && /^[0-9a-f]{32}$/.test(s.sid) ? s : null;
  }

  /**
   * The CSRF token for this session's forms: derived from the session cookie, so it changes with every login and
   * is worthless to another browser. SameSite=Lax already keeps cross-site POSTs cookieless; this is the second lock.
   */
  formToken(ctx: Context): string {
    return this.signer.tag('form', ctx.cookies.get(SESSION_COOKIE) ?? '');
  }

  checkFormToken(ctx: Context, given: string): boolean {
    const session = ctx.cookies.get(SESSION_COOKIE);
    return !!session && !!given && sameText(this.signer.tag('form', session), given);
  }

  /** Sends the browser to WeCom's authorize page; after login it comes back to `next`. */
  redirectToLogin(ctx: Context, next: string): void {
    const state = randomBytes(16).toString('hex'); // letters and digits, as WeCom requires
    const login: LoginPayload = { state, next: safeNextPath(next), iat: this.clock.now().getTime() };
    this.setCookie(ctx, LOGIN_COOKIE, this.signer.sign('login', login), LOGIN_TTL_MS);
    const q = new URLSearchParams({
      appid: this.settings.corpId,
      redirect_uri: `${this.settings.baseUrl()}${CALLBACK_PATH}`,
      response_type: 'code',
      scope: 'snsapi_base',
      state,
      agentid: this.settings.agentId,
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(`${this.settings.oauthBase()}/connect/oauth2/authorize?${q.toString()}#wechat_redirect`);
  }

  /** The OAuth callback: the userid on success, or a short Chinese reason (and nothing is set). */
  async finishLogin(ctx: Context): Promise<{ ok: true; next: string } | { ok: false; reason: string }> {
    const login = this.signer.verify<LoginPayload>('login', ctx.cookies.get(LOGIN_COOKIE), this.clock.now(), LOGIN_TTL_MS);
    this.clearCookie(ctx, LOGIN_COOKIE); // one login attempt, one callback
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    if (!login || !sameText(login.state, state)) return { ok: false, reason: '登录已过期或不是从本浏览器发起的，请重新打开页面。' };
    if (!code || code.length > 512) return { ok: false, reason: '企业微信没有给出登录凭证，请重新打开页面。' };
    let userid: string | null;
    try {
      userid = (await this.client.getUserInfoByCode(code)).userid;
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'web login: getuserinfo failed');
      return { ok: false, reason: '登录凭证无效或已使用，请重新打开页面。' };
    }
    if (!userid) return { ok: false, reason: '仅限本单位企业微信成员登录。' };
    const session: SessionPayload = { userid, sid: randomBytes(16).toString('hex'), iat: this.clock.now().getTime() };
    this.setCookie(ctx, SESSION_COOKIE, this.signer.sign('session', session), SESSION_TTL_MS);
    this.logger.info({ userid }, 'web login');
    return { ok: true, next: safeNextPath(login.next) };
  }

  /** Ends the session here and on the server: the cookie's id is recorded as revoked until it would have expired. */
  async logout(ctx: Context): Promise<void> {
    const s = this.session(ctx);
    if (s) {
      await revokeSession(this.store, s.sid, s.userid, new Date(s.iat + SESSION_TTL_MS));
      this.logger.info({ userid: s.userid }, 'web logout');
    }
    this.clearCookie(ctx, SESSION_COOKIE);
  }

  private setCookie(ctx: Context, name: string, value: string, maxAge: number): void {
    const secure = this.secure(ctx);
    ctx.cookies.set(name, value, { httpOnly: true, sameSite: 'lax', path: '/web', maxAge, secure, overwrite: true });
  }

  private clearCookie(ctx: Context, name: string): void {
    const secure = this.secure(ctx);
    ctx.cookies.set(name, '', { httpOnly: true, sameSite: 'lax', path: '/web', maxAge: 0, secure, overwrite: true });
  }

  /**
   * Secure when the site's own address is https (a TLS proxy that forgets X-Forwarded-Proto must not downgrade the
   * cookie) or the request came over https. The cookies module refuses a Secure cookie on a request it believes
   * plain, so it is told.
   */
  private secure(ctx: Context): boolean {
    const secure = ctx.secure || /^https:/i.test(this.settings.baseUrl());
    if (secure) (ctx.cookies as unknown as { secure: boolean }).secure = true;
    return secure;
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
