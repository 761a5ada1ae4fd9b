/**
 * Outbound WeCom API calls: access_token caching, retries, app messages, the group webhook, contacts, menu.
 *
 * Never logged: the secret, the access_token, the webhook key (both ride in the query string, so only the
 * path is logged) and message bodies.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/database.ts';
import { takeWebhookSlot } from '../store/webhook-slots.ts';
import { isDuplicateKeyError } from '../store/models.ts';
import { dropToken as forgetStoredToken, findToken, saveToken } from '../store/tokens.ts';
import { LOCAL_ERRCODES, TOKEN_ERRCODES, WecomApiError } from './errors.ts';

export interface WecomClientOptions {
  apiBase: string;
  corpId: string;
  secret: string;
  agentId: string;
  store: Store;
  clock: Clock;
  logger: Logger;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Per HTTP request, body included. Default 10 s. */
  timeoutMs?: number;
  /** Retries after the first attempt, for retryable errors. Default 4. */
  maxRetries?: number;
  random?: () => number;
  /** First backoff step; doubles per retry. Default 500 ms (×4 for rate limits). */
  retryBaseMs?: number;
  /** Longest single backoff. Default 30 s. */
  retryMaxMs?: number;
}

export type Json = Record<string, unknown>;

/** A message/send body: touser "a|b" (≤ 1000), toparty, totag, msgtype and the matching content. */
export interface AppMessageBody extends Json {
  msgtype: string;
  touser?: string;
  toparty?: string;
  totag?: string;
  agentid?: number | string;
}

export interface SendMessageResult extends Json {
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  msgid?: string;
}

export interface WebhookBody extends Json {
  msgtype: string;
}

export interface DepartmentBrief {
  id: number;
  parentid: number;
  order: number;
}

export interface DepartmentInfo {
  id: number;
  name: string;
  parentid: number;
}

export interface UserBrief {
  userid: string;
  name: string;
  department: number[];
}

export interface WecomClient {
  getAccessToken(): Promise<string>;
  sendMessage(body: AppMessageBody): Promise<SendMessageResult>;
  sendGroupWebhook(key: string, body: WebhookBody): Promise<void>;
  listDepartments(): Promise<DepartmentBrief[]>;
  getDepartment(id: number): Promise<DepartmentInfo>;
  listUsers(departmentId: number): Promise<UserBrief[]>;
  createMenu(menu: Json): Promise<void>;
  /** OAuth (doc 91023): the single-use code from the authorize redirect → the member's userid, or openid for outsiders. */
  getUserInfoByCode(code: string): Promise<{ userid: string | null; openid: string | null }>;
  /** message/update_template_card (doc 94888): with a tap's response_code, once, within 72 hours. */
  updateTemplateCard(body: Json): Promise<void>;
  /** The group robot's webhook/upload_media (doc 99110): a file for a `file` message; returns its media_id (3 days). */
  uploadWebhookFile(key: string, filename: string, bytes: Buffer): Promise<string>;
  /** media/get: a photo's bytes by the MediaId an image message carried (a media_id lives 3 days). */
  getMedia(mediaId: string): Promise<Buffer>;
}

/** WeCom's published limits (doc 90236, 99110). */
export const APP_TEXT_MAX_BYTES = 2048;
export const WEBHOOK_TEXT_MAX_BYTES = 2048;
export const WEBHOOK_MARKDOWN_MAX_BYTES = 4096;
export const WEBHOOK_PER_MINUTE = 20;
/** The robot's upload_media takes a file of more than 5 bytes and at most 20 MB (doc 99110). */
export const WEBHOOK_FILE_MIN_BYTES = 6;
export const WEBHOOK_FILE_MAX_BYTES = 20 * 1024 * 1024;

/** Renew this long before expiry, so a token never dies in flight; at most half its life for short ones. */
const TOKEN_RENEW_MARGIN_MS = 5 * 60_000;

interface CallSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: Json;
  /** Adds ?access_token= and handles token errors. */
  auth: boolean;
  /** Runs before every HTTP attempt (the webhook rate limiter); returns a hook called once it is answered. */
  beforeAttempt?: () => Promise<() => void>;
  /** The answer is a file's bytes unless WeCom answers JSON (an error); they come back as `bytes`. */
  binary?: boolean;
  /** A multipart body instead of JSON, built afresh for every attempt. */
  form?: () => FormData;
}

export function createWecomClient(opts: WecomClientOptions): WecomClient {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxRetries = opts.maxRetries ?? 4;
  const random = opts.random ?? Math.random;
  const retryBaseMs = opts.retryBaseMs ?? 500;
  const retryMaxMs = opts.retryMaxMs ?? 30_000;
  const apiBase = opts.apiBase.replace(/\/+$/, '');
  const tokenKey = `app:${opts.corpId}:${opts.agentId}`;
  const log = opts.logger.child({ component: 'wecom-api' });

  // ---- access_token: memory → shared DB row → gettoken, single-flight per process ----

  let memo: { value: string; renewAt: number } | null = null;
  let inflight: Promise<string> | null = null;
  // Tokens WeCom refused; a stale DB row or a racing refresh must not hand them back.
  const rejected = new Set<string>();

  const renewAtOf = (fetchedAt: number, expiresAt: number) =>
    expiresAt - Math.min(TOKEN_RENEW_MARGIN_MS, (expiresAt - fetchedAt) / 2);

  function getAccessToken(): Promise<string> {
    const now = opts.clock.now().getTime();
    if (memo && now < memo.renewAt && !rejected.has(memo.value)) return Promise.resolve(memo.value);
    inflight ??= loadToken().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  async function loadToken(): Promise<string> {
    const now = opts.clock.now().getTime();
    const row = await findToken(opts.store, tokenKey);
    if (row && !rejected.has(row.value)) {
      const renewAt = renewAtOf(row.fetchedAt.getTime(), row.expiresAt.getTime());
      if (now < renewAt) {
        memo = { value: row.value, renewAt };
        return row.value;
      }
    }
    const data = await call('gettoken', {
      method: 'GET',
      path: '/cgi-bin/gettoken',
      query: { corpid: opts.corpId, corpsecret: opts.secret },
      auth: false,
    });
    const value = data.access_token;
    if (typeof value !== 'string' || value === '') {
      throw new WecomApiError({ errcode: LOCAL_ERRCODES.badResponse, errmsg: 'no access_token', api: '/cgi-bin/gettoken' });
    }
    const expiresIn = typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : 7200;
    const fetchedAt = opts.clock.now();
    const expiresAt = new Date(fetchedAt.getTime() + expiresIn * 1000);
    rejected.delete(value); // WeCom hands back the same token within its life; it is good again
    memo = { value, renewAt: renewAtOf(fetchedAt.getTime(), expiresAt.getTime()) };
    // Last writer wins: every writer holds a token WeCom just issued, so any of them is fine to share.
    await saveToken(opts.store, tokenKey, { value, expiresAt, fetchedAt }).catch(
      (err: unknown) => {
        if (!isDuplicateKeyError(err)) log.warn({ err: errorName(err) }, 'could not share the access_token in the database');
      },
    );
    log.info({ expiresIn }, 'fetched a new access_token');
    return value;
  }

  async function dropToken(bad: string): Promise<void> {
    if (rejected.size > 16) rejected.clear();
    rejected.add(bad);
    if (memo?.value === bad) memo = null;
    await forgetStoredToken(opts.store, tokenKey, bad).catch(() => undefined);
  }

  // ---- one HTTP attempt ----

  async function attempt(spec: CallSpec, token: string | undefined): Promise<Json> {
    const query = new URLSearchParams(spec.query);
    if (spec.auth) query.set('access_token', token ?? '');
    const url = `${apiBase}${spec.path}?${query.toString()}`;
    const api = spec.path;
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method: spec.method,
        headers: spec.body && !spec.form ? { 'content-type': 'application/json; charset=utf-8' } : undefined,
        body: spec.form ? spec.form() : spec.body ? JSON.stringify(spec.body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw transportError(api, err);
    }
    if (!res.ok) {
      await res.arrayBuffer().catch(() => undefined); // frees the connection
      throw new WecomApiError({ errcode: LOCAL_ERRCODES.http, errmsg: `HTTP ${res.status}`, httpStatus: res.status, api });
    }
    if (spec.binary && !(res.headers.get('content-type') ?? '').includes('json')) {
      try {
        return { errcode: 0, bytes: Buffer.from(await res.arrayBuffer()) };
      } catch (err) {
        throw transportError(api, err);
      }
    }
    let data: unknown;
    try {
      data = await res.json();
    } catch (err) {
      if (isTimeout(err)) throw transportError(api, err);
      throw new WecomApiError({ errcode: LOCAL_ERRCODES.badResponse, errmsg: 'not JSON', httpStatus: res.status, api });
    }
    if (typeof data !== 'object' || data === null) {
      throw new WecomApiError({ errcode: LOCAL_ERRCODES.badResponse, errmsg: 'not a JSON object', api });
    }
    const json = data as Json;
    const errcode = typeof json.errcode === 'number' ? json.errcode : 0;
    if (errcode !== 0) {
      throw new WecomApiError({ errcode, errmsg: typeof json.errmsg === 'string' ? json.errmsg : '', api });
    }
    return json;
  }

  // ---- retries ----

  function backoffMs(retry: number, err: WecomApiError): number {
    // Rate limits are per minute: a few hundred ms would just burn the remaining attempts.
    const base = err.errcode === 45009 || err.errcode === 45033 ? retryBaseMs * 4 : retryBaseMs;
    const ceiling = Math.min(retryMaxMs, base * 2 ** (retry - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2); // jitter, so instances do not retry in step
  }

  async function call(name: string, spec: CallSpec): Promise<Json> {
    let tokenRefreshed = false;
    for (let tries = 1; ; tries++) {
      const token = spec.auth ? await getAccessToken() : undefined;
      const done = spec.beforeAttempt ? await spec.beforeAttempt() : undefined;
      let err: WecomApiError;
      try {
        return await attempt(spec, token);
      } catch (e) {
        if (!(e instanceof WecomApiError)) throw e;
        err = e;
      } finally {
        done?.();
      }
      if (spec.auth && token !== undefined && TOKEN_ERRCODES.has(err.errcode)) {
        await dropToken(token);
        log.warn({ call: name, ...err.toLogFields() }, 'access_token refused; fetching a new one');
        // WeCom may expire a token early: one immediate retry with a fresh token is part of normal life.
        if (!tokenRefreshed) {
          tokenRefreshed = true;
          tries--;
          continue;
        }
      }
      if (err.retryable && tries <= maxRetries) {
        const wait = backoffMs(tries, err);
        log.warn({ call: name, attempt: tries, waitMs: wait, ...err.toLogFields() }, 'WeCom call failed; retrying');
        await sleep(wait);
        continue;
      }
      log.error(
        { call: name, attempts: tries, ...err.toLogFields() },
        err.retryable ? 'WeCom call failed; giving up for now' : 'WeCom call refused (permanent error)',
      );
      throw err;
    }
  }

  // ---- group webhook limiter: ≤ 20 posts per rolling minute per key, waiting rather than refusing ----
  // Counted in the database (store/webhook-slots.ts), so several instances together stay within the limit.
  const takeSlot = (key: string) => takeWebhookSlot(opts.store, opts.clock, sleep, key, WEBHOOK_PER_MINUTE);

  return {
    getAccessToken,

    async sendMessage(body) {
      checkAppMessageSize(body);
      const full: AppMessageBody = { ...body, agentid: body.agentid ?? toAgentId(opts.agentId) };
      const data = await call('message/send', { method: 'POST', path: '/cgi-bin/message/send', body: full, auth: true });
      const result = data as SendMessageResult;
      if (result.invaliduser || result.invalidparty || result.invalidtag) {
        // Delivered to the rest: not an error, but the roster or the plan's recipients need a look.
        log.warn(
          { invaliduser: result.invaliduser, invalidparty: result.invalidparty, invalidtag: result.invalidtag },
          'message sent; some recipients were invalid',
        );
      }
      return result;
    },

    async sendGroupWebhook(key, body) {
      if (!key) {
        throw new WecomApiError({ errcode: LOCAL_ERRCODES.notConfigured, errmsg: 'no webhook key', api: '/cgi-bin/webhook/send', retryable: false });
      }
      checkWebhookSize(body);
      await call('webhook/send', {
        method: 'POST',
        path: '/cgi-bin/webhook/send',
        query: { key },
        body,
        auth: false,
        beforeAttempt: () => takeSlot(key),
      });
    },

    async uploadWebhookFile(key, filename, bytes) {
      if (!key) {
        throw new WecomApiError({ errcode: LOCAL_ERRCODES.notConfigured, errmsg: 'no webhook key', api: '/cgi-bin/webhook/upload_media', retryable: false });
      }
      if (bytes.length < WEBHOOK_FILE_MIN_BYTES || bytes.length > WEBHOOK_FILE_MAX_BYTES) {
        throw new WecomApiError({ errcode: 40006, errmsg: `file is ${bytes.length} bytes; the robot takes 6 bytes to 20 MB`, api: '/cgi-bin/webhook/upload_media', retryable: false });
      }
      const data = await call('webhook/upload_media', {
        method: 'POST', path: '/cgi-bin/webhook/upload_media', query: { key, type: 'file' }, auth: false,
        form: () => {
          const form = new FormData();
          form.append('media', new Blob([new Uint8Array(bytes)]), filename);
          return form;
        },
      });
      if (typeof data.media_id !== 'string' || data.media_id === '') {
        throw new WecomApiError({ errcode: LOCAL_ERRCODES.badResponse, errmsg: 'upload_media answered no media_id', api: '/cgi-bin/webhook/upload_media' });
      }
      return data.media_id;
    },

    async listDepartments() {
      const data = await call('department/simplelist', { method: 'GET', path: '/cgi-bin/department/simplelist', auth: true });
      const list = Array.isArray(data.department_id) ? (data.department_id as Json[]) : [];
      return list.map((d) => ({ id: Number(d.id), parentid: Number(d.parentid ?? 0), order: Number(d.order ?? 0) }));
    },

    async getDepartment(id) {
      const data = await call('department/get', {
        method: 'GET',
        path: '/cgi-bin/department/get',
        query: { id: String(id) },
        auth: true,
      });
      const d = (data.department ?? {}) as Json;
      return { id: Number(d.id), name: String(d.name ?? ''), parentid: Number(d.parentid ?? 0) };
    },

    async listUsers(departmentId) {
      const data = await call('user/list', {
        method: 'GET',
        path: '/cgi-bin/user/list',
        query: { department_id: String(departmentId) },
        auth: true,
      });
      const list = Array.isArray(data.userlist) ? (data.userlist as Json[]) : [];
      return list.map((u) => ({
        userid: String(u.userid),
        name: String(u.name ?? ''),
        department: Array.isArray(u.department) ? u.department.map(Number) : [],
      }));
    },

    async createMenu(menu) {
      await call('menu/create', {
        method: 'POST',
        path: '/cgi-bin/menu/create',
        query: { agentid: opts.agentId },
        body: menu,
        auth: true,
      });
    },

    async getUserInfoByCode(code) {
      const data = await call('auth/getuserinfo', { method: 'GET', path: '/cgi-bin/auth/getuserinfo', query: { code }, auth: true });
      const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
      // Older answers spell it UserId / OpenId.
      return { userid: text(data.userid) ?? text(data.UserId), openid: text(data.openid) ?? text(data.OpenId) };
    },
    async updateTemplateCard(body) {
      await call('message/update_template_card', {
        method: 'POST', path: '/cgi-bin/message/update_template_card', body: { ...body, agentid: body.agentid ?? toAgentId(opts.agentId) }, auth: true,
      });
    },
    async getMedia(mediaId) {
      const data = await call('media/get', { method: 'GET', path: '/cgi-bin/media/get', query: { media_id: mediaId }, auth: true, binary: true });
      if (!Buffer.isBuffer(data.bytes)) throw new WecomApiError({ errcode: LOCAL_ERRCODES.badResponse, errmsg: 'media/get answered no file', api: '/cgi-bin/media/get' });
      return data.bytes;
    },
  };
}

/** agentid is a number in WeCom's JSON; config keeps it as the digits string it was given. */
function toAgentId(agentId: string): number | string {
  return /^\d+$/.test(agentId) ? Number(agentId) : agentId;
}

function contentOf(body: Json, msgtype: string): string | undefined {
  const part = body[msgtype];
  if (typeof part !== 'object' || part === null) return undefined;
  const content = (part as Json).content;
  return typeof content === 'string' ? content : undefined;
}

function tooLong(api: string, errcode: number, bytes: number, max: number, msgtype: string): WecomApiError {
  return new WecomApiError({
    errcode,
    errmsg: `${msgtype} content is ${bytes} bytes, over the ${max}-byte limit: split it on line boundaries before sending`,
    api,
    retryable: false,
  });
}

/** Checked before sending: WeCom would refuse with 45002 anyway, and a clear local error names the limit. */
function checkAppMessageSize(body: AppMessageBody): void {
  if (body.msgtype !== 'text' && body.msgtype !== 'markdown') return;
  const content = contentOf(body, body.msgtype);
  if (content === undefined) return;
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > APP_TEXT_MAX_BYTES) throw tooLong('/cgi-bin/message/send', 45002, bytes, APP_TEXT_MAX_BYTES, body.msgtype);
}

function checkWebhookSize(body: WebhookBody): void {
  const limits: Record<string, number> = {
    text: WEBHOOK_TEXT_MAX_BYTES,
    markdown: WEBHOOK_MARKDOWN_MAX_BYTES,
    markdown_v2: WEBHOOK_MARKDOWN_MAX_BYTES,
  };
  const max = limits[body.msgtype];
  if (max === undefined) return;
  const content = contentOf(body, body.msgtype);
  if (content === undefined) return;
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > max) throw tooLong('/cgi-bin/webhook/send', 45002, bytes, max, body.msgtype);
}

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

function transportError(api: string, err: unknown): WecomApiError {
  if (isTimeout(err)) return new WecomApiError({ errcode: LOCAL_ERRCODES.timeout, errmsg: 'timed out', api });
  // undici hides the reason in err.cause (ECONNREFUSED, ECONNRESET…); the code alone says enough.
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : errorName(err);
  return new WecomApiError({ errcode: LOCAL_ERRCODES.network, errmsg: code, api });
}

function errorName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
