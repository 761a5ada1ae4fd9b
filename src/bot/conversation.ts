// Conversations that span messages, kept in the database (src/store/conversations.ts): the guided 汇报 (`汇报` alone
// → a numbered list → a number → the progress) and a guess waiting for “是”. Whatever they lead to is written by
// the same command a user could have typed: the conversation only composes its text.
import { parseProgress, vagueAmount } from '../domain/progress.ts';
import { normalizeInput, toHalfWidth } from '../domain/text.ts';
import { endConversation, openConversation, startConversation, type Conversation } from '../store/conversations.ts';
import type { Store } from '../store/database.ts';
import type { HandlerResult } from './command-spec.ts';

/** A conversation nobody answers within ten minutes is over. */
export const CONVERSATION_TTL_MS = 10 * 60 * 1000;

export interface GuidedItem {
  label: string;
  department: string;
  title: string;
}

export type ConversationState =
  | { kind: 'report.pick'; items: GuidedItem[] }
  | { kind: 'report.progress'; item: GuidedItem }
  | { kind: 'confirm'; command: string };

const CANCEL = new Set(['取消', '算了', '不报了', '退出', 'cancel', 'q']);
const YES = new Set(['是', '是的', '确认', '对', '对的', 'y', 'yes']);
const NO = new Set(['否', '不是', '不', '不对', '错了', 'n', 'no']);

export function isYes(text: string): boolean {
  return YES.has(normalizeInput(text).replace(/[。.!！]+$/, '').toLowerCase());
}

export function isCancel(text: string): boolean {
  return CANCEL.has(normalizeInput(text).toLowerCase());
}

export async function startState(store: Store, userid: string, state: ConversationState, now: Date): Promise<void> {
  const { kind, ...data } = state;
  await startConversation(store, userid, kind, data, now, CONVERSATION_TTL_MS);
}

export async function openState(store: Store, userid: string, now: Date): Promise<(Conversation & { state: ConversationState }) | null> {
  const conv = await openConversation<Record<string, unknown>>(store, userid, now);
  if (!conv) return null;
  return { ...conv, state: { kind: conv.kind, ...conv.data } as ConversationState };
}

export { endConversation };

/** What the next message does inside a conversation. */
export type Step =
  /** Answer with this; the conversation goes on, is replaced by `next`, or ends (`end`). */
  | { kind: 'reply'; result: HandlerResult; next?: ConversationState; end?: boolean }
  /** The conversation has ended; run this command text as if typed, with this message id, and answer with its reply. */
  | { kind: 'run'; text: string; msgId?: string }
  /** Not an answer to the conversation (another command): it ends, and the message is handled as usual. */
  | { kind: 'leave' };

/** Titles cut for a phone screen: the list stays one message. */
function short(title: string, max = 16): string {
  const chars = [...title];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : title;
}

export function pickPrompt(items: GuidedItem[], showUnits: boolean): string {
  const lines = [`本周待汇报 ${items.length} 项，回复序号开始汇报：`];
  items.forEach((it, i) => lines.push(`${i + 1}. ${it.label} ${short(it.title)}${showUnits ? `［${it.department}］` : ''}`));
  lines.push('', `例如回复：${Math.min(2, items.length)}`, '发送“取消”结束（10 分钟内有效）');
  return lines.join('\n');
}

export function progressPrompt(item: GuidedItem): string {
  return [
    `${item.label} ${item.title}［${item.department}］`,
    '请回复进度和说明，例如：',
    '80% 已完成招商对接',
    '（也可回复：已完成 说明 / 受阻 原因；发送“取消”结束）',
  ].join('\n');
}

/** "2", "２", "第2项", "二": the number of an item in the list, or null. */
function ordinal(t: string): number | null {
  const m = /^第?(\d{1,3}|[一二三四五六七八九十]{1,3})(项|个|条)?$/.exec(toHalfWidth(t));
  if (!m) return null;
  if (/^\d+$/.test(m[1]!)) return Number(m[1]);
  const p = parseProgress(`百分之${m[1]}`);
  return p?.percent ?? null;
}

/** The step for `text` in `state`. `isCommand` tells a message that is a command of its own (the user moved on). */
export function nextStep(state: ConversationState, text: string, isCommand: (text: string) => boolean): Step {
  const t = normalizeInput(text);
  switch (state.kind) {
    case 'report.pick': {
      const n = ordinal(t);
      if (n !== null && n >= 1 && n <= state.items.length) {
        const item = state.items[n - 1]!;
        return { kind: 'reply', result: progressPrompt(item), next: { kind: 'report.progress', item } };
      }
      if (n !== null) return { kind: 'reply', result: `请回复 1–${state.items.length} 之间的序号，或发送“取消”结束。` };
      // Anything but a number: the user has moved on; the message is handled as usual.
      return { kind: 'leave' };
    }
    case 'report.progress': {
      const first = t.split(' ')[0] ?? '';
      if (parseProgress(first)) {
        const { label, department } = state.item;
        return { kind: 'run', text: ['汇报', label, department, t].join(' ') };
      }
      const vague = vagueAmount(first);
      if (vague) return { kind: 'reply', result: `“${vague}”说不准是多少，请写具体进度，例如：80% 已完成招商对接` };
      if (isCommand(t)) return { kind: 'leave' };
      return { kind: 'reply', result: `没看懂进度。${progressPrompt(state.item)}` };
    }
    case 'confirm': {
      const word = t.replace(/[。.!！]+$/, '').toLowerCase();
      if (YES.has(word)) return { kind: 'run', text: state.command };
      if (NO.has(word)) return { kind: 'reply', result: '好的，未做任何记录。', end: true };
      return { kind: 'leave' };
    }
  }
}
