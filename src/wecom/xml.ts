/**
 * XML side of the self-built app callback (doc 90930, 90239, 90240, 90241).
 *
 * Parsing rules, and why:
 * - Anything declaring a DTD (<!DOCTYPE, <!ENTITY, …) is refused before the parser sees it: WeCom never
 *   sends one, and entity expansion is the classic XXE / billion-laughs hole.
 * - fast-xml-parser runs with processEntities, parseTagValue and attribute parsing off, so "007" stays
 *   "007" and a 64-bit MsgId is never squeezed through a JS number.
 * - Fields are read by tag name: WeCom's element order and its use of CDATA both vary.
 * - Outside CDATA only the five predefined XML entities and numeric character references are decoded
 *   (that is not entity expansion; it is how '&' and '<' are written in XML text). CDATA stays literal.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type WecomXmlErrorCode = 'malformed' | 'entity' | 'missing_field';

export class WecomXmlError extends Error {
  constructor(
    public code: WecomXmlErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WecomXmlError';
  }
}

export interface WecomEnvelope {
  toUserName: string;
  encrypt: string;
  agentId: string | null;
}

export interface WecomAppMessage {
  toUserName: string;
  fromUserName: string;
  createTime: string;
  msgType: string;
  content: string | null;
  msgId: string | null;
  agentId: string | null;
  event: string | null;
  eventKey: string | null;
  /** Image messages (doc 90239): the photo is fetched by MediaId through media/get. */
  mediaId: string | null;
  picUrl: string | null;
  /** template_card_event (doc 90376): the card, its type, the one-time code to update it, the chosen options. */
  taskId: string | null;
  cardType: string | null;
  responseCode: string | null;
  selectedItems: Record<string, string[]>;
}

// ---------------------------------------------------------------------------------------------
// Parsing

const TEXT = '#text';
const CDATA = '__cdata';

const parser = new XMLParser({
  preserveOrder: true, // keeps CDATA and text apart, so entities are decoded only where XML says so
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  trimValues: false,
  cdataPropName: CDATA,
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type OrderedNode = Record<string, unknown>;

/**
 * Refuses every markup declaration outside CDATA sections and comments. Scanning rather than a plain
 * regex keeps a user's literal "<!DOCTYPE html>" inside CDATA acceptable while a DOCTYPE hidden after a
 * comment that mentions "<![CDATA[" is still caught.
 */
function refuseDeclarations(xml: string): void {
  let i = 0;
  for (;;) {
    const at = xml.indexOf('<!', i);
    if (at < 0) return;
    if (xml.startsWith('<![CDATA[', at)) {
      const end = xml.indexOf(']]>', at + 9);
      if (end < 0) throw new WecomXmlError('malformed', 'unterminated CDATA section');
      i = end + 3;
    } else if (xml.startsWith('<!--', at)) {
      const end = xml.indexOf('-->', at + 4);
      if (end < 0) throw new WecomXmlError('malformed', 'unterminated comment');
      i = end + 3;
    } else {
      throw new WecomXmlError('entity', 'DOCTYPE / ENTITY declarations are not accepted');
    }
  }
}

const ENTITY_RE = /&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY_RE, (whole, name: string) => {
    const named = NAMED_ENTITIES[name];
    if (named !== undefined) return named;
    const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    // Leave references to code points XML forbids as they were rather than invent characters.
    if (!Number.isSafeInteger(code) || !isXmlChar(code)) return whole;
    return String.fromCodePoint(code);
  });
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function onlyKey(node: OrderedNode): string | undefined {
  for (const k of Object.keys(node)) if (k !== ':@') return k;
  return undefined;
}

/** Text of an element exactly as written: CDATA literal, text entity-decoded, child elements ignored. */
function elementText(children: unknown): string {
  if (!Array.isArray(children)) return '';
  const parts: { cdata: boolean; text: string }[] = [];
  for (const child of children as OrderedNode[]) {
    const k = onlyKey(child);
    if (k === TEXT) {
      parts.push({ cdata: false, text: decodeEntities(String(child[TEXT] ?? '')) });
    } else if (k === CDATA) {
      const inner = child[CDATA];
      if (Array.isArray(inner)) {
        for (const c of inner as OrderedNode[]) parts.push({ cdata: true, text: String(c[TEXT] ?? '') });
      }
    }
  }
  // Indentation around a CDATA section is layout, not content.
  const hasCdata = parts.some((p) => p.cdata);
  return parts
    .filter((p) => p.cdata || !hasCdata || p.text.trim() !== '')
    .map((p) => p.text)
    .join('');
}

interface Fields {
  get(name: string): string | undefined;
}

/** Validates, parses and returns the direct children of the single <xml> root, by tag name. */
function parseRootFields(xml: string): Fields {
  if (typeof xml !== 'string') throw new WecomXmlError('malformed', 'XML body must be a string');
  refuseDeclarations(xml);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new WecomXmlError('malformed', `malformed XML: ${valid.err.msg}`);

  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (err) {
    throw new WecomXmlError('malformed', `malformed XML: ${(err as Error).message}`);
  }
  if (!Array.isArray(doc)) throw new WecomXmlError('malformed', 'malformed XML');

  let root: unknown[] | undefined;
  for (const node of doc as OrderedNode[]) {
    const k = onlyKey(node);
    if (k === TEXT) {
      if (String(node[TEXT] ?? '').trim() !== '') throw new WecomXmlError('malformed', 'text outside the root element');
      continue;
    }
    if (k !== 'xml' || root !== undefined) {
      throw new WecomXmlError('malformed', 'expected exactly one <xml> root element');
    }
    root = Array.isArray(node[k]) ? (node[k] as unknown[]) : [];
  }
  if (root === undefined) throw new WecomXmlError('malformed', 'expected exactly one <xml> root element');

  const values = new Map<string, string>();
  const repeated = new Set<string>();
  for (const node of root as OrderedNode[]) {
    const k = onlyKey(node);
    if (k === undefined || k === TEXT || k === CDATA) continue;
    if (values.has(k)) repeated.add(k);
    else values.set(k, elementText(node[k]));
  }
  return {
    get(name) {
      // Two <Encrypt> elements would leave it to chance which one gets verified and which decrypted.
      if (repeated.has(name)) throw new WecomXmlError('malformed', `<${name}> appears more than once`);
      return values.get(name);
    },
  };
}

function requiredField(fields: Fields, name: string): string {
  const v = fields.get(name)?.trim();
  if (v === undefined || v === '') throw new WecomXmlError('missing_field', `<${name}> is missing or empty`);
  return v;
}

/** Identifier-like optional fields: surrounding whitespace dropped, empty means absent. */
function optionalField(fields: Fields, name: string): string | null {
  const v = fields.get(name)?.trim();
  return v === undefined || v === '' ? null : v;
}

/** What WeCom POSTs: <xml><ToUserName/><Encrypt/><AgentID/></xml>, in any order. */
export function parseEnvelopeXml(xml: string): WecomEnvelope {
  const fields = parseRootFields(xml);
  return {
    encrypt: requiredField(fields, 'Encrypt'),
    // Not covered by the signature; the authenticated CorpID is the receiveId inside the ciphertext.
    toUserName: fields.get('ToUserName')?.trim() ?? '',
    agentId: optionalField(fields, 'AgentID'),
  };
}

/** The decrypted message or event. Content is kept exactly (no trimming); the rest are identifiers. */
export function parseAppMessageXml(xml: string): WecomAppMessage {
  const fields = parseRootFields(xml);
  return {
    toUserName: requiredField(fields, 'ToUserName'),
    fromUserName: requiredField(fields, 'FromUserName'),
    createTime: requiredField(fields, 'CreateTime'),
    msgType: requiredField(fields, 'MsgType'),
    content: fields.get('Content') ?? null,
    msgId: optionalField(fields, 'MsgId'),
    agentId: optionalField(fields, 'AgentID'),
    event: optionalField(fields, 'Event'),
    eventKey: optionalField(fields, 'EventKey'),
    mediaId: optionalField(fields, 'MediaId'),
    picUrl: optionalField(fields, 'PicUrl'),
    taskId: optionalField(fields, 'TaskId'),
    cardType: optionalField(fields, 'CardType'),
    responseCode: optionalField(fields, 'ResponseCode'),
    selectedItems: fields.get('SelectedItems') === undefined ? {} : parseSelectedItems(xml),
  };
}

const nestedParser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  isArray: (name) => name === 'SelectedItem' || name === 'OptionId',
});

/** <SelectedItems><SelectedItem><QuestionKey/><OptionIds><OptionId/>…</OptionIds></SelectedItem>…</SelectedItems>. */
function parseSelectedItems(xml: string): Record<string, string[]> {
  const root = (nestedParser.parse(xml) as { xml?: { SelectedItems?: { SelectedItem?: unknown[] } } }).xml;
  const out: Record<string, string[]> = {};
  for (const item of root?.SelectedItems?.SelectedItem ?? []) {
    const it = item as { QuestionKey?: unknown; OptionIds?: { OptionId?: unknown[] } };
    const key = typeof it.QuestionKey === 'string' ? it.QuestionKey.trim() : '';
    if (!key) continue;
    out[key] = (it.OptionIds?.OptionId ?? []).map((o) => String(o).trim()).filter(Boolean);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Building

// Characters XML 1.0 forbids even inside CDATA (controls other than tab/CR/LF, lone surrogates,
// U+FFFE/U+FFFF). WeCom rejects the whole reply for one of them, so they are dropped.
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function cleanXmlChars(s: string): string {
  return s.replace(INVALID_XML_CHARS, '');
}

/** A CDATA section that survives any content: "]]>" is split across two sections. */
function cdata(value: string): string {
  return `<![CDATA[${cleanXmlChars(value).split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

function escapeText(value: string): string {
  return cleanXmlChars(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function seconds(createTime: number): string {
  if (!Number.isSafeInteger(createTime) || createTime < 0) {
    throw new RangeError(`createTime must be a non-negative integer number of seconds, got ${createTime}`);
  }
  return String(createTime);
}

/**
 * Inner passive reply (doc 90241): the parties swap, ToUserName = the user, FromUserName = the CorpID.
 * WeCom caps Content at 2048 bytes; keeping within it is the caller's job.
 */
export function buildTextReplyXml(p: { toUser: string; fromUser: string; createTime: number; content: string }): string {
  return (
    '<xml>' +
    `<ToUserName>${cdata(p.toUser)}</ToUserName>` +
    `<FromUserName>${cdata(p.fromUser)}</FromUserName>` +
    `<CreateTime>${seconds(p.createTime)}</CreateTime>` +
    `<MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(p.content)}</Content>` +
    '</xml>'
  );
}

/** Encrypted reply envelope, laid out as in the official samples. */
export function buildEncryptedEnvelopeXml(p: { encrypt: string; signature: string; timestamp: string; nonce: string }): string {
  return (
    '<xml>' +
    `<Encrypt>${cdata(p.encrypt)}</Encrypt>` +
    `<MsgSignature>${cdata(p.signature)}</MsgSignature>` +
    `<TimeStamp>${escapeText(p.timestamp)}</TimeStamp>` +
    `<Nonce>${cdata(p.nonce)}</Nonce>` +
    '</xml>'
  );
}

/** The body WeCom POSTs to the callback URL; byte-identical to the official sample. */
export function buildCallbackPostXml(p: { toUserName: string; encrypt: string; agentId: string }): string {
  return (
    '<xml>' +
    `<ToUserName>${cdata(p.toUserName)}</ToUserName>` +
    `<Encrypt>${cdata(p.encrypt)}</Encrypt>` +
    `<AgentID>${cdata(p.agentId)}</AgentID>` +
    '</xml>'
  );
}

/** A decrypted text message as WeCom writes it (doc 90239); byte-identical to the official sample. */
export function buildAppTextMessageXml(p: {
  corpId: string;
  fromUser: string;
  createTime: number;
  content: string;
  msgId: string;
  agentId: string;
}): string {
  return (
    `<xml><ToUserName>${cdata(p.corpId)}</ToUserName>\n` +
    `<FromUserName>${cdata(p.fromUser)}</FromUserName>\n` +
    `<CreateTime>${seconds(p.createTime)}</CreateTime>\n` +
    `<MsgType>${cdata('text')}</MsgType>\n` +
    `<Content>${cdata(p.content)}</Content>\n` +
    `<MsgId>${escapeText(p.msgId)}</MsgId>\n` +
    `<AgentID>${escapeText(p.agentId)}</AgentID>\n` +
    '</xml>'
  );
}

/** A decrypted image message as WeCom writes it (doc 90239). */
export function buildAppImageMessageXml(p: {
  corpId: string;
  fromUser: string;
  createTime: number;
  picUrl: string;
  mediaId: string;
  msgId: string;
  agentId: string;
}): string {
  return (
    `<xml><ToUserName>${cdata(p.corpId)}</ToUserName>\n` +
    `<FromUserName>${cdata(p.fromUser)}</FromUserName>\n` +
    `<CreateTime>${seconds(p.createTime)}</CreateTime>\n` +
    `<MsgType>${cdata('image')}</MsgType>\n` +
    `<PicUrl>${cdata(p.picUrl)}</PicUrl>\n` +
    `<MediaId>${cdata(p.mediaId)}</MediaId>\n` +
    `<MsgId>${escapeText(p.msgId)}</MsgId>\n` +
    `<AgentID>${escapeText(p.agentId)}</AgentID>\n` +
    '</xml>'
  );
}

/** A decrypted template_card_event as WeCom writes it (doc 90376). */
export function buildTemplateCardEventXml(p: {
  corpId: string;
  fromUser: string;
  createTime: number;
  eventKey: string;
  taskId: string;
  cardType: string;
  responseCode: string;
  agentId: string;
  selected?: Record<string, string[]>;
}): string {
  const selected = Object.entries(p.selected ?? {});
  return (
    `<xml><ToUserName>${cdata(p.corpId)}</ToUserName>\n` +
    `<FromUserName>${cdata(p.fromUser)}</FromUserName>\n` +
    `<CreateTime>${seconds(p.createTime)}</CreateTime>\n` +
    `<MsgType>${cdata('event')}</MsgType>\n` +
    `<Event>${cdata('template_card_event')}</Event>\n` +
    `<EventKey>${cdata(p.eventKey)}</EventKey>\n` +
    `<TaskId>${cdata(p.taskId)}</TaskId>\n` +
    `<CardType>${cdata(p.cardType)}</CardType>\n` +
    `<ResponseCode>${cdata(p.responseCode)}</ResponseCode>\n` +
    `<AgentID>${escapeText(p.agentId)}</AgentID>\n` +
    (selected.length
      ? '<SelectedItems>' + selected.map(([q, ids]) =>
        `<SelectedItem><QuestionKey>${cdata(q)}</QuestionKey><OptionIds>${ids.map((id) => `<OptionId>${cdata(id)}</OptionId>`).join('')}</OptionIds></SelectedItem>`).join('') + '</SelectedItems>\n'
      : '') +
    '</xml>'
  );
}

/**
 * A decrypted event as WeCom writes it (doc 90240). EventKey is written only when given: WeCom sends
 * an empty one for enter_agent and none for subscribe.
 */
export function buildAppEventXml(p: {
  corpId: string;
  fromUser: string;
  createTime: number;
  event: string;
  eventKey?: string;
  agentId: string;
}): string {
  return (
    `<xml><ToUserName>${cdata(p.corpId)}</ToUserName>\n` +
    `<FromUserName>${cdata(p.fromUser)}</FromUserName>\n` +
    `<CreateTime>${seconds(p.createTime)}</CreateTime>\n` +
    `<MsgType>${cdata('event')}</MsgType>\n` +
    `<AgentID>${escapeText(p.agentId)}</AgentID>\n` +
    `<Event>${cdata(p.event)}</Event>\n` +
    (p.eventKey === undefined ? '' : `<EventKey>${cdata(p.eventKey)}</EventKey>\n`) +
    '</xml>'
  );
}
