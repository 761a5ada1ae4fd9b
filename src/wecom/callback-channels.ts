// One channel per callback kind: how its body is opened into a message, how its key is made, and how a reply
// is sealed for the HTTP answer. The route (callback-routes.ts) is the same for all of them.
import { randomBytes } from 'node:crypto';
import { HttpError } from '../app.ts';
import type { Inbound, Reply } from '../bot/types.ts';
import type { Clock } from '../clock.ts';
import type { CardTap } from '../cards/template-card.ts';
import { splitByBytes } from '../domain/text.ts';
import { AIBOT_STREAM_CONTENT_MAX_BYTES, AibotCodecError, buildAibotEncryptedReply, buildAibotStreamReply, parseAibotEnvelope, parseAibotMessage, stripMention } from './aibot-codec.ts';
import { WecomCryptoError, type CallbackCipher } from './crypto.ts';
import { buildEncryptedEnvelopeXml, buildTextReplyXml, parseAppMessageXml, parseEnvelopeXml, WecomXmlError, type WecomAppMessage } from './xml.ts';

export interface SignedQuery {
  signature: string;
  timestamp: string;
  nonce: string;
}

/** A verified, decrypted callback, ready to journal. `inbound` is null for what the bot does not act on. */
export interface OpenedCallback {
  key: string;
  inbound: Inbound | null;
  /** The reply as this channel's HTTP answer (encrypted and signed). */
  seal(content: string): string;
}

export interface CallbackChannel {
  name: 'app' | 'aibot';
  cipher: CallbackCipher;
  contentType: string;
  open(q: SignedQuery, rawBody: string): OpenedCallback;
  /** A reply as the messages the HTTP answer and the outbox carry. */
  shape(reply: Reply): string[];
}

export function verifyAndOpen(cipher: CallbackCipher, q: SignedQuery, encrypt: string): string {
  try {
    return cipher.verifyAndDecrypt(q.signature, q.timestamp, q.nonce, encrypt);
  } catch (err) {
    if (err instanceof WecomCryptoError) {
      throw new HttpError(err.code === 'bad_signature' ? 401 : 400, 'callback refused', err.code);
    }
    throw err;
  }
}

function parseOr400<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof WecomXmlError || err instanceof AibotCodecError) throw new HttpError(400, 'malformed body', `body_${err.code}`);
    throw err;
  }
}

/** The self-built app: encrypted XML; text messages and menu clicks (EventKey = a command) reach the bot. */
export function appChannel(cipher: CallbackCipher, clock: Clock): CallbackChannel {
  return {
    name: 'app',
    cipher,
    contentType: 'application/xml',
    shape: (reply) => reply.messages,
    open(q, raw) {
      const envelope = parseOr400(() => parseEnvelopeXml(raw));
      const msg = parseOr400(() => parseAppMessageXml(verifyAndOpen(cipher, q, envelope.encrypt)));
      // Events carry no MsgId: their identity is who, when, what, and for a card tap which card and which tap. WeCom's
      // retries repeat the ResponseCode; two taps in one second (another choice on the same card) each get their own.
      const tap = cardTap(msg);
      const key = msg.msgId
        ? `app:${msg.msgId}`
        : `app:ev:${msg.fromUserName}:${msg.createTime}:${msg.event ?? ''}:${msg.eventKey ?? ''}:${msg.agentId ?? ''}${tap ? `:${tap.taskId}:${tap.responseCode ?? ''}` : ''}`;
      const text = tap ? '' : appText(msg);
      return {
        key,
        inbound: text === null ? null : {
          channel: 'app', userid: msg.fromUserName, text, msgId: msg.msgId, at: createdAt(msg.createTime, clock),
          image: msg.msgType === 'image' && msg.mediaId ? { mediaId: msg.mediaId, picUrl: msg.picUrl } : null,
          ...(tap ? { card: tap } : {}),
        },
        seal: (content) => sealAppReply(cipher, msg, content, clock),
      };
    },
  };
}

function cardTap(msg: WecomAppMessage): CardTap | null {
  if (msg.msgType !== 'event' || msg.event !== 'template_card_event' || !msg.taskId || !msg.eventKey) return null;
  return { taskId: msg.taskId, eventKey: msg.eventKey, cardType: msg.cardType ?? '', responseCode: msg.responseCode, selected: msg.selectedItems };
}

function appText(msg: WecomAppMessage): string | null {
  if (msg.msgType === 'text') return msg.content ?? '';
  if (msg.msgType === 'event') return msg.event?.toLowerCase() === 'click' && msg.eventKey ? msg.eventKey : null;
  if (msg.msgType === 'image') return '';
  return '［非文字消息］';
}

function sealAppReply(cipher: CallbackCipher, msg: WecomAppMessage, content: string, clock: Clock): string {
  const timestamp = String(Math.floor(clock.now().getTime() / 1000));
  const nonce = randomBytes(8).toString('hex');
  const inner = buildTextReplyXml({ toUser: msg.fromUserName, fromUser: msg.toUserName, createTime: Number(timestamp), content });
  const sealed = cipher.encryptAndSign(inner, timestamp, nonce);
  return buildEncryptedEnvelopeXml({ encrypt: sealed.encrypt, signature: sealed.signature, timestamp, nonce });
}

function createdAt(createTime: string, clock: Clock): Date {
  const s = Number(createTime);
  return Number.isFinite(s) && s > 0 ? new Date(s * 1000) : clock.now();
}

const STREAM_CUT_NOTE = '\n……（内容较长，已截断；请在应用里查看全部）';

/** The AI bot: encrypted JSON; a stream reply carries up to 20 KB, so a long answer's parts travel together. */
export function aibotChannel(cipher: CallbackCipher, clock: Clock): CallbackChannel {
  return {
    name: 'aibot',
    cipher,
    contentType: 'application/json',
    shape: (reply) => [fitStream(reply.messages.join('\n\n'))],
    open(q, raw) {
      const envelope = parseOr400(() => parseAibotEnvelope(raw));
      const msg = parseOr400(() => parseAibotMessage(verifyAndOpen(cipher, q, envelope.encrypt)));
      return {
        key: `aibot:${msg.msgid}`,
        // Events, images, stream refreshes: acknowledged, nothing to say.
        inbound: msg.text === null ? null : {
          channel: 'aibot', userid: msg.from.userid, text: stripMention(msg.text), msgId: msg.msgid, at: clock.now(), chatId: msg.chatid,
        },
        seal(content) {
          const plain = buildAibotStreamReply({ id: randomBytes(8).toString('hex'), content, finish: true });
          const sealed = cipher.encryptAndSign(plain, q.timestamp, q.nonce);
          return buildAibotEncryptedReply({ encrypt: sealed.encrypt, msgsignature: sealed.signature, timestamp: sealed.timestamp, nonce: sealed.nonce });
        },
      };
    },
  };
}

function fitStream(text: string): string {
  if (Buffer.byteLength(text) <= AIBOT_STREAM_CONTENT_MAX_BYTES) return text;
  return splitByBytes(text, AIBOT_STREAM_CONTENT_MAX_BYTES - Buffer.byteLength(STREAM_CUT_NOTE))[0]! + STREAM_CUT_NOTE;
}
