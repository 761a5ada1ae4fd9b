// Plain Chinese that is no command: "7.5那个公示已经做完了", "电商那个做完了". When it says what happened (done, an
// amount, blocked) and names one of the sender's own items — by code, or by words of its title — the bot answers
// with the exact command it understood and waits for “是”. A guess is never written without it; several fitting
// items are listed, each with its command; a vague amount is asked about.
import { intentCommand, readIntent, sharedRun } from '../domain/intent.ts';
import { parseTaskCode } from '../domain/task-code.ts';
import { normalizeInput, toHalfWidth } from '../domain/text.ts';
import { ownItems, type OwnItem } from '../standing/index.ts';
import type { HandlerResult } from './command-spec.ts';
import { startState } from './conversation.ts';
import type { BotDeps, Inbound, Sender } from './types.ts';

const FILLER = /^(那个|这个|那项|这项|的|是)+/;

export async function understandFreeText(deps: BotDeps, inbound: Inbound, sender: Sender): Promise<HandlerResult | null> {
  if (sender.departments.length === 0) return null;
  const text = normalizeInput(inbound.text);
  const intent = readIntent(text);
  if (!intent) return null;
  const now = deps.clock.now();
  const items = (await ownItems(deps.store, sender.departments, now)).filter((i) => i.standing.stage !== 'closed');
  const several = sender.departments.length > 1;
  const byCode = /^\d/.test(toHalfWidth(text)) ? parseTaskCode(text) : null;
  let fitting: OwnItem[];
  let note: string;
  if (byCode) {
    fitting = items.filter((i) => i.standing.task.code === byCode.code || i.label === byCode.code);
    note = byCode.rest.replace(FILLER, '').trim();
    if (fitting.length === 0) return null;
  } else {
    const scored = items.map((i) => ({ i, run: sharedRun(text, i.standing.task.title) })).filter((x) => [...x.run].length >= 2);
    const best = Math.max(0, ...scored.map((x) => [...x.run].length));
    fitting = scored.filter((x) => [...x.run].length === best).map((x) => x.i);
    note = text;
    if (fitting.length === 0) return null;
  }
  const first = fitting[0]!;
  if (intent.kind === 'vague') {
    return `“${intent.word}”说不准是多少，没有记录。请写具体进度，例如：\n汇报 ${first.label} 60% ${note}`.trim();
  }
  const commandOf = (i: OwnItem) => intentCommand(intent, i.label, several ? i.standing.department : null, note);
  if (fitting.length > 1) {
    const shown = fitting.slice(0, 5);
    return [
      `你说的可能是这 ${fitting.length} 项中的一项，没有记录。请发送要记录的那一条：`,
      ...shown.map((i) => `${commandOf(i)}\n  （${i.label} ${i.standing.task.title}）`),
      ...(fitting.length > shown.length ? ['也可以发送“我的任务”查看全部编号。'] : []),
    ].join('\n');
  }
  const command = commandOf(first);
  await startState(deps.store, sender.userid, { kind: 'confirm', command }, now);
  return [`我理解为：\n${command}`, `（${first.label} ${first.standing.task.title}）`, '回复“是”确认；回复其他内容则不记录。'].join('\n');
}
