// Signed cookie values: the session (who is logged in) and the login attempt (the OAuth state, bound to this browser).
// HMAC-SHA256 over the payload; compared in constant time; expiry checked against the clock passed in.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'duban_session';
export const LOGIN_COOKIE = 'duban_login';
/** A working day and a bit: WeCom's own H5 pages ask again about as often. */
export const SESSION_TTL_MS = 12 * 3600 * 1000;
/** The authorize round trip: WeCom's code dies after five minutes anyway. */
export const LOGIN_TTL_MS = 10 * 60 * 1000;

export interface SessionPayload {
  userid: string;
  /** A random id per login, so that 退出 can revoke this one session on the server (src/store/sessions.ts). */
  sid: string;
  /** Issued at, ms since the epoch. */
  iat: number;
}

export interface LoginPayload {
  state: string;
  /** Where to go after login: a path under /web, checked again on the way back. */
  next: string;
  iat: number;
}

export class CookieSigner {
  constructor(private readonly secret: string) {}

  sign(kind: string, payload: object): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(kind, body)}`;
  }

  /** The payload, or null when the value is missing, forged, of another kind, or older than maxAgeMs. */
  verify<T extends { iat: number }>(kind: string, value: string | undefined, now: Date, maxAgeMs: number): T | null {
    if (!value) return null;
    const dot = value.indexOf('.');
    if (dot <= 0) return null;
    const body = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.mac(kind, body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let payload: T;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    } catch {
      return null;
    }
    const age = now.getTime() - Number(payload.iat);
    if (!Number.isFinite(age) || age < -60_000 || age > maxAgeMs) return null;
    return payload;
  }

  /** A value derived from `text` under this secret, for tokens that need no payload (a form's CSRF token). */
  tag(kind: string, text: string): string {
    return this.mac(kind, text);
  }

  /** The kind is part of the MAC, so a login cookie can never pass for a session. */
  private mac(kind: string, body: string): string {
    return createHmac('sha256', this.secret).update(`${kind}\n${body}`).digest('base64url');
  }
}

/** Where a login may return to: a path under /web on this site, nothing that a browser reads as another host. */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string') return '/web/';
  if (!/^\/web(\/|$|\?)/.test(next)) return '/web/';
  if (/[\\\s]|\/\/|%2f|%5c/i.test(next)) return '/web/';
  return next.length > 500 ? '/web/' : next;
}
