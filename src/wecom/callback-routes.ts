// WeCom callbacks: the self-built app (encrypted XML) and the AI bot (encrypted JSON), one route shape for both.
// Transport only: verify and decrypt (callback-channels.ts), journal before any 200 (store/inbound-ledger.ts),
// hand the message to bot.handle, carry the reply back within WeCom's budget or through the outbox.
import Router from '@koa/router';
import type { Context } from 'koa';
import { performance } from 'node:perf_hooks';
import { HttpError } from '../app.ts';
import type { Bot } from '../bot/dispatch.ts';
import type { Inbound, Reply } from '../bot/types.ts';
import type { Clock } from '../clock.ts';
import { createReceiptSequence, type ReceiptSequence } from '../domain/receipt-sequence.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/database.ts';
import { isDatabaseUnavailable, withinMs } from '../store/database-errors.ts';
import { createInboundLedger, type InboundLedger } from '../store/inbound-ledger.ts';
import { fromJournalled, toJournalled } from './journalled.ts';
import { aibotChannel, appChannel, verifyAndOpen, type CallbackChannel, type OpenedCallback, type SignedQuery } from './callback-channels.ts';
import { createCallbackCipher, type CallbackCipher } from './crypto.ts';
import { readRawBody } from './raw-body.ts';
import { LATE, replyWithinBudget } from './reply-within-budget.ts';

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
  /** How long, from the request's arrival, to wait for the bot before answering empty; WeCom allows 5 s. */
  passiveBudgetMs?: number;
  ledger?: InboundLedger;
  sequence?: ReceiptSequence;
}

export const DEFAULT_BUDGET_MS = 3000;
/** Beyond the budget, how long a journalled message may stay unfinished before a retry takes it over. */
const ORPHAN_GRACE_MS = 1000;
/** A journal write slower than this is answered 503 (WeCom retries) instead of holding WeCom past its 5 s. */
const JOURNAL_TIMEOUT_MS = 2500;

export function orphanAfterMs(budgetMs = DEFAULT_BUDGET_MS): number {
  return budgetMs + ORPHAN_GRACE_MS;
}

interface Route {
  deps: CallbackDeps;
  ledger: InboundLedger;
  sequence: ReceiptSequence;
  budgetMs: number;
}

export function createCallbackRouter(deps: CallbackDeps): Router {
  const router = new Router();
  const route: Route = {
    deps,
    ledger: deps.ledger ?? createInboundLedger(deps.store, deps.clock),
    sequence: deps.sequence ?? createReceiptSequence(deps.clock),
    budgetMs: deps.passiveBudgetMs ?? DEFAULT_BUDGET_MS,
  };
  const app = appChannel(createCallbackCipher({ token: deps.settings.token, encodingAESKey: deps.settings.encodingAESKey, receiveId: deps.settings.corpId }), deps.clock);
  const aibot = deps.settings.aibotToken && deps.settings.aibotEncodingAESKey
    ? aibotChannel(createCallbackCipher({ token: deps.settings.aibotToken, encodingAESKey: deps.settings.aibotEncodingAESKey, receiveId: '' }), deps.clock)
    : null;

  router.get('/wecom/callback', (ctx) => answerUrlVerification(ctx, app.cipher, deps));
  router.post('/wecom/callback', (ctx) => handlePost(ctx, app, route));
  router.get('/wecom/aibot', (ctx) => answerUrlVerification(ctx, requireAibot(aibot).cipher, deps));
  router.post('/wecom/aibot', (ctx) => handlePost(ctx, requireAibot(aibot), route));
  return router;
}

function requireAibot(channel: CallbackChannel | null): CallbackChannel {
  if (!channel) throw new HttpError(404, 'AI bot callback is not configured', 'not_configured');
  return channel;
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

function answerUrlVerification(ctx: Context, cipher: CallbackCipher, deps: CallbackDeps) {
  const q = signedQuery(ctx, deps);
  const echostr = typeof ctx.query.echostr === 'string' ? ctx.query.echostr : '';
  if (!echostr) throw new HttpError(400, 'missing echostr', 'bad_query');
  ctx.status = 200;
  ctx.type = 'text/plain';
  ctx.body = verifyAndOpen(cipher, q, echostr); // the plaintext alone: no quotes, no newline
}

async function handlePost(ctx: Context, channel: CallbackChannel, route: Route) {
  const arrived = performance.now();
  const q = signedQuery(ctx, route.deps);
  const cb = channel.open(q, await readRawBody(ctx));
  const fresh = cb.inbound ? { ...cb.inbound, seq: route.sequence() } : null;

  // Journal before any 200: once this insert stands, the message cannot be forgotten; until it does, WeCom
  // gets a non-200 and retries.
  const journalled = await journalOr503(route, cb.key, channel.name, fresh);
  let inbound: Inbound | null = fresh;
  if (!journalled.fresh) {
    const taken = await route.ledger.takeOver(cb.key, orphanAfterMs(route.budgetMs));
    if (!taken) return answerDuplicate(ctx, cb, route);
    route.deps.logger.warn({ key: cb.key }, 'taking over a delivery that never finished');
    if (taken.message) inbound = fromJournalled(taken.message); // its first receipt's order, not this retry's
  }
  if (!inbound) {
    await route.ledger.finish(cb.key, null);
    ctx.status = 200;
    ctx.body = '';
    return;
  }
  await respond(ctx, route, channel, cb, inbound, route.budgetMs - (performance.now() - arrived));
}

async function journalOr503(route: Route, key: string, channel: string, inbound: (Inbound & { seq: number }) | null) {
  try {
    return await withinMs(route.ledger.journal(key, channel, inbound ? toJournalled(inbound) : null), JOURNAL_TIMEOUT_MS, 'journal');
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw new HttpError(503, 'database unavailable: retry', 'db_unavailable');
    throw err;
  }
}

/** WeCom retries when it did not get our answer: give the same reply again, never run the command twice. */
async function answerDuplicate(ctx: Context, cb: OpenedCallback, route: Route) {
  route.deps.logger.info({ key: cb.key }, 'duplicate delivery');
  const prior = await route.ledger.outcome(cb.key);
  ctx.status = 200;
  if (prior?.reply) {
    ctx.type = 'application/xml';
    ctx.body = cb.seal(prior.reply);
  } else {
    ctx.body = '';
  }
}

async function respond(ctx: Context, route: Route, channel: CallbackChannel, cb: OpenedCallback, inbound: Inbound, budgetLeftMs: number) {
  const work = route.deps.bot.handle(inbound);
  const first = await replyWithinBudget(work, budgetLeftMs);
  if (first !== LATE && first.retryable) {
    // The database went away mid-command: the journal keeps the message; WeCom's retry or the recovery sweep
    // runs it again once the database is back.
    throw new HttpError(503, 'database unavailable: retry', 'db_unavailable');
  }
  if (first === LATE || connectionGone(ctx)) {
    // Too slow for the passive reply (or WeCom stopped waiting): end the wait, the reply goes through the outbox.
    ctx.status = 200;
    ctx.body = '';
    void finishLater(route, channel, cb.key, inbound, work);
    return;
  }
  const [now, ...later] = channel.shape(first);
  if (later.length) await route.deps.replies.deliverLater(`reply:${cb.key}`, inbound.userid, later);
  await route.ledger.finish(cb.key, now ?? null);
  ctx.status = 200;
  ctx.type = channel.contentType;
  ctx.body = cb.seal(now ?? '');
}

async function finishLater(route: Route, channel: CallbackChannel, key: string, inbound: Inbound, work: Promise<Reply>) {
  try {
    const reply = await work;
    if (reply.retryable) return; // left unfinished in the journal: the recovery sweep runs it again
    await route.deps.replies.deliverLater(`reply:${key}`, inbound.userid, channel.shape(reply));
    await route.ledger.finish(key, null);
  } catch (err) {
    route.deps.logger.error({ err, key }, 'late reply could not be queued; the recovery sweep will retry');
  }
}

function connectionGone(ctx: Context): boolean {
  // Not ctx.req.destroyed: a fully read request is destroyed by Node while its socket still waits for the answer.
  return ctx.req.socket.destroyed || ctx.res.destroyed || ctx.res.writableEnded;
}
