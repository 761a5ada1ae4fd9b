// WeCom callbacks: the self-built app (encrypted XML) and the AI bot (encrypted JSON).
// Transport only: verify, decrypt, de-duplicate, hand the text to bot.handle, carry the reply back.
import Router from '@koa/router';
import type { Context } from 'koa';
import { randomBytes } from 'node:crypto';
import { HttpError } from '../app.ts';
import type { Bot } from '../bot/dispatch.ts';
import type { Inbound, Reply } from '../bot/types.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/database.ts';
import { isDuplicateKeyError } from '../store/models.ts';
import { splitByBytes } from '../domain/text.ts';
import { AIBOT_STREAM_CONTENT_MAX_BYTES, AibotCodecError, buildAibotEncryptedReply, buildAibotStreamReply, parseAibotEnvelope, parseAibotMessage, stripMention } from './aibot-codec.ts';
import { createCallbackCipher, WecomCryptoError, type CallbackCipher } from './crypto.ts';
import { readRawBody } from './raw-body.ts';
import { buildEncryptedEnvelopeXml, buildTextReplyXml, parseAppMessageXml, parseEnvelopeXml, WecomXmlError, type WecomAppMessage } from './xml.ts';

export interface CallbackSettings {
  corpId: string;
  token: string;
  encodingAESKey: string;
  aibotToken?: string;
  aibotEncodingAESKey?: string;
  maxSkewSeconds: number;
}

/** Where replies go that cannot ride in the HTTP answer: the outbox, as app messages to the user. */
export interface ReplySink {
  deliverLater(key: string, userid: string, messages: string[]): Promise<void>;
}

export interface CallbackDeps {
  settings: CallbackSettings;
  bot: Bot;
  store: Store;
  clock: Clock;
  logger: Logger;
  replies: ReplySink;
  /** How long to wait for the bot before answering empty and sending the reply later; WeCom allows 5 s. */
  passiveBudgetMs?: number;
}

const DEFAULT_BUDGET_MS = 3000;
/** Beyond the budget, how long a claim may stay unfinished before a retry takes it over. */
const ORPHAN_GRACE_MS = 1000;
const LATE = Symbol('late');

export function createCallbackRouter(deps: CallbackDeps): Router {
  const router = new Router();
  const app = createCallbackCipher({ token: deps.settings.token, encodingAESKey: deps.settings.encodingAESKey, receiveId: deps.settings.corpId });
  const aibot = deps.settings.aibotToken && deps.settings.aibotEncodingAESKey
    ? createCallbackCipher({ token: deps.settings.aibotToken, encodingAESKey: deps.settings.aibotEncodingAESKey, receiveId: '' })
    : null;

  router.get('/wecom/callback', (ctx) => answerUrlVerification(ctx, app, deps));
  router.post('/wecom/callback', (ctx) => handleAppPost(ctx, app, deps));
  router.get('/wecom/aibot', (ctx) => answerUrlVerification(ctx, requireAibot(aibot), deps));
  router.post('/wecom/aibot', (ctx) => handleAibotPost(ctx, requireAibot(aibot), deps));
  return router;
}

function requireAibot(cipher: CallbackCipher | null): CallbackCipher {
  if (!cipher) throw new HttpError(404, 'AI bot callback is not configured', 'not_configured');
  return cipher;
}

interface SignedQuery {
  signature: string;
  timestamp: string;
  nonce: string;
}

/** The query is decoded exactly once (Koa's querystring): echostr's "+" arrives as %2B and must stay "+". */
function signedQuery(ctx: Context, deps: CallbackDeps): SignedQuery {
  const q = ctx.query;
  const signature = typeof q.msg_signature === 'string' ? q.msg_signature : '';
  const timestamp = typeof q.timestamp === 'string' ? q.timestamp : '';
  const nonce = typeof q.nonce === 'string' ? q.nonce : '';
  if (!/^[0-9a-f]{40}$/i.test(signature) || !/^\d{1,12}$/.test(timestamp) || !nonce || nonce.length > 64) {
    throw new HttpError(400, 'missing or malformed signature parameters', 'bad_query');
  }
  const skew = deps.settings.maxSkewSeconds;
  if (skew > 0 && Math.abs(deps.clock.now().getTime() / 1000 - Number(timestamp)) > skew) {
    throw new HttpError(403, 'timestamp outside the allowed window', 'stale_timestamp');
  }
  return { signature, timestamp, nonce };
}

function open(cipher: CallbackCipher, q: SignedQuery, encrypt: string): string {
  try {
    return cipher.verifyAndDecrypt(q.signature, q.timestamp, q.nonce, encrypt);
  } catch (err) {
    if (err instanceof WecomCryptoError) {
      throw new HttpError(err.code === 'bad_signature' ? 401 : 400, 'callback refused', err.code);
    }
    throw err;
  }
}

function answerUrlVerification(ctx: Context, cipher: CallbackCipher, deps: CallbackDeps) {
  const q = signedQuery(ctx, deps);
  const echostr = typeof ctx.query.echostr === 'string' ? ctx.query.echostr : '';
  if (!echostr) throw new HttpError(400, 'missing echostr', 'bad_query');
  ctx.status = 200;
  ctx.type = 'text/plain';
  ctx.body = open(cipher, q, echostr); // the plaintext alone: no quotes, no newline
}

async function handleAppPost(ctx: Context, cipher: CallbackCipher, deps: CallbackDeps) {
  const q = signedQuery(ctx, deps);
  const raw = await readRawBody(ctx);
  const envelope = parseOr400(() => parseEnvelopeXml(raw));
  const msg = parseOr400(() => parseAppMessageXml(open(cipher, q, envelope.encrypt)));

  const text = inboundText(msg);
  const key = msg.msgId ? `app:${msg.msgId}` : `app:ev:${msg.fromUserName}:${msg.createTime}:${msg.event ?? ''}:${msg.eventKey ?? ''}:${msg.agentId ?? ''}`;
  if (!(await claimInbound(deps, key, 'app'))) return answerDuplicate(ctx, key, deps, (content) => sealAppReply(cipher, msg, content, deps));
  if (text === null) {
    await markDone(deps, key, null);
    ctx.status = 200; // events the bot does not act on: acknowledged, nothing to say
    ctx.body = '';
    return;
  }
  const inbound: Inbound = {
    channel: 'app', userid: msg.fromUserName, text, msgId: msg.msgId, at: createdAt(msg.createTime, deps.clock),
  };
  await respond(ctx, deps, key, inbound, (content) => sealAppReply(cipher, msg, content, deps));
}

/** Text messages and menu clicks (EventKey = a command) reach the bot; other kinds get a hint. */
function inboundText(msg: WecomAppMessage): string | null {
  if (msg.msgType === 'text') return msg.content ?? '';
  if (msg.msgType === 'event') return msg.event?.toLowerCase() === 'click' && msg.eventKey ? msg.eventKey : null;
  return '［非文字消息］';
}

async function handleAibotPost(ctx: Context, cipher: CallbackCipher, deps: CallbackDeps) {
  const q = signedQuery(ctx, deps);
  const raw = await readRawBody(ctx);
  const envelope = parseOr400(() => parseAibotEnvelope(raw));
  const msg = parseOr400(() => parseAibotMessage(open(cipher, q, envelope.encrypt)));
  const key = `aibot:${msg.msgid}`;
  const seal = (content: string) => {
    const plain = buildAibotStreamReply({ id: randomBytes(8).toString('hex'), content, finish: true });
    const sealed = cipher.encryptAndSign(plain, q.timestamp, q.nonce);
    return buildAibotEncryptedReply({ encrypt: sealed.encrypt, msgsignature: sealed.signature, timestamp: sealed.timestamp, nonce: sealed.nonce });
  };
  if (!(await claimInbound(deps, key, 'aibot'))) return answerDuplicate(ctx, key, deps, seal);
  if (msg.text === null) { // events, images, stream refreshes: acknowledged, nothing to say
    await markDone(deps, key, null);
    ctx.status = 200;
    ctx.body = '';
    return;
  }
  const inbound: Inbound = {
    channel: 'aibot', userid: msg.from.userid, text: stripMention(msg.text), msgId: msg.msgid, at: deps.clock.now(), chatId: msg.chatid,
  };
  // A stream reply carries up to 20 KB, so the parts of a long answer travel together, cut to fit.
  await respond(ctx, deps, key, inbound, seal, (reply) => [fitStream(reply.messages.join('\n\n'))]);
}

const STREAM_CUT_NOTE = '\n……（内容较长，已截断；请在应用里查看全部）';

function fitStream(text: string): string {
  if (Buffer.byteLength(text) <= AIBOT_STREAM_CONTENT_MAX_BYTES) return text;
  return splitByBytes(text, AIBOT_STREAM_CONTENT_MAX_BYTES - Buffer.byteLength(STREAM_CUT_NOTE))[0]! + STREAM_CUT_NOTE;
}

function parseOr400<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof WecomXmlError || err instanceof AibotCodecError) throw new HttpError(400, 'malformed body', `body_${err.code}`);
    throw err;
  }
}

/**
 * Inserting the key into a unique index is the de-duplication: retries and other instances lose. One exception:
 * a claim never marked done and older than the reply budget belongs to a delivery that died mid-way (crash,
 * restart): WeCom's retry takes it over, so the message is not lost. The commands' own writes are keyed
 * (reports by message id), so running one again writes nothing twice.
 */
async function claimInbound(deps: CallbackDeps, key: string, channel: string): Promise<boolean> {
  const { Inbound } = deps.store.models;
  const now = deps.clock.now();
  try {
    // On the hot path of every message: the driver's insert, without building a mongoose document.
    await Inbound.collection.insertOne({ _id: key, key, at: now, channel } as never);
    return true;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const prior = await Inbound.findOne({ _id: key }, { at: 1 }).lean();
  const orphanAfter = (deps.passiveBudgetMs ?? DEFAULT_BUDGET_MS) + ORPHAN_GRACE_MS;
  if (!prior || now.getTime() - prior.at.getTime() < orphanAfter) return false;
  if (await deps.store.models.InboundDone.exists({ _id: key })) return false;
  await Inbound.updateOne({ _id: key }, { $set: { at: now } });
  deps.logger.warn({ key }, 'taking over a delivery that never finished');
  return true;
}

/** Records that the message was dealt with; a second record (a taken-over delivery) changes nothing. */
async function markDone(deps: CallbackDeps, key: string, reply: string | null): Promise<void> {
  try {
    await deps.store.models.InboundDone.collection.insertOne({ _id: key, at: deps.clock.now(), reply } as never);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

/** WeCom retries when it did not get our answer: give the same reply again, never run the command twice. */
async function answerDuplicate(ctx: Context, key: string, deps: CallbackDeps, seal: (content: string) => string) {
  deps.logger.info({ key }, 'duplicate delivery');
  const prior = await deps.store.models.InboundDone.findOne({ _id: key }, { reply: 1 }).lean();
  ctx.status = 200;
  if (prior?.reply) {
    ctx.type = 'application/xml';
    ctx.body = seal(prior.reply);
  } else {
    ctx.body = '';
  }
}

async function respond(
  ctx: Context, deps: CallbackDeps, key: string, inbound: Inbound, seal: (content: string) => string,
  shape: (reply: Reply) => string[] = (r) => r.messages,
) {
  const work = deps.bot.handle(inbound);
  const budget = deps.passiveBudgetMs ?? DEFAULT_BUDGET_MS;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((r) => (timer = setTimeout(() => r(LATE), budget)));
  const first = await Promise.race([work, late]);
  clearTimeout(timer);

  if (first === LATE) {
    // Too slow for the passive reply: end WeCom's wait now, send the whole reply through the outbox.
    ctx.status = 200;
    ctx.body = '';
    work
      .then((reply) => deps.replies.deliverLater(`reply:${key}`, inbound.userid, shape(reply)))
      .then(() => markDone(deps, key, null))
      .catch((err) => deps.logger.error({ err, key }, 'late reply could not be queued'));
    return;
  }
  const [now, ...later] = shape(first);
  if (later.length) await deps.replies.deliverLater(`reply:${key}`, inbound.userid, later);
  await markDone(deps, key, now ?? null);
  ctx.status = 200;
  ctx.type = inbound.channel === 'aibot' ? 'application/json' : 'application/xml';
  ctx.body = seal(now ?? '');
}

function sealAppReply(cipher: CallbackCipher, msg: WecomAppMessage, content: string, deps: CallbackDeps): string {
  const timestamp = String(Math.floor(deps.clock.now().getTime() / 1000));
  const nonce = randomBytes(8).toString('hex');
  const inner = buildTextReplyXml({ toUser: msg.fromUserName, fromUser: msg.toUserName, createTime: Number(timestamp), content });
  const sealed = cipher.encryptAndSign(inner, timestamp, nonce);
  return buildEncryptedEnvelopeXml({ encrypt: sealed.encrypt, signature: sealed.signature, timestamp, nonce });
}

function createdAt(createTime: string, clock: Clock): Date {
  const s = Number(createTime);
  return Number.isFinite(s) && s > 0 ? new Date(s * 1000) : clock.now();
}
