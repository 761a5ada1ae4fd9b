// The bot's Inbound ↔ the journal's record of it (src/store/inbound-ledger.ts).
import type { Inbound } from '../bot/types.ts';
import type { JournalledMessage } from '../store/inbound-ledger.ts';

export function toJournalled(inbound: Inbound & { seq: number }): JournalledMessage {
  return { channel: inbound.channel, userid: inbound.userid, text: inbound.text, msgId: inbound.msgId, at: inbound.at, chatId: inbound.chatId ?? null, seq: inbound.seq, image: inbound.image ?? null, card: inbound.card ?? null };
}

export function fromJournalled(m: JournalledMessage): Inbound {
  return { channel: m.channel, userid: m.userid, text: m.text, msgId: m.msgId, at: new Date(m.at), chatId: m.chatId ?? null, seq: m.seq, image: m.image ?? null, card: m.card ?? null };
}
