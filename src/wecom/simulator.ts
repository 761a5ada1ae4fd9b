// Plays WeCom's side of the app callback: builds callbacks exactly as WeCom does (same crypto, same XML)
// and opens the bot's passive replies. Used by `cli say`, the benchmark and the tests.
import { randomBytes } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { createCallbackCipher } from './crypto.ts';
import { buildAppEventXml, buildAppTextMessageXml, buildCallbackPostXml, parseAppMessageXml, buildAppImageMessageXml, buildTemplateCardEventXml } from './xml.ts';
import type { CardTap } from '../cards/template-card.ts';

export interface SimulatorSettings {
  corpId: string;
  agentId: string;
  token: string;
  encodingAESKey: string;
}

export interface SignedCallback {
  /** Path and query, e.g. /wecom/callback?msg_signature=…&timestamp=…&nonce=… */
  path: string;
  body: string;
}

let msgCounter = 0;

/** A fresh 64-bit-looking MsgId (as a string, as WeCom's are). */
export function newMsgId(): string {
  msgCounter = (msgCounter + 1) % 1_000_000;
  return `${BigInt('0x' + randomBytes(6).toString('hex')) * 1_000_000n + BigInt(msgCounter)}`;
}

function seal(settings: SimulatorSettings, innerXml: string, createTime: number, nonce = randomBytes(6).toString('hex')): SignedCallback {
  const cipher = createCallbackCipher({ token: settings.token, encodingAESKey: settings.encodingAESKey, receiveId: settings.corpId });
  const sealed = cipher.encryptAndSign(innerXml, String(createTime), nonce);
  const query = new URLSearchParams({ msg_signature: sealed.signature, timestamp: sealed.timestamp, nonce: sealed.nonce });
  return {
    path: `/wecom/callback?${query.toString()}`,
    body: buildCallbackPostXml({ toUserName: settings.corpId, encrypt: sealed.encrypt, agentId: settings.agentId }),
  };
}

export function buildTextCallback(
  settings: SimulatorSettings,
  p: { userid: string; text: string; createTime: number; msgId?: string; nonce?: string },
): SignedCallback & { msgId: string } {
  const msgId = p.msgId ?? newMsgId();
  const inner = buildAppTextMessageXml({
    corpId: settings.corpId, fromUser: p.userid, createTime: p.createTime, content: p.text, msgId, agentId: settings.agentId,
  });
  return { ...seal(settings, inner, p.createTime, p.nonce), msgId };
}

export function buildImageCallback(
  settings: SimulatorSettings,
  p: { userid: string; mediaId: string; createTime: number; msgId?: string; picUrl?: string },
): SignedCallback & { msgId: string } {
  const msgId = p.msgId ?? newMsgId();
  const inner = buildAppImageMessageXml({
    corpId: settings.corpId, fromUser: p.userid, createTime: p.createTime, mediaId: p.mediaId, msgId, agentId: settings.agentId,
    picUrl: p.picUrl ?? `https://wework.qpic.cn/wwpic/${encodeURIComponent(p.mediaId)}/0`,
  });
  return { ...seal(settings, inner, p.createTime), msgId };
}

export function buildClickCallback(settings: SimulatorSettings, p: { userid: string; eventKey: string; createTime: number }): SignedCallback {
  const inner = buildAppEventXml({
    corpId: settings.corpId, fromUser: p.userid, createTime: p.createTime, event: 'click', eventKey: p.eventKey, agentId: settings.agentId,
  });
  return seal(settings, inner, p.createTime);
}

/** A tap on a template card's button, as WeCom reports it (doc 90376): the stand-in supplies the tap (LocalWecom.tap). */
export function buildCardTapCallback(settings: SimulatorSettings, p: { userid: string; tap: CardTap; createTime: number; nonce?: string }): SignedCallback {
  const inner = buildTemplateCardEventXml({
    corpId: settings.corpId, fromUser: p.userid, createTime: p.createTime, eventKey: p.tap.eventKey, taskId: p.tap.taskId,
    cardType: p.tap.cardType, responseCode: p.tap.responseCode ?? '', agentId: settings.agentId, selected: p.tap.selected,
  });
  return seal(settings, inner, p.createTime, p.nonce);
}

const envelopeParser = new XMLParser({ processEntities: false, parseTagValue: false, ignoreDeclaration: true });

/** Verifies and decrypts a passive reply; null for the empty answer ("no reply now"). */
export function openPassiveReply(settings: SimulatorSettings, body: string): { content: string; toUser: string } | null {
  if (body.trim() === '') return null;
  const env = envelopeParser.parse(body)?.xml as Record<string, string> | undefined;
  if (!env?.Encrypt) throw new Error('reply is not an encrypted envelope');
  const cipher = createCallbackCipher({ token: settings.token, encodingAESKey: settings.encodingAESKey, receiveId: settings.corpId });
  const inner = parseAppMessageXml(cipher.verifyAndDecrypt(String(env.MsgSignature), String(env.TimeStamp), String(env.Nonce), String(env.Encrypt)));
  return { content: inner.content ?? '', toUser: inner.toUserName };
}
