/**
 * JSON side of the internal AI bot (智能机器人; doc 100719 receive, 101027 events, 101031 passive reply,
 * 101033 crypto). Encryption is the same as the app's (see crypto.ts) with receiveId "".
 */

export type AibotCodecErrorCode = 'malformed' | 'missing_field';

/** Same codes as WecomXmlError, so a route can map both kinds of bad body the same way. */
export class AibotCodecError extends Error {
  constructor(
    public code: AibotCodecErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AibotCodecError';
  }
}

export interface AibotMessage {
  /** Unique per callback; WeCom may deliver one twice, so de-duplicate on it. */
  msgid: string;
  aibotid: string;
  /** Present only for group chats. */
  chatid: string | null;
  chattype: 'group' | 'single';
  from: { userid: string };
  /** text, mixed, image, voice, file, video, stream (refresh), event … */
  msgtype: string;
  /** text.content for msgtype text; the text items of a mixed message joined by "\n"; otherwise null. Mentions are left in: see stripMention. */
  text: string | null;
  /** event.eventtype for msgtype event (enter_chat, template_card_event, feedback_event …); otherwise null. */
  event: string | null;
  /** One proactive reply within an hour may be POSTed here. */
  responseUrl: string | null;
  /** stream.id of a stream refresh callback (msgtype stream); otherwise null. */
  streamId: string | null;
}

/** stream.content limit from doc 101031. */
export const AIBOT_STREAM_CONTENT_MAX_BYTES = 20480;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseObject(body: string, what: string): Json {
  if (typeof body !== 'string') throw new AibotCodecError('malformed', `${what} must be a string`);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new AibotCodecError('malformed', `${what} is not valid JSON`);
  }
  if (!isObject(value)) throw new AibotCodecError('malformed', `${what} is not a JSON object`);
  return value;
}

function requiredString(obj: Json, key: string, path = key): string {
  const v = obj[key];
  if (v === undefined || v === null || v === '') throw new AibotCodecError('missing_field', `${path} is missing`);
  // Ids are strings in WeCom's JSON; a number would already have lost precision, so refuse it.
  if (typeof v !== 'string') throw new AibotCodecError('malformed', `${path} must be a string`);
  return v;
}

function optionalString(obj: Json | undefined, key: string, path = key): string | null {
  const v = obj?.[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new AibotCodecError('malformed', `${path} must be a string`);
  return v;
}

/** POST body {"encrypt": "..."}. */
export function parseAibotEnvelope(body: string): { encrypt: string } {
  const obj = parseObject(body, 'AI bot callback body');
  return { encrypt: requiredString(obj, 'encrypt') };
}

/** The decrypted callback JSON: a message, a stream refresh or an event. */
export function parseAibotMessage(json: string): AibotMessage {
  const obj = parseObject(json, 'AI bot message');

  const msgid = requiredString(obj, 'msgid');
  const msgtype = requiredString(obj, 'msgtype');
  const from = obj.from;
  if (!isObject(from)) throw new AibotCodecError('missing_field', 'from is missing');
  const userid = requiredString(from, 'userid', 'from.userid');

  // The enter_chat event carries no chattype: it only happens in a 1:1 chat.
  const rawChattype = obj.chattype;
  let chattype: 'group' | 'single';
  if (rawChattype === 'group') chattype = 'group';
  else if (rawChattype === 'single' || rawChattype === undefined || rawChattype === null || rawChattype === '') chattype = 'single';
  else throw new AibotCodecError('malformed', `unknown chattype ${JSON.stringify(rawChattype)}`);

  let text: string | null = null;
  if (msgtype === 'text') {
    const t = obj.text;
    if (isObject(t) && typeof t.content === 'string') text = t.content;
  } else if (msgtype === 'mixed') {
    const items = isObject(obj.mixed) ? obj.mixed.msg_item : undefined;
    if (Array.isArray(items)) {
      const texts = items
        .filter((it): it is Json => isObject(it) && it.msgtype === 'text' && isObject(it.text) && typeof it.text.content === 'string')
        .map((it) => (it.text as Json).content as string);
      if (texts.length > 0) text = texts.join('\n');
    }
  }

  let event: string | null = null;
  if (msgtype === 'event') {
    const e = obj.event;
    if (isObject(e)) event = optionalString(e, 'eventtype', 'event.eventtype');
    else if (typeof e === 'string' && e !== '') event = e;
    if (event === null) throw new AibotCodecError('missing_field', 'event.eventtype is missing');
  }

  return {
    msgid,
    aibotid: optionalString(obj, 'aibotid') ?? '',
    chatid: optionalString(obj, 'chatid'),
    chattype,
    from: { userid },
    msgtype,
    text,
    event,
    responseUrl: optionalString(obj, 'response_url'),
    streamId: msgtype === 'stream' && isObject(obj.stream) ? optionalString(obj.stream, 'id', 'stream.id') : null,
  };
}

/**
 * Removes the leading "@BotName" of a group message and the whitespace after it (WeCom separates a
 * mention with U+2005 or an ordinary / full-width space; JS \s covers all of them). Without botName
 * the name runs to the first whitespace; pass botName for names containing spaces or followed
 * directly by punctuation.
 */
export function stripMention(text: string, botName?: string): string {
  const lead = text.match(/^\s*/u)?.[0].length ?? 0;
  if (text[lead] !== '@') return text;
  if (botName) {
    const named = `@${botName}`;
    // No word boundary required: "@督办助手，本周进度" must lose the name, not the whole sentence.
    if (text.startsWith(named, lead)) return text.slice(lead + named.length).replace(/^\s+/u, '');
  }
  return text.slice(lead).replace(/^@\S*\s*/u, '');
}

/** Plaintext of a stream reply (doc 101031); encrypt it with receiveId "" before sending. */
export function buildAibotStreamReply(p: { id: string; content: string; finish: boolean }): string {
  if (typeof p.id !== 'string' || p.id === '') throw new RangeError('stream id must be a non-empty string');
  const bytes = Buffer.byteLength(p.content, 'utf8');
  if (bytes > AIBOT_STREAM_CONTENT_MAX_BYTES) {
    throw new RangeError(`stream content is ${bytes} bytes, WeCom accepts at most ${AIBOT_STREAM_CONTENT_MAX_BYTES}`);
  }
  return JSON.stringify({ msgtype: 'stream', stream: { id: p.id, finish: p.finish, content: p.content } });
}

/**
 * Encrypted passive reply {encrypt, msgsignature, timestamp, nonce} (doc 101033). The doc writes the
 * timestamp as a JSON number, in seconds, and wants the nonce of the callback URL echoed. The signature
 * was computed over the timestamp's text, so only a canonical decimal is accepted: "0123" would be sent
 * as 123 and no longer match.
 */
export function buildAibotEncryptedReply(p: {
  encrypt: string;
  msgsignature: string;
  timestamp: string | number;
  nonce: string;
}): string {
  const ts = String(p.timestamp);
  if (!/^(0|[1-9][0-9]*)$/.test(ts) || !Number.isSafeInteger(Number(ts))) {
    throw new RangeError(`timestamp must be whole seconds, got ${JSON.stringify(p.timestamp)}`);
  }
  return JSON.stringify({ encrypt: p.encrypt, msgsignature: p.msgsignature, timestamp: Number(ts), nonce: p.nonce });
}
