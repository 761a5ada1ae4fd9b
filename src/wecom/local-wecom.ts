/**
 * A local HTTP stand-in for qyapi.weixin.qq.com: the endpoints the bot calls, answering the way WeCom
 * does (errcodes included), recording what it was sent, and failing on request. There is no official
 * offline simulator; this is what local mode (`npm start` without WECOM_SECRET) and the tests talk to.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../clock.ts';
import { buttonKeys, CARD_INVALID, validateTemplateCard, type CardTap } from '../cards/template-card.ts';

export interface LocalDepartment {
  id: number;
  name: string;
  parentid: number;
}

export interface LocalUser {
  userid: string;
  name: string;
  department: number[];
}

export interface LocalWecomOptions {
  port?: number;
  host?: string;
  corpId?: string;
  secret?: string;
  tokenTtlSeconds?: number;
  departments?: LocalDepartment[];
  /** When given, message/send checks touser against it (invaliduser, 81013); when absent anyone exists. */
  users?: LocalUser[];
  /** For token expiry and the webhook's per-minute limit; tests share a ManualClock with the client. */
  clock?: Clock;
  /** Who the OAuth authorize page offers to log in as (the service passes its active members). */
  loginMembers?: () => Promise<Array<{ userid: string; name: string }>>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, or the raw text when it was not JSON, or undefined for an empty body. */
  body: unknown;
  at: Date;
}

export interface LocalFailure {
  errcode?: number;
  errmsg?: string;
  /** Answer with this HTTP status instead of WeCom's 200 + errcode. */
  status?: number;
  /** Wait this long first; with neither errcode nor status the request then proceeds normally. */
  delayMs?: number;
  /** How many matching requests fail. Default 1. */
  times?: number;
}

/** A template card as the stand-in holds it for one recipient: what they see now, and whether its buttons still work. */
export interface LocalCard {
  taskId: string;
  userid: string;
  card: Json;
  sentAt: Date;
  /** Set by update_template_card's button.replace_name: the buttons show this and take no more taps. */
  replacedWith: string | null;
}

export interface LocalWecom {
  url: string;
  corpId: string;
  secret: string;
  requests: RecordedRequest[];
  /** Bodies message/send accepted. */
  sent(): Json[];
  /** Bodies webhook/send accepted. */
  webhookPosts(): Json[];
  /** Template cards message/send accepted, per recipient, as they look now (updates applied). */
  cards(): LocalCard[];
  /** Bodies update_template_card accepted. */
  cardUpdates(): Json[];
  /**
   * A person taps a button: the most recent card USERID received with a live button KEY. Issues the response_code
   * WeCom would put in the event, and returns the event's fields; null when there is no such button.
   */
  tap(userid: string, key: string, option?: string): CardTap | null;
  /** Menus menu/create accepted, with their agentid. */
  menus(): Array<{ agentid: string; menu: Json }>;
  failNext(pathPrefix: string, failure: LocalFailure): void;
  /** A file the group robot's webhook/upload_media took, by its media_id (what the group sees in a `file` message). */
  webhookMedia(mediaId: string): { filename: string; bytes: Buffer } | null;
  /** Puts a file where media/get finds it, as WeCom holds what users send; returns its media_id. No size check. */
  putMedia(bytes: Buffer, contentType?: string): string;
  expireAllTokens(): void;
  reset(): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const DEFAULT_DEPARTMENTS: LocalDepartment[] = [{ id: 1, name: '南旺镇人民政府', parentid: 0 }];
const MSGTYPES = new Set([
  'text', 'image', 'voice', 'video', 'file', 'textcard', 'news', 'mpnews', 'markdown', 'miniprogram_notice', 'template_card',
]);
const WEBHOOK_MSGTYPES = new Set(['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'voice', 'template_card']);
const TEXT_MAX_BYTES = 2048;
const WEBHOOK_MARKDOWN_MAX_BYTES = 4096;
const WEBHOOK_PER_MINUTE = 20;
/** An image of 2 MB grows by a third in base64, inside JSON. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** media/upload takes files up to 20 MB (doc 90253); images must stay within 10 MB. */
const MAX_UPLOAD_BYTES = 21 * 1024 * 1024;
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
/** A media_id lives three days (doc 90254). */
const MEDIA_TTL_MS = 3 * 24 * 3600 * 1000;
const WEBHOOK_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
/** The robot's upload_media (doc 99110): a file of more than 5 bytes and at most 20 MB, a voice (AMR) up to 2 MB. */
const WEBHOOK_FILE_MIN_BYTES = 6;
const WEBHOOK_FILE_MAX_BYTES = 20 * 1024 * 1024;
const WEBHOOK_VOICE_MAX_BYTES = 2 * 1024 * 1024;

/** A template card's response_code updates it once, within 72 hours (doc 94888). */
const RESPONSE_CODE_TTL_MS = 72 * 3600 * 1000;

/** OAuth codes work once and die after five minutes, as WeCom's do (doc 91023). */
const OAUTH_CODE_TTL_MS = 5 * 60_000;

class Answer {
  constructor(
    public readonly status: number,
    public readonly body: Json | string | Buffer,
    public readonly headers: Record<string, string> = {},
  ) {}
}

const ok = (extra: Json = {}) => new Answer(200, { errcode: 0, errmsg: 'ok', ...extra });
const fail = (errcode: number, errmsg: string) =>
  new Answer(200, { errcode, errmsg: `${errmsg}, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}` });

export async function startLocalWecom(opts: LocalWecomOptions = {}): Promise<LocalWecom> {
  const clock = opts.clock ?? systemClock;
  const corpId = opts.corpId ?? 'wwlocal0000000000';
  const secret = opts.secret ?? 'local-secret';
  const ttlMs = (opts.tokenTtlSeconds ?? 7200) * 1000;
  const departments = opts.departments ?? DEFAULT_DEPARTMENTS;
  const users = opts.users;

  const requests: RecordedRequest[] = [];
  let sent: Json[] = [];
  let webhookPosts: Json[] = [];
  let menus: Array<{ agentid: string; menu: Json }> = [];
  let failures: Array<{ prefix: string; failure: LocalFailure; left: number }> = [];
  let tokens = new Map<string, { expiresAt: number }>();
  let current: string | null = null;
  let webhookTimes = new Map<string, number[]>();
  let oauthCodes = new Map<string, { userid: string; expiresAt: number }>();
  let media = new Map<string, { bytes: Buffer; contentType: string; expiresAt: number }>();
  let cards: LocalCard[] = [];
  let taskIds = new Set<string>();
  let cardUpdates: Json[] = [];
  let responseCodes = new Map<string, { taskId: string; expiresAt: number; used: boolean }>();

  function issueResponseCode(taskId: string): string {
    const code = randomBytes(18).toString('base64url');
    responseCodes.set(code, { taskId, expiresAt: now() + RESPONSE_CODE_TTL_MS, used: false });
    return code;
  }

  /** template_card in message/send: WeCom's checks, a task_id unique within the app, one card per recipient. */
  function acceptCard(msg: Json, touser: string): Answer | { responseCode: string } {
    const refused = validateTemplateCard(msg.template_card);
    if (refused) return fail(refused.errcode, refused.errmsg);
    const card = msg.template_card as Json;
    const taskId = typeof card.task_id === 'string' ? card.task_id : null;
    if (taskId !== null) {
      if (taskIds.has(taskId)) return fail(CARD_INVALID, 'invalid parameter: template_card.task_id already used in this app');
      taskIds.add(taskId);
      for (const userid of touser.split('|').filter(Boolean)) {
        cards.push({ taskId, userid, card, sentAt: clock.now(), replacedWith: null });
      }
    }
    // WeCom answers a card with a response_code that may update it once, like a tap's.
    return { responseCode: issueResponseCode(taskId ?? '') };
  }

  function tapCard(userid: string, key: string, option?: string): CardTap | null {
    for (let i = cards.length - 1; i >= 0; i--) {
      const c = cards[i]!;
      if (c.userid !== userid || c.replacedWith !== null || !buttonKeys(c.card).includes(key)) continue;
      const selection = c.card.button_selection as { question_key: string; option_list: Array<{ id: string }>; selected_id?: string } | undefined;
      const selected: Record<string, string[]> = {};
      if (selection) {
        const chosen = option ?? selection.selected_id ?? selection.option_list[0]?.id;
        if (!chosen || !selection.option_list.some((o) => o.id === chosen)) return null;
        selected[selection.question_key] = [chosen];
      }
      return { taskId: c.taskId, eventKey: key, cardType: String(c.card.card_type), responseCode: issueResponseCode(c.taskId), selected };
    }
    return null;
  }

  /** message/update_template_card (doc 94888): a response_code WeCom issued, unused, within 72 hours. */
  function updateTemplateCard(query: Record<string, string>, body: unknown): Answer {
    const refused = checkToken(query);
    if (refused) return refused;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(47001, 'data format error');
    const msg = body as Json;
    if (msg.agentid === undefined || msg.agentid === '') return fail(40056, 'invalid agentid');
    const code = typeof msg.response_code === 'string' ? responseCodes.get(msg.response_code) : undefined;
    if (!code || code.used || now() >= code.expiresAt) return fail(CARD_INVALID, 'invalid parameter: response_code invalid, used or expired');
    const userids = Array.isArray(msg.userids) ? msg.userids.map(String) : [];
    const targets = cards.filter((c) => c.taskId === code.taskId && (msg.atall === 1 || userids.includes(c.userid)));
    const button = msg.button as Json | undefined;
    if (button !== undefined) {
      if (typeof button.replace_name !== 'string' || button.replace_name === '') return fail(CARD_INVALID, 'invalid parameter: button.replace_name missing');
      for (const c of targets) c.replacedWith = button.replace_name;
    } else {
      const bad = validateTemplateCard(msg.template_card);
      if (bad) return fail(bad.errcode, bad.errmsg);
      const card = msg.template_card as Json;
      if (card.task_id !== undefined && card.task_id !== code.taskId) return fail(CARD_INVALID, 'invalid parameter: template_card.task_id differs from the card');
      for (const c of targets) c.card = { ...card, task_id: code.taskId };
    }
    code.used = true;
    cardUpdates.push(msg);
    return ok({ invaliduser: userids.filter((u) => !targets.some((c) => c.userid === u)) });
  }

  /** Files uploaded through a robot's upload_media: usable only by that robot, for three days. */
  let robotMedia = new Map<string, { key: string; type: string; filename: string; bytes: Buffer; expiresAt: number }>();

  /** webhook/upload_media?key=KEY&type=file|voice: a multipart `media` part, checked as the robot checks it. */
  function webhookUploadMedia(query: Record<string, string>, contentType: string, body: Buffer): Answer {
    const key = query.key;
    if (!key) return fail(93000, 'invalid webhook url');
    const type = query.type ?? '';
    if (type !== 'file' && type !== 'voice') return fail(40004, 'invalid media type');
    const part = firstFilePart(contentType, body);
    if (!part || part.bytes.length === 0) return fail(41005, 'media data missing');
    const max = type === 'voice' ? WEBHOOK_VOICE_MAX_BYTES : WEBHOOK_FILE_MAX_BYTES;
    if (part.bytes.length < WEBHOOK_FILE_MIN_BYTES || part.bytes.length > max) return fail(40006, 'invalid file size');
    const id = `local-robot-media-${randomBytes(12).toString('hex')}`;
    robotMedia.set(id, { key, type, filename: part.filename, bytes: part.bytes, expiresAt: clock.now().getTime() + MEDIA_TTL_MS });
    return ok({ type, media_id: id, created_at: String(Math.floor(clock.now().getTime() / 1000)) });
  }

  function storeMedia(bytes: Buffer, contentType: string): string {
    const id = `local-media-${randomBytes(12).toString('hex')}`;
    media.set(id, { bytes, contentType, expiresAt: clock.now().getTime() + MEDIA_TTL_MS });
    return id;
  }

  /** media/upload?type=image|file…: a multipart `media` part; images (JPG/PNG) up to 10 MB, as WeCom checks them. */
  function mediaUpload(query: Record<string, string>, contentType: string, body: Buffer): Answer {
    const refused = checkToken(query);
    if (refused) return refused;
    const type = query.type ?? '';
    if (!['image', 'voice', 'video', 'file'].includes(type)) return fail(40004, 'invalid media type');
    const part = firstFilePart(contentType, body);
    if (!part || part.bytes.length === 0) return fail(41005, 'media data missing');
    if (type === 'image') {
      if (part.bytes.length > IMAGE_MAX_BYTES) return fail(40009, 'invalid image size');
      const jpeg = part.bytes[0] === 0xff && part.bytes[1] === 0xd8;
      const png = part.bytes.subarray(0, 4).toString('latin1') === '\x89PNG';
      if (!jpeg && !png) return fail(40005, 'invalid file type');
    }
    const id = storeMedia(part.bytes, part.contentType);
    return ok({ type, media_id: id, created_at: String(Math.floor(clock.now().getTime() / 1000)) });
  }

  /** media/get: the bytes with their type, or WeCom's JSON error for an unknown or expired media_id. */
  function mediaGet(query: Record<string, string>): Answer {
    const refused = checkToken(query);
    if (refused) return refused;
    const found = media.get(query.media_id ?? '');
    if (!found || found.expiresAt <= clock.now().getTime()) return fail(40007, 'invalid media_id');
    return new Answer(200, found.bytes, { 'content-type': found.contentType, 'content-length': String(found.bytes.length) });
  }

  const now = () => clock.now().getTime();

  function checkToken(query: Record<string, string>): Answer | null {
    const token = query.access_token;
    if (!token) return fail(41001, 'access_token missing');
    const t = tokens.get(token);
    if (!t) return fail(40014, 'invalid access_token');
    if (now() >= t.expiresAt) return fail(42001, 'access_token expired');
    return null;
  }

  function getToken(query: Record<string, string>): Answer {
    if (query.corpid !== corpId) return fail(40013, 'invalid corpid');
    if (query.corpsecret !== secret) return fail(40001, 'invalid credential');
    // Like WeCom: within its life the same token comes back, so instances do not invalidate each other.
    const live = current ? tokens.get(current) : undefined;
    if (current && live && now() < live.expiresAt) {
      return ok({ access_token: current, expires_in: Math.ceil((live.expiresAt - now()) / 1000) });
    }
    current = randomBytes(24).toString('base64url');
    tokens.set(current, { expiresAt: now() + ttlMs });
    return ok({ access_token: current, expires_in: Math.round(ttlMs / 1000) });
  }

  function contentBytes(body: Json, msgtype: string): number {
    const part = body[msgtype] as Json | undefined;
    const content = part && typeof part.content === 'string' ? part.content : '';
    return Buffer.byteLength(content, 'utf8');
  }

  function messageSend(query: Record<string, string>, body: unknown): Answer {
    const refused = checkToken(query);
    if (refused) return refused;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(47001, 'data format error');
    const msg = body as Json;
    if (msg.agentid === undefined || msg.agentid === '') return fail(40056, 'invalid agentid');
    const touser = typeof msg.touser === 'string' ? msg.touser : '';
    const toparty = typeof msg.toparty === 'string' ? msg.toparty : '';
    const totag = typeof msg.totag === 'string' ? msg.totag : '';
    if (!touser && !toparty && !totag) return fail(40031, 'touser, toparty and totag all empty');
    const msgtype = typeof msg.msgtype === 'string' ? msg.msgtype : '';
    if (!MSGTYPES.has(msgtype)) return fail(40008, 'invalid message type');
    if ((msgtype === 'text' || msgtype === 'markdown') && contentBytes(msg, msgtype) > TEXT_MAX_BYTES) {
      return fail(45002, 'content size out of limit');
    }
    let invaliduser = '';
    if (users && touser && touser !== '@all') {
      const known = new Set(users.map((u) => u.userid));
      const named = touser.split('|').filter(Boolean);
      const invalid = named.filter((u) => !known.has(u));
      if (invalid.length === named.length && !toparty && !totag) return fail(81013, 'user & party & tag all invalid');
      invaliduser = invalid.join('|');
    }
    let responseCode: string | undefined;
    if (msgtype === 'template_card') {
      const accepted = acceptCard(msg, touser);
      if (accepted instanceof Answer) return accepted;
      responseCode = accepted.responseCode;
    }
    sent.push(msg);
    return ok({ invaliduser, msgid: `local-${sent.length}`, ...(responseCode ? { response_code: responseCode } : {}) });
  }

  function webhookSend(query: Record<string, string>, body: unknown): Answer {
    const key = query.key;
    if (!key) return fail(93000, 'invalid webhook url');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(47001, 'data format error');
    const msg = body as Json;
    const msgtype = typeof msg.msgtype === 'string' ? msg.msgtype : '';
    if (!WEBHOOK_MSGTYPES.has(msgtype)) return fail(40008, 'invalid message type');
    if (msgtype === 'text' && contentBytes(msg, msgtype) > TEXT_MAX_BYTES) return fail(45002, 'content size out of limit');
    if ((msgtype === 'markdown' || msgtype === 'markdown_v2') && contentBytes(msg, msgtype) > WEBHOOK_MARKDOWN_MAX_BYTES) {
      return fail(45002, 'content size out of limit');
    }
    if (msgtype === 'image') {
      const refused = checkImage(msg.image);
      if (refused) return refused;
    }
    if (msgtype === 'file' || msgtype === 'voice') {
      // A media_id from this robot's own upload_media, within its three days.
      const part = msg[msgtype];
      const id = typeof part === 'object' && part !== null ? (part as Json).media_id : undefined;
      const found = typeof id === 'string' ? robotMedia.get(id) : undefined;
      if (!found || found.key !== key || found.type !== msgtype || found.expiresAt <= now()) return fail(40007, 'invalid media_id');
    }
    // 20 per rolling minute per robot; refused posts do not count.
    const t = now();
    const recent = (webhookTimes.get(key) ?? []).filter((at) => at > t - 60_000);
    if (recent.length >= WEBHOOK_PER_MINUTE) {
      webhookTimes.set(key, recent);
      return fail(45009, 'api freq out of limit');
    }
    recent.push(t);
    webhookTimes.set(key, recent);
    webhookPosts.push(msg);
    return ok();
  }

  /** Like the robot (doc 99110): base64 of a JPG or PNG of at most 2 MB, with the md5 of the raw bytes. */
  function checkImage(image: unknown): Answer | null {
    const { base64, md5 } = (typeof image === 'object' && image !== null ? image : {}) as Json;
    if (typeof base64 !== 'string' || typeof md5 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return fail(47001, 'data format error');
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length === 0 || bytes.length > WEBHOOK_IMAGE_MAX_BYTES) return fail(40009, 'invalid image size');
    const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const jpg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    if (!png && !jpg) return fail(40005, 'invalid file type');
    if (createHash('md5').update(bytes).digest('hex') !== md5.toLowerCase()) return fail(301019, 'media md5 not match');
    return null;
  }

  function departmentList(query: Record<string, string>): Answer {
    const refused = checkToken(query);
    if (refused) return refused;
    return ok({ department_id: departments.map((d, i) => ({ id: d.id, parentid: d.parentid, order: 100_000_000 - i })) });
  }

  function departmentGet(query: Record<string, string>): Answer {
    const refused = checkToken(query);
    if (refused) return refused;
    const dept = departments.find((d) => String(d.id) === query.id);
    if (!dept) return fail(60003, 'department not found');
    return ok({ department: { id: dept.id, name: dept.name, parentid: dept.parentid, order: 0, department_leader: [] } });
  }

  function userList(query: Record<string, string>): Answer {
    const refused = checkToken(query);
    if (refused) return refused;
    const id = Number(query.department_id);
    if (!departments.some((d) => d.id === id)) return fail(60003, 'department not found');
    // Not recursive, like WeCom: only the department's direct members.
    const list = (users ?? []).filter((u) => u.department.includes(id));
    return ok({ userlist: list.map((u) => ({ userid: u.userid, name: u.name, department: u.department, status: 1 })) });
  }

  function menuCreate(query: Record<string, string>, body: unknown): Answer {
    const refused = checkToken(query);
    if (refused) return refused;
    if (!query.agentid) return fail(40056, 'invalid agentid');
    if (typeof body !== 'object' || body === null || !Array.isArray((body as Json).button)) return fail(47001, 'data format error');
    menus.push({ agentid: query.agentid, menu: body as Json });
    return ok();
  }

  /**
   * WeCom's authorize page, stood in for: instead of identifying the visitor silently (snsapi_base), it lists the
   * active members, each a link back to redirect_uri with a fresh single-use code, so anyone can log in as a demo
   * user by clicking, and browser tests can too.
   */
  async function authorizePage(query: Record<string, string>): Promise<Answer> {
    const problems: string[] = [];
    if (query.appid !== corpId) problems.push('appid 与 CorpID 不符');
    if (query.response_type !== 'code') problems.push('response_type 须为 code');
    if (query.scope !== 'snsapi_base' && query.scope !== 'snsapi_privateinfo') problems.push('scope 不合法');
    if (query.state !== undefined && !/^[A-Za-z0-9]{0,128}$/.test(query.state)) problems.push('state 只能是字母和数字，最多 128 个');
    let target: URL | null = null;
    try {
      target = new URL(query.redirect_uri ?? '');
      if (target.protocol !== 'http:' && target.protocol !== 'https:') target = null;
    } catch {
      target = null;
    }
    if (!target) problems.push('redirect_uri 不合法');
    if (problems.length || !target) return new Answer(400, page('授权参数有误', `<p>${problems.map(escapeHtml).join('；')}</p>`));
    const members = opts.loginMembers ? await opts.loginMembers() : [];
    const links = members.map((m) => {
      const code = randomBytes(16).toString('hex');
      oauthCodes.set(code, { userid: m.userid, expiresAt: now() + OAUTH_CODE_TTL_MS });
      const back = new URL(target!.href);
      back.searchParams.set('code', code);
      if (query.state !== undefined) back.searchParams.set('state', query.state);
      return `<li><a href="${escapeHtml(back.href)}">${escapeHtml(m.userid)}${m.name ? `（${escapeHtml(m.name)}）` : ''}</a></li>`;
    });
    const body = links.length ? `<p>本地模式：选择以谁的身份登录。</p><ul>${links.join('')}</ul>` : '<p>没有可登录的成员。</p>';
    return new Answer(200, page('企业微信登录（本地替身）', body));
  }

  function getUserInfo(query: Record<string, string>): Answer {
    const refused = checkToken(query);
    if (refused) return refused;
    const entry = query.code ? oauthCodes.get(query.code) : undefined;
    if (!entry || now() >= entry.expiresAt) return fail(40029, 'invalid code');
    oauthCodes.delete(query.code!); // single use
    return ok({ userid: entry.userid, user_ticket: '' });
  }

  async function route(method: string, path: string, query: Record<string, string>, body: unknown): Promise<Answer> {
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /connect/oauth2/authorize':
        return authorizePage(query);
      case 'GET /cgi-bin/auth/getuserinfo':
        return getUserInfo(query);
      case 'GET /cgi-bin/gettoken':
        return getToken(query);
      case 'POST /cgi-bin/message/send':
        return messageSend(query, body);
      case 'POST /cgi-bin/message/update_template_card':
        return updateTemplateCard(query, body);
      case 'POST /cgi-bin/webhook/send':
        return webhookSend(query, body);
      case 'GET /cgi-bin/department/simplelist':
        return departmentList(query);
      case 'GET /cgi-bin/department/get':
        return departmentGet(query);
      case 'GET /cgi-bin/user/list':
        return userList(query);
      case 'GET /cgi-bin/media/get':
        return mediaGet(query);
      case 'POST /cgi-bin/menu/create':
        return menuCreate(query, body);
      default:
        return new Answer(404, 'not found');
    }
  }

  function takeFailure(path: string): LocalFailure | null {
    const rule = failures.find((f) => f.left > 0 && path.startsWith(f.prefix));
    if (!rule) return null;
    rule.left -= 1;
    failures = failures.filter((f) => f.left > 0);
    return rule.failure;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const query = Object.fromEntries(url.searchParams);
    const robotUpload = url.pathname === '/cgi-bin/webhook/upload_media';
    const upload = url.pathname === '/cgi-bin/media/upload' || robotUpload;
    const rawBytes = await readBody(req, upload ? MAX_UPLOAD_BYTES : MAX_BODY_BYTES);
    const body = upload ? { multipart: true, bytes: rawBytes.length } : parseBody(rawBytes.toString('utf8'));
    const method = req.method ?? 'GET';
    requests.push({ method, path: url.pathname, query, body, at: clock.now() });

    const failure = takeFailure(url.pathname);
    if (failure?.delayMs) await new Promise((r) => setTimeout(r, failure.delayMs));
    let answer: Answer;
    if (failure?.status !== undefined) answer = new Answer(failure.status, 'upstream failure (local stand-in)');
    else if (failure?.errcode !== undefined) answer = fail(failure.errcode, failure.errmsg ?? 'failure injected by the local stand-in');
    else if (robotUpload) answer = req.method === 'POST' ? webhookUploadMedia(query, req.headers['content-type'] ?? '', rawBytes) : new Answer(404, 'not found');
    else if (upload) answer = mediaUpload(query, req.headers['content-type'] ?? '', rawBytes);
    else answer = await route(method, url.pathname, query, body);
    reply(res, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      reply(res, new Answer(500, err instanceof Error ? err.message : 'error'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    corpId,
    secret,
    requests,
    sent: () => [...sent],
    webhookPosts: () => [...webhookPosts],
    menus: () => [...menus],
    cards: () => cards.map((c) => ({ ...c })),
    cardUpdates: () => [...cardUpdates],
    tap: tapCard,
    failNext(pathPrefix, failure) {
      failures.push({ prefix: pathPrefix, failure, left: failure.times ?? 1 });
    },
    webhookMedia(mediaId) {
      const found = robotMedia.get(mediaId);
      return found ? { filename: found.filename, bytes: found.bytes } : null;
    },
    putMedia(bytes, contentType = 'image/jpeg') {
      return storeMedia(bytes, contentType);
    },
    expireAllTokens() {
      for (const t of tokens.values()) t.expiresAt = Math.min(t.expiresAt, now());
      current = null;
    },
    reset() {
      requests.length = 0; // the same array: callers may hold it
      sent = [];
      webhookPosts = [];
      menus = [];
      failures = [];
      tokens = new Map();
      current = null;
      webhookTimes = new Map();
      oauthCodes = new Map();
      media = new Map();
      cards = [];
      taskIds = new Set();
      cardUpdates = [];
      responseCodes = new Map();
      robotMedia = new Map();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive sockets from fetch would hold close() open
      });
    },
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The first file part of a multipart/form-data body (media/upload's `media` field), or null. */
function firstFilePart(contentType: string, body: Buffer): { filename: string; contentType: string; bytes: Buffer } | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const mark = boundary ? `--${boundary[1] ?? boundary[2]}` : null;
  if (!mark) return null;
  const text = body.toString('latin1');
  for (let start = text.indexOf(mark); start !== -1; ) {
    const next = text.indexOf(mark, start + mark.length);
    if (next === -1) break;
    const part = text.slice(start + mark.length + 2, next - 2); // past the CRLF after the boundary, before the CRLF ahead of the next
    const split = part.indexOf('\r\n\r\n');
    const head = split === -1 ? '' : part.slice(0, split);
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    if (filename !== undefined) {
      const offset = start + mark.length + 2 + split + 4;
      // The header is read as latin1 to keep byte offsets; a UTF-8 name (通报.docx) is decoded back.
      return { filename: Buffer.from(filename, 'latin1').toString('utf8'), contentType: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? 'application/octet-stream', bytes: body.subarray(offset, next - 2) };
    }
    start = next;
  }
  return null;
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>body{font:16px/1.6 system-ui,sans-serif;margin:24px;color:#1f2933}` +
    `li{margin:10px 0}a{color:#1d5fa7}</style></head><body><h1 style="font-size:20px">${escapeHtml(title)}</h1>${body}</body></html>`;
}

function reply(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return; // the caller timed out and hung up
  if (Buffer.isBuffer(answer.body)) {
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
    return;
  }
  const isJson = typeof answer.body !== 'string';
  const isHtml = !isJson && (answer.body as string).startsWith('<!doctype html>');
  res.writeHead(answer.status, {
    'content-type': isJson ? 'application/json; charset=utf-8' : isHtml ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    ...answer.headers,
  });
  res.end(isJson ? JSON.stringify(answer.body) : answer.body);
}
